"""Topics stage: what each person is influential on, with evidence, and who leads a topic.

Klout named people experts on a topic they had mentioned once. Here a post gets its topics
from the ontology in ``conf/topics/`` (hashtags in any language, keywords in the post's
language, Chinese keywords found inside unspaced text), and a person gets a topic only
when their topical posts drew genuine engagement on several distinct days. The topic score
measures that engagement and who gave it (:mod:`transforms.topics.scores`), never how often
the person says the word; leaders and campaign picks come from it
(:mod:`transforms.topics.leaders`, :mod:`transforms.topics.campaign`).
"""

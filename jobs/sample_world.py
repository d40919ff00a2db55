"""World model for the synthetic Clout sample: people, accounts, bots and vocabulary.

This module holds everything about *who* exists in the synthetic world and *what they
talk about*, independent of any export format:

* the topic vocabulary (hashtags and keywords in English, French, Finnish,
  Norwegian and Chinese) and a fast text composer that also reports entity offsets;
* dataclasses for persons, accounts, bots, rings, leaders and planted cascades;
* `build_world`, which draws the whole population from one `random.Random`;
* small helpers for ids (snowflakes, base36, AT-protocol TIDs) and time formatting.

Only the Python standard library is used, and every random draw goes through the
`random.Random` handed in, so one seed always builds the same world.
"""

from __future__ import annotations

import base64
import math
import random
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import datetime, timezone
from itertools import accumulate
from typing import Any, Sequence

NEVER = 1 << 30
"""Day index used for 'this never happens' (an account that never goes silent)."""

PLATFORMS: tuple[str, ...] = ("twitter", "bluesky", "mastodon", "reddit", "facebook", "weibo")
"""Platforms on which persons own accounts (snap and research are separate populations)."""

LANGUAGES: tuple[str, ...] = ("en", "fr", "fi", "no", "zh")
BOT_KINDS: tuple[str, ...] = ("fake_follower", "spam", "automated_amplifier", "engagement_ring")

TOPICS: tuple[str, ...] = (
    "football", "ai", "climate", "cooking", "music", "finance",
    "gaming", "travel", "health", "politics", "space", "fashion",
)

# Per topic and language: "hashtag,hashtag|keyword,keyword,...".
_VOCABULARY_SOURCE: dict[str, dict[str, str]] = {
    "football": {
        "en": "football,PremierLeague,matchday|goal,striker,derby,penalty,transfer window,clean sheet,midfield,the league",
        "fr": "foot,Ligue1,football|but,attaquant,derby,penalty,mercato,milieu,le championnat,victoire",
        "fi": "jalkapallo,Veikkausliiga,Huuhkajat|maali,hyökkääjä,derby,rangaistuspotku,siirtoikkuna,keskikenttä,sarja,voitto",
        "no": "fotball,Eliteserien,landslaget|mål,spiss,derby,straffespark,overgangsvindu,midtbane,serien,seier",
        "zh": "足球,中超,世界杯|进球,前锋,德比,点球,转会窗口,中场,联赛,胜利",
    },
    "ai": {
        "en": "AI,MachineLearning,LLM|neural network,model,dataset,training run,benchmark,transformer,inference,open weights",
        "fr": "IA,IntelligenceArtificielle,IAgénérative|réseau de neurones,modèle,jeu de données,entraînement,apprentissage,algorithme,inférence,données",
        "fi": "tekoäly,koneoppiminen,AI|neuroverkko,malli,aineisto,koulutus,vertailu,kielimalli,algoritmi,data",
        "no": "KI,kunstigintelligens,maskinlæring|nevralt nettverk,modell,datasett,trening,sammenligning,språkmodell,algoritme,data",
        "zh": "人工智能,机器学习,大模型|神经网络,模型,数据集,训练,基准测试,推理,算法,开源",
    },
    "climate": {
        "en": "climate,ClimateAction,netzero|emissions,heatwave,carbon,renewables,solar farm,sea level,drought,wildfire",
        "fr": "climat,ClimatUrgence,transitionécologique|émissions,canicule,carbone,énergies renouvelables,sécheresse,incendies,niveau de la mer,GIEC",
        "fi": "ilmasto,ilmastonmuutos,hiilineutraali|päästöt,helle,hiili,uusiutuva energia,kuivuus,metsäpalot,merenpinta,tuulivoima",
        "no": "klima,klimakrise,grønnomstilling|utslipp,hetebølge,karbon,fornybar energi,tørke,skogbranner,havnivå,vindkraft",
        "zh": "气候变化,碳中和,环保|排放,高温,碳,可再生能源,干旱,山火,海平面,光伏",
    },
    "cooking": {
        "en": "cooking,recipe,foodie|sourdough,risotto,spices,oven,garlic,slow cooker,dinner,fresh basil",
        "fr": "cuisine,recette,faitmaison|boulangerie,ratatouille,épices,four,ail,dîner,fromage,basilic frais",
        "fi": "ruoka,resepti,kotiruoka|ruisleipä,karjalanpiirakka,mausteet,uuni,valkosipuli,illallinen,lohikeitto,tilli",
        "no": "mat,oppskrift,hjemmelaget|brunost,fårikål,krydder,ovn,hvitløk,middag,laks,dill",
        "zh": "美食,菜谱,家常菜|饺子,红烧肉,香料,烤箱,大蒜,晚饭,火锅,小笼包",
    },
    "music": {
        "en": "music,NowPlaying,newmusic|album,guitar,concert,playlist,vinyl,chorus,festival,the band",
        "fr": "musique,nouveautémusicale,concert|album,guitare,festival,chanson,vinyle,refrain,le groupe,playlist",
        "fi": "musiikki,uuttamusiikkia,keikka|albumi,kitara,festivaali,kappale,vinyyli,kertosäe,bändi,soittolista",
        "no": "musikk,nymusikk,konsert|album,gitar,festival,låt,vinyl,refreng,bandet,spilleliste",
        "zh": "音乐,新歌,演唱会|专辑,吉他,音乐节,歌曲,黑胶,副歌,乐队,歌单",
    },
    "finance": {
        "en": "finance,stocks,investing|interest rates,inflation,earnings,portfolio,index fund,central bank,bond yields,dividend",
        "fr": "finance,bourse,investissement|taux d'intérêt,inflation,résultats,portefeuille,banque centrale,CAC 40,dividende,obligations",
        "fi": "talous,osakkeet,sijoittaminen|korko,inflaatio,tulos,salkku,indeksirahasto,keskuspankki,osinko,joukkolainat",
        "no": "økonomi,aksjer,investering|rente,inflasjon,resultat,portefølje,indeksfond,Norges Bank,utbytte,obligasjoner",
        "zh": "财经,股市,理财|利率,通胀,财报,投资组合,指数基金,央行,分红,债券",
    },
    "gaming": {
        "en": "gaming,indiedev,esports|speedrun,boss fight,patch notes,controller,open world,multiplayer,save file,console",
        "fr": "jeuxvidéo,gaming,esport|speedrun,boss,mise à jour,manette,monde ouvert,multijoueur,sauvegarde,console",
        "fi": "pelaaminen,pelit,esports|speedrun,pomotaistelu,päivitys,ohjain,avoin maailma,moninpeli,tallennus,konsoli",
        "no": "gaming,spill,esport|speedrun,bosskamp,oppdatering,kontroller,åpen verden,flerspiller,lagring,konsoll",
        "zh": "游戏,电竞,独立游戏|速通,打boss,更新,手柄,开放世界,多人联机,存档,主机",
    },
    "travel": {
        "en": "travel,wanderlust,travelphotography|train ride,airport,hostel,passport,old town,road trip,sunset,backpack",
        "fr": "voyage,vacances,tourisme|train,aéroport,auberge,passeport,vieille ville,road trip,coucher de soleil,sac à dos",
        "fi": "matkailu,matkustus,reissu|junamatka,lentokenttä,hostelli,passi,vanhakaupunki,automatka,auringonlasku,reppu",
        "no": "reise,ferie,turisme|togtur,flyplass,vandrerhjem,pass,gamlebyen,biltur,solnedgang,ryggsekk",
        "zh": "旅行,旅游,打卡|高铁,机场,青旅,护照,古镇,自驾游,日落,背包",
    },
    "health": {
        "en": "health,fitness,wellbeing|sleep,running,vaccine,hydration,workout,nutrition,mental health,recovery",
        "fr": "santé,sport,bienêtre|sommeil,course à pied,vaccin,hydratation,entraînement,nutrition,santé mentale,récupération",
        "fi": "terveys,liikunta,hyvinvointi|uni,juoksu,rokote,nesteytys,treeni,ravinto,mielenterveys,palautuminen",
        "no": "helse,trening,velvære|søvn,løping,vaksine,hydrering,treningsøkt,ernæring,psykisk helse,restitusjon",
        "zh": "健康,健身,养生|睡眠,跑步,疫苗,喝水,锻炼,营养,心理健康,恢复",
    },
    "politics": {
        "en": "politics,election,democracy|parliament,vote,policy,campaign,debate,coalition,budget,minister",
        "fr": "politique,élections,démocratie|Assemblée nationale,vote,réforme,campagne,débat,coalition,budget,ministre",
        "fi": "politiikka,vaalit,eduskunta|eduskunta,äänestys,hallitus,kampanja,väittely,koalitio,budjetti,ministeri",
        "no": "politikk,valg,Stortinget|Stortinget,avstemning,regjering,valgkamp,debatt,koalisjon,statsbudsjett,statsråd",
        "zh": "时事,新闻,政策|会议,投票,政策,改革,辩论,预算,部长,选举",
    },
    "space": {
        "en": "space,NASA,astronomy|rocket,launch,orbit,telescope,Mars,satellite,the moon,galaxy",
        "fr": "espace,astronomie,CNES|fusée,lancement,orbite,télescope,Mars,satellite,la Lune,galaxie",
        "fi": "avaruus,tähtitiede,revontulet|raketti,laukaisu,kiertorata,kaukoputki,Mars,satelliitti,kuu,galaksi",
        "no": "verdensrommet,astronomi,romfart|rakett,oppskyting,bane,teleskop,Mars,satellitt,månen,galakse",
        "zh": "航天,天文,探月|火箭,发射,轨道,望远镜,火星,卫星,月球,银河",
    },
    "fashion": {
        "en": "fashion,ootd,style|sneakers,runway,vintage,denim,streetwear,capsule wardrobe,fabric,collection",
        "fr": "mode,tenuedujour,style|baskets,défilé,vintage,denim,streetwear,garde-robe,tissu,collection",
        "fi": "muoti,asu,tyyli|lenkkarit,muotinäytös,vintage,farkut,katumuoti,vaatekaappi,kangas,mallisto",
        "no": "mote,dagensantrekk,stil|joggesko,moteshow,vintage,dongeri,gatemote,garderobe,stoff,kolleksjon",
        "zh": "时尚,穿搭,潮流|球鞋,秀场,复古,牛仔,街头风,衣橱,面料,新款",
    },
}

_FILLERS: dict[str, str] = {
    "en": "the,this,really,today,just,great,new,I think,what a,so,about,we,love,again,finally,honestly,never,"
          "check out,more,big,week,look at,wow,thread,interesting,hot take:,tonight,can't believe,and,with,for,is,"
          "my,everyone,good,news,thoughts on,big day for",
    "fr": "le,la,vraiment,aujourd'hui,juste,super,nouveau,je pense,quel,trop,sur,on,adore,encore,enfin,franchement,"
          "jamais,regardez,plus,grand,semaine,incroyable,intéressant,ce soir,et,avec,pour,est,mon,tout le monde,bon,actu",
    "fi": "tämä,todella,tänään,vain,hieno,uusi,mielestäni,aika,niin,meidän,rakastan,taas,vihdoin,rehellisesti,"
          "ei koskaan,katsokaa,lisää,iso,viikko,mielenkiintoinen,tänä iltana,ja,kanssa,on,minun,kaikki,hyvä,uutiset,huh,kiva",
    "no": "den,dette,virkelig,i dag,bare,flott,ny,jeg tror,for en,så,om,vi,elsker,igjen,endelig,ærlig talt,aldri,"
          "sjekk,mer,stor,uke,interessant,i kveld,og,med,for,er,min,alle,bra,nyheter,wow",
    "zh": "今天,真的,这个,终于,我觉得,太,好,新,大家,一起,又,看看,感觉,非常,有点,还是,分享,支持,关注,厉害,哈哈,"
          "一下,晚上,周末,消息,期待,不错,我们,就是,了",
}

_FIRST_NAMES: dict[str, str] = {
    "en": "James,Mary,John,Patricia,Robert,Jennifer,Michael,Linda,David,Elizabeth,William,Susan,Richard,Jessica,"
          "Joseph,Sarah,Thomas,Karen,Chris,Emma,Olivia,Liam,Noah,Ava,Mia,Ethan,Sophie,Jack,Grace,Ryan,Zoe,Owen",
    "fr": "Camille,Léa,Manon,Chloé,Inès,Louise,Jade,Hugo,Lucas,Louis,Gabriel,Arthur,Jules,Nathan,Théo,Raphaël,"
          "Zoé,Mathis,Clément,Élodie,Julien,Sophie,Antoine,Margaux",
    "fi": "Aino,Eino,Helmi,Väinö,Siiri,Onni,Aada,Leevi,Eevi,Elias,Ilona,Juho,Kaisa,Mikko,Laura,Antti,Johanna,"
          "Jussi,Sanna,Timo,Veera,Ville,Noora,Lauri",
    "no": "Nora,Emma,Ella,Olivia,Sofie,Leah,Jakob,Emil,Noah,Oliver,Filip,William,Lucas,Henrik,Ingrid,Kari,Lars,"
          "Ola,Sigrid,Solveig,Magnus,Eirik,Tuva,Ida,Håkon",
    "zh": "伟,芳,娜,敏,静,丽,强,磊,军,洋,勇,艳,杰,娟,涛,明,超,秀英,霞,平,刚,桂英",
}
_LAST_NAMES: dict[str, str] = {
    "en": "Smith,Johnson,Williams,Brown,Jones,Garcia,Miller,Davis,Wilson,Taylor,Anderson,Thomas,Moore,Martin,"
          "Lee,Clark,Lewis,Walker,Hall,Young,King,Wright,Green,Baker,Adams,Nelson,Hill,Campbell",
    "fr": "Martin,Bernard,Dubois,Thomas,Robert,Richard,Petit,Durand,Leroy,Moreau,Simon,Laurent,Lefèvre,Michel,"
          "Garcia,David,Bertrand,Roux,Vincent,Fournier,Morel,Girard,André,Mercier",
    "fi": "Korhonen,Virtanen,Mäkinen,Nieminen,Mäkelä,Hämäläinen,Laine,Heikkinen,Koskinen,Järvinen,Lehtonen,"
          "Lehtinen,Saarinen,Salminen,Heinonen,Niemi,Heikkilä,Kinnunen,Salonen,Turunen",
    "no": "Hansen,Johansen,Olsen,Larsen,Andersen,Pedersen,Nilsen,Kristiansen,Jensen,Karlsen,Johnsen,Pettersen,"
          "Eriksen,Berg,Haugen,Hagen,Johannessen,Andreassen,Jacobsen,Dahl,Jørgensen,Halvorsen,Lie,Solberg",
    "zh": "王,李,张,刘,陈,杨,黄,赵,吴,周,徐,孙,马,朱,胡,郭,何,高,林,罗",
}
_ZH_ADJECTIVES = "快乐的,安静的,爱吃,追风的,迷路的,会飞的,早起的,热爱生活的,不睡觉的,喝茶的,认真的,温柔的".split(",")
_ZH_NOUNS = "小猫,月亮,少年,鱼,星星,程序员,旅人,兔子,饭团,咸鱼,熊猫,云朵,橘子,向日葵".split(",")
_PINYIN = ("xiaomao,yueliang,shaonian,xingxing,tuzi,xiongmao,fantuan,yunduo,chenxi,wangwei,lilei,"
           "zhangwei,liuyang,huanghe,xiaoyu,juzi").split(",")

_LOCATIONS: dict[str, tuple[str, ...]] = {
    "en": ("London", "New York, NY", "Toronto", "Sydney", "Manchester", "San Francisco, CA", "Dublin", ""),
    "fr": ("Paris", "Lyon", "Marseille", "Bruxelles", "Montréal", "Toulouse", ""),
    "fi": ("Helsinki", "Tampere", "Turku", "Oulu", "Jyväskylä", ""),
    "no": ("Oslo", "Bergen", "Trondheim", "Tromsø", "Stavanger", ""),
    "zh": ("北京", "上海", "广州", "深圳", "成都", "杭州", ""),
}
_BIOS: dict[str, tuple[str, ...]] = {
    "en": ("{a} enthusiast. Views my own.", "Writing about {a} and {b}.", "{a} | {b} | coffee",
           "Runner, reader, {a} nerd.", "Posting about {a} since forever."),
    "fr": ("Passionné·e de {a}.", "Je parle de {a} et de {b}.", "{a} | {b} | café", "Avis personnels. {a}."),
    "fi": ("{a} ja {b}. Omia mielipiteitä.", "Kirjoitan aiheesta {a}.", "{a} | {b} | kahvi"),
    "no": ("Glad i {a} og {b}.", "Skriver om {a}.", "{a} | {b} | kaffe"),
    "zh": ("热爱{a}和{b}", "{a}爱好者", "分享{a}日常", "一个关注{a}的普通人"),
}

TIMEZONES_BY_LANGUAGE: dict[str, tuple[tuple[int, str], ...]] = {
    "en": ((-5, "Eastern Time (US & Canada)"), (-8, "Pacific Time (US & Canada)"), (0, "London"),
           (0, "London"), (10, "Sydney"), (-5, "Eastern Time (US & Canada)")),
    "fr": ((1, "Paris"),),
    "fi": ((2, "Helsinki"),),
    "no": ((1, "Stockholm"),),
    "zh": ((8, "Beijing"),),
}
LANGUAGE_WEIGHTS: tuple[float, ...] = (0.45, 0.15, 0.10, 0.10, 0.20)
PLATFORM_WEIGHTS_BY_LANGUAGE: dict[str, tuple[float, ...]] = {
    # twitter, bluesky, mastodon, reddit, facebook, weibo
    "en": (3.0, 2.4, 1.0, 1.8, 1.8, 0.0),
    "fr": (3.0, 2.2, 1.6, 0.8, 2.0, 0.0),
    "fi": (2.4, 2.0, 2.0, 0.8, 2.0, 0.0),
    "no": (2.4, 2.0, 1.6, 0.8, 2.4, 0.0),
    "zh": (1.2, 0.4, 0.0, 0.0, 0.0, 8.0),
}
MASTODON_INSTANCES: dict[str, tuple[str, ...]] = {
    "en": ("mastodon.social", "mastodon.online", "fosstodon.org", "mstdn.social", "hachyderm.io"),
    "fr": ("mastodon.social", "framapiaf.org", "piaille.fr", "mamot.fr"),
    "fi": ("mastodon.social", "mastodontti.fi", "some.fi"),
    "no": ("mastodon.social", "snabelen.no", "mastodon.green"),
    "zh": ("mastodon.social",),
}
HOME_INSTANCE = "mastodon.social"
"""The Mastodon server whose view of the fediverse the export represents."""


# ---------------------------------------------------------------------------------
# Vocabulary
# ---------------------------------------------------------------------------------


def _split(text: str) -> tuple[str, ...]:
    """Split a comma-separated vocabulary string into a tuple of entries."""
    return tuple(entry for entry in text.split(",") if entry)


@dataclass(frozen=True)
class Vocabulary:
    """Topic hashtags, keywords and filler words, indexed for fast random access.

    Attributes:
        hashtags: `hashtags[language][topic_index]` is a tuple of hashtags (without '#').
        keywords: `keywords[language][topic_index]` is a tuple of topic words.
        fillers: `fillers[language]` is a tuple of topic-neutral words.
    """

    hashtags: dict[str, tuple[tuple[str, ...], ...]]
    keywords: dict[str, tuple[tuple[str, ...], ...]]
    fillers: dict[str, tuple[str, ...]]

    @classmethod
    def default(cls) -> "Vocabulary":
        """Build the built-in twelve-topic, five-language vocabulary."""
        hashtags: dict[str, list[tuple[str, ...]]] = {lang: [] for lang in LANGUAGES}
        keywords: dict[str, list[tuple[str, ...]]] = {lang: [] for lang in LANGUAGES}
        for topic in TOPICS:
            for lang in LANGUAGES:
                tag_text, word_text = _VOCABULARY_SOURCE[topic][lang].split("|")
                hashtags[lang].append(_split(tag_text))
                keywords[lang].append(_split(word_text))
        fillers = {lang: _split(_FILLERS[lang]) for lang in LANGUAGES}
        return cls(
            hashtags={lang: tuple(v) for lang, v in hashtags.items()},
            keywords={lang: tuple(v) for lang, v in keywords.items()},
            fillers=fillers,
        )


Composed = tuple
"""`(text, tags, mentions)` returned by `TextComposer.compose`.

`tags` holds `(tag, char_start, char_end)` per hashtag, the span covering the leading
'#' (and the closing '#' in Weibo style); `mentions` holds `(account, char_start,
char_end)` per mention, the span covering the whole token (e.g. '@alice').
"""


def utf8_length(text: str) -> int:
    """Return the UTF-8 byte length of `text` (fast path for ASCII)."""
    return len(text) if text.isascii() else len(text.encode("utf-8"))


def byte_offsets(text: str, start: int, end: int) -> tuple[int, int]:
    """Convert a char span of `text` into a UTF-8 byte span (Bluesky facets)."""
    if text.isascii():
        return start, end
    prefix = utf8_length(text[:start])
    return prefix, prefix + utf8_length(text[start:end])


class TextComposer:
    """Composes short posts from topic words and filler words.

    Sentences are assembled from a bank of short phrases drawn once per language and
    topic, which keeps composing cheap while texts stay varied.

    Args:
        rng: The shared random generator.
        vocabulary: Words to draw from.
        phrases_per_topic: Size of each phrase bank.
    """

    _LATIN_ENDINGS = (".", "!", "", "", "?", "!!")
    _CHINESE_ENDINGS = ("。", "！", "", "～", "。")

    def __init__(self, rng: random.Random, vocabulary: Vocabulary, phrases_per_topic: int = 200) -> None:
        self._random = rng.random
        self.vocabulary = vocabulary
        self._phrases: dict[str, list[tuple[tuple[str, ...], tuple[str, ...]]]] = {}
        for lang in LANGUAGES:
            banks = []
            for topic in range(len(TOPICS)):
                phrases = [self._phrase(lang, topic, keyword_first=i % 2 == 0) for i in range(phrases_per_topic)]
                openers = phrases[0::2] if lang == "zh" else [p[0].upper() + p[1:] for p in phrases[0::2]]
                banks.append((tuple(openers), tuple(phrases)))
            self._phrases[lang] = banks

    def _phrase(self, lang: str, topic: int, keyword_first: bool) -> str:
        """A 2-4 word phrase; `keyword_first` phrases always hold a topic keyword."""
        rnd = self._random
        keywords = self.vocabulary.keywords[lang][topic]
        fillers = self.vocabulary.fillers[lang]
        n_words = 2 + int(rnd() * 3)
        words = [
            keywords[int(rnd() * len(keywords))] if rnd() < 0.3 else fillers[int(rnd() * len(fillers))]
            for _ in range(n_words)
        ]
        if keyword_first:
            words[int(rnd() * n_words)] = keywords[int(rnd() * len(keywords))]
        return ("" if lang == "zh" else " ").join(words)

    def body(self, lang: str, topic: int, n_words: int) -> str:
        """Return a sentence of about `n_words` words about `topic` in `lang`.

        The sentence opens with a phrase holding a topic keyword, then adds phrases.
        """
        rnd = self._random
        openers, phrases = self._phrases[lang][topic]
        n_phrases = len(phrases)
        parts = [openers[int(rnd() * len(openers))]]
        for _ in range(n_words // 3):
            parts.append(phrases[int(rnd() * n_phrases)])
        if lang == "zh":
            parts.append(self._CHINESE_ENDINGS[int(rnd() * 5)])
            return "".join(parts)
        return " ".join(parts) + self._LATIN_ENDINGS[int(rnd() * 6)]

    def pick_hashtags(self, lang: str, topic: int, count: int) -> list[str]:
        """Return up to `count` distinct hashtags of `topic` (in `lang`, sometimes in English)."""
        rnd = self._random
        tags: list[str] = []
        for _ in range(count):
            options = self.vocabulary.hashtags[lang if rnd() < 0.8 else "en"][topic]
            tag = options[int(rnd() * len(options))]
            if tag not in tags:
                tags.append(tag)
        return tags

    def compose(
        self,
        body: str,
        lead: Sequence[tuple[Any, str]] = (),
        trail: Sequence[tuple[Any, str]] = (),
        tags: Sequence[str] = (),
        weibo_style: bool = False,
        url: str = "",
    ) -> Composed:
        """Assemble `lead` mentions, hashtags, `body`, `trail` mentions and a URL.

        Args:
            body: The main sentence.
            lead: `(account, token)` mentions placed before the body (reply prefix).
            trail: `(account, token)` mentions placed after the body.
            tags: Hashtags without '#'.
            weibo_style: Use Weibo's `#话题#` hashtags, placed before the body.
            url: Optional link appended at the end.

        Returns:
            `(text, tag spans, mention spans)` with char offsets (see `Composed`).
        """
        if not lead and not trail and not weibo_style:
            return self._compose_plain(body, tags, url)
        parts: list[str] = []
        mentions: list[tuple] = []
        tag_spans: list[tuple] = []
        position = 0
        for account, token in lead:
            mentions.append((account, position, position + len(token)))
            parts.append(token + " ")
            position += len(token) + 1
        if weibo_style:
            for tag in tags:
                token = f"#{tag}#"
                tag_spans.append((tag, position, position + len(token)))
                parts.append(token)
                position += len(token)
        parts.append(body)
        position += len(body)
        for account, token in trail:
            mentions.append((account, position + 1, position + 1 + len(token)))
            parts.append(" " + token)
            position += len(token) + 1
        if not weibo_style:
            for tag in tags:
                tag_spans.append((tag, position + 1, position + 2 + len(tag)))
                parts.append(" #" + tag)
                position += len(tag) + 2
        if url:
            parts.append(" " + url)
        return "".join(parts), tuple(tag_spans), tuple(mentions)

    @staticmethod
    def _compose_plain(body: str, tags: Sequence[str], url: str) -> Composed:
        """`compose` without mentions: body, hashtags, URL."""
        if not tags:
            return (body + " " + url if url else body), (), ()
        position = len(body)
        spans = []
        for tag in tags:
            spans.append((tag, position + 1, position + 2 + len(tag)))
            position += len(tag) + 2
        text = body + " #" + " #".join(tags)
        return (text + " " + url if url else text), tuple(spans), ()


# ---------------------------------------------------------------------------------
# Time
# ---------------------------------------------------------------------------------

_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_BEIJING_OFFSET = 8 * 3600


class Clock:
    """Formats epoch seconds in the timestamp styles of the exports, with caches.

    All methods take integer epoch seconds (UTC).
    """

    def __init__(self) -> None:
        self._clock_times = [f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}" for s in range(86400)]
        self._twitter_days: dict[int, tuple[str, str]] = {}
        self._weibo_days: dict[int, tuple[str, str]] = {}
        self._iso_days: dict[int, str] = {}
        self._iso_prefixes: dict[int, str] = {}
        self._millis = [f".{m:03d}Z" for m in range(1000)]

    @staticmethod
    def _day_parts(epoch_day: int, offset: str) -> tuple[str, str]:
        moment = datetime.fromtimestamp(epoch_day * 86400, tz=timezone.utc)
        prefix = f"{_WEEKDAYS[moment.weekday()]} {_MONTHS[moment.month - 1]} {moment.day:02d} "
        return prefix, f" {offset} {moment.year}"

    def twitter(self, ts: int) -> str:
        """Return e.g. 'Wed Oct 10 20:19:24 +0000 2018'."""
        day, second = divmod(ts, 86400)
        parts = self._twitter_days.get(day)
        if parts is None:
            parts = self._twitter_days[day] = self._day_parts(day, "+0000")
        return parts[0] + self._clock_times[second] + parts[1]

    def weibo(self, ts: int) -> str:
        """Return Beijing time, e.g. 'Tue May 31 17:46:55 +0800 2011'."""
        day, second = divmod(ts + _BEIJING_OFFSET, 86400)
        parts = self._weibo_days.get(day)
        if parts is None:
            parts = self._weibo_days[day] = self._day_parts(day, "+0800")
        return parts[0] + self._clock_times[second] + parts[1]

    def date(self, ts: int) -> str:
        """Return the UTC date, e.g. '2026-10-01'."""
        day = ts // 86400
        text = self._iso_days.get(day)
        if text is None:
            text = self._iso_days[day] = datetime.fromtimestamp(day * 86400, tz=timezone.utc).strftime("%Y-%m-%d")
        return text

    def iso_ms(self, ts: int, millis: int = 0) -> str:
        """Return e.g. '2026-10-01T12:00:00.000Z' (`millis` in 0..999)."""
        day, second = divmod(ts, 86400)
        prefix = self._iso_prefixes.get(day)
        if prefix is None:
            prefix = self._iso_prefixes[day] = self.date(ts) + "T"
        return prefix + self._clock_times[second] + self._millis[millis]

    def facebook(self, ts: int) -> str:
        """Return e.g. '2026-10-01T12:00:00+0000'."""
        return f"{self.date(ts)}T{self._clock_times[ts % 86400]}+0000"

    def sql(self, ts: int) -> str:
        """Return e.g. '2015-02-14 10:54:49'."""
        return f"{self.date(ts)} {self._clock_times[ts % 86400]}"


# ---------------------------------------------------------------------------------
# Ids
# ---------------------------------------------------------------------------------

_BASE36 = "0123456789abcdefghijklmnopqrstuvwxyz"
_SORTABLE_BASE32 = "234567abcdefghijklmnopqrstuvwxyz"
TID_PAIRS = [_SORTABLE_BASE32[i >> 5] + _SORTABLE_BASE32[i & 31] for i in range(1024)]
TWITTER_EPOCH_MS = 1288834974657


def base36(number: int) -> str:
    """Encode a non-negative integer in lowercase base 36 (Reddit ids)."""
    if number == 0:
        return "0"
    digits = []
    while number:
        number, rest = divmod(number, 36)
        digits.append(_BASE36[rest])
    return "".join(reversed(digits))


def tid(time_us: int, clock_id: int) -> str:
    """Return an AT-protocol TID (13 sortable base32 chars) for a microsecond time."""
    value = ((time_us << 10) | (clock_id & 1023)) & ((1 << 64) - 1)
    pairs = TID_PAIRS
    return (
        _SORTABLE_BASE32[value >> 60]
        + pairs[(value >> 50) & 1023] + pairs[(value >> 40) & 1023] + pairs[(value >> 30) & 1023]
        + pairs[(value >> 20) & 1023] + pairs[(value >> 10) & 1023] + pairs[value & 1023]
    )


def random_base32(rng: random.Random, n_bytes: int) -> str:
    """Return lowercase RFC 4648 base32 of `n_bytes` random bytes, without padding."""
    return base64.b32encode(rng.randbytes(n_bytes)).decode("ascii").lower().rstrip("=")


# ---------------------------------------------------------------------------------
# World model
# ---------------------------------------------------------------------------------


@dataclass(slots=True, eq=False)
class Account:
    """One account on one platform (or in the snap / research populations).

    Attributes:
        platform: twitter, bluesky, mastodon, reddit, facebook, weibo, snap or research.
        account_id: The id the truth files use (see the generator's docs per platform).
        handle: Screen name / username / Bluesky handle.
        display_name: Human-readable name.
        person_id: Owner (bots, snap and research accounts have their own persons).
        lang: Language code of the owner.
        tz: UTC offset of the owner, in hours.
        kind: 'genuine' or a bot kind.
        activity: Relative organic activity weight.
        silent_from: Day index from which the account produces nothing (inactive/quiet).
        numeric_id: Integer id for platforms with integer ids (twitter, weibo, snap, research).
        alt_id: Secondary id (Reddit 't2_' fullname).
        instance: Mastodon server of the account.
        is_page: Facebook page (pages publish posts; users comment and react).
        ring_id: Engagement ring of the account, if any.
        last_ts: Last time the account acted (-1 when never).
        last_post: Latest original post, kept only for accounts that amplifiers reshare
            (`is_patron`), so that old posts are not held in memory.
        is_patron: Whether an automated amplifier reshares this account.
        seen: Whether the account has already appeared (Bluesky identity events).
        cache: Serialized fragments cached by the exporters.
    """

    platform: str
    account_id: str
    handle: str
    display_name: str
    person_id: str
    lang: str
    tz: int
    tz_name: str = ""
    kind: str = "genuine"
    activity: float = 1.0
    topics: tuple[int, ...] = (0,)
    followers: int = 0
    following: int = 0
    statuses: int = 0
    favourites: int = 0
    listed: int = 0
    created_ts: int = 0
    description: str = ""
    location: str = ""
    verified: bool = False
    default_profile: bool = False
    default_profile_image: bool = False
    silent_from: int = NEVER
    numeric_id: int = 0
    alt_id: str = ""
    instance: str = ""
    is_page: bool = False
    ring_id: str = ""
    last_ts: int = -1
    last_post: Any = None
    is_patron: bool = False
    seen: bool = False
    cache: dict = field(default_factory=dict)

    @property
    def is_bot(self) -> bool:
        """Whether the account is a bot of any kind."""
        return self.kind in BOT_KINDS


@dataclass(slots=True, eq=False)
class Person:
    """A person (or a bot operator) owning one or more accounts.

    Attributes:
        person_id: Stable id, e.g. 'p000042'.
        lang: Language the person writes in.
        tz: UTC offset in hours.
        activity: Heavy-tailed activity weight.
        audience: Heavy-tailed audience size (followers on the main account).
        topics: Topic indexes the person posts about, favourite first.
        kind: 'genuine', a bot kind, 'snap' or 'research'.
        accounts: Owned accounts, main account first.
        leader_topic: Topic the person is a planted leader of, or -1.
        quiet_from: Day index from which the person is silent (planted 'went quiet').
        listed_in_identities: Whether identities.csv links the person's accounts.
    """

    person_id: str
    lang: str
    tz: int
    tz_name: str
    activity: float
    audience: int
    topics: tuple[int, ...]
    kind: str = "genuine"
    accounts: list[Account] = field(default_factory=list)
    leader_topic: int = -1
    quiet_from: int = NEVER
    listed_in_identities: bool = False


@dataclass(slots=True, eq=False)
class Bot:
    """Behaviour plan of one bot account.

    Attributes:
        account: The bot's account.
        kind: One of BOT_KINDS.
        active_days: Day index -> number of actions that day (bursts, ring rounds).
        schedule: Seconds of the UTC day at which an amplifier acts.
        period: An amplifier acts on days where `day % period == phase`.
        phase: See `period`.
        patrons: Accounts an amplifier reshares.
        spam_text: The fixed text a spam bot repeats.
        spam_tags: Hashtags a spam bot stuffs.
    """

    account: Account
    kind: str
    active_days: dict[int, int] = field(default_factory=dict)
    schedule: tuple[int, ...] = ()
    period: int = 1
    phase: int = 0
    patrons: list[Account] = field(default_factory=list)
    spam_text: str = ""
    spam_tags: tuple[str, ...] = ()


@dataclass(slots=True, eq=False)
class Ring:
    """A closed group of bot accounts that reshare and like each other.

    Attributes:
        ring_id: e.g. 'ring-01'.
        platform: Platform of all members.
        members: Member accounts (5 to 20).
        topic: Topic the ring pushes.
        rounds: Day index -> number of rounds (one member posts, all others engage).
    """

    ring_id: str
    platform: str
    members: list[Account]
    topic: int
    rounds: dict[int, int] = field(default_factory=dict)


@dataclass(slots=True, eq=False)
class Leader:
    """A planted topic leader: a person who posts steadily on one topic.

    Attributes:
        person: The leader.
        account: The account the leader posts from.
        topic: Topic index.
        posts_by_day: Day index -> number of topic posts that day.
    """

    person: Person
    account: Account
    topic: int
    posts_by_day: dict[int, int]


@dataclass(slots=True, eq=False)
class CascadePlan:
    """A planted reshare cascade several hops deep.

    Attributes:
        platform: twitter, bluesky, mastodon or weibo.
        day: Day index of the root post.
        second: Second of the UTC day of the root post.
        depth: Minimum depth (hops) the cascade reaches.
        topic: Topic of the root post.
    """

    platform: str
    day: int
    second: int
    depth: int
    topic: int


@dataclass(frozen=True)
class WorldSize:
    """Population sizes, growing with the requested number of events up to a cap.

    Attributes:
        persons: Persons owning accounts on the six platforms.
        snap_users: Size of the anonymised SNAP population.
        research_users: Size of the research CSV population.
    """

    persons: int
    snap_users: int
    research_users: int

    @classmethod
    def for_events(cls, n_events: int) -> "WorldSize":
        """Choose sizes for `n_events` (memory stays bounded for huge runs)."""
        return cls(
            persons=min(25_000, max(150, n_events // 60)),
            snap_users=min(20_000, max(80, n_events // 100)),
            research_users=min(5_000, max(60, n_events // 400)),
        )


@dataclass(slots=True, eq=False)
class World:
    """Everything that exists in the synthetic world.

    Attributes:
        days: Number of simulated days.
        start_ts: Epoch second of day 0, 00:00 UTC.
        persons: All persons, genuine first, then bots, snap and research persons.
        accounts: Accounts by platform (including 'snap' and 'research').
        bots: Bot plans (ring members included).
        rings: Engagement rings.
        leaders: Planted topic leaders.
        cascades: Planted cascades by day index.
    """

    days: int
    start_ts: int
    persons: list[Person] = field(default_factory=list)
    accounts: dict[str, list[Account]] = field(default_factory=dict)
    bots: list[Bot] = field(default_factory=list)
    rings: list[Ring] = field(default_factory=list)
    leaders: list[Leader] = field(default_factory=list)
    cascades: dict[int, list[CascadePlan]] = field(default_factory=dict)


class WeightedPicker:
    """Picks items with probability proportional to their weights (bisect on a cumsum).

    Args:
        items: Items to pick from.
        weights: Non-negative weights, one per item.
    """

    __slots__ = ("items", "cumulative", "total", "last")

    def __init__(self, items: Sequence[Any], weights: Sequence[float]) -> None:
        self.items = list(items)
        self.cumulative = list(accumulate(weights))
        self.total = self.cumulative[-1] if self.cumulative else 0.0
        self.last = len(self.items) - 1

    def __bool__(self) -> bool:
        return self.total > 0

    def pick(self, uniform: float) -> Any:
        """Return the item selected by `uniform`, a number in [0, 1) (None when empty)."""
        if self.last < 0:
            return None
        index = bisect_right(self.cumulative, uniform * self.total)
        return self.items[index if index <= self.last else self.last]


# ---------------------------------------------------------------------------------
# Building the world
# ---------------------------------------------------------------------------------


def _ascii(text: str) -> str:
    """Strip accents and non-alphanumerics: 'Léa Dubois' -> 'leadubois'."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return "".join(ch for ch in folded.lower() if ch.isalnum())


class _Namer:
    """Draws names, unique handles and ids."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.handles: dict[str, set[str]] = {}
        self.numbers: set[int] = set()
        self.strings: set[str] = set()

    def person_name(self, lang: str) -> tuple[str, str]:
        """Return (display name, ascii handle stem) for a person of `lang`."""
        rng = self.rng
        first = rng.choice(_split(_FIRST_NAMES[lang]))
        last = rng.choice(_split(_LAST_NAMES[lang]))
        if lang == "zh":
            if rng.random() < 0.6:
                return rng.choice(_ZH_ADJECTIVES) + rng.choice(_ZH_NOUNS), rng.choice(_PINYIN)
            return last + first, rng.choice(_PINYIN)
        style = rng.random()
        if style < 0.4:
            stem = _ascii(first) + _ascii(last)
        elif style < 0.7:
            stem = _ascii(first)[0] + _ascii(last)
        else:
            stem = _ascii(first) + "_" + _ascii(last)[:4]
        return f"{first} {last}", stem

    def unique_handle(self, platform: str, stem: str, max_length: int = 15) -> str:
        """Return a handle unique on `platform`, derived from `stem`."""
        taken = self.handles.setdefault(platform, set())
        handle = stem[:max_length]
        while handle in taken:
            suffix = str(self.rng.randint(1, 9999))
            handle = stem[: max_length - len(suffix)] + suffix
        taken.add(handle)
        return handle

    def unique_number(self, low: int, high: int) -> int:
        """Return an integer in [low, high) never returned before."""
        while True:
            number = self.rng.randrange(low, high)
            if number not in self.numbers:
                self.numbers.add(number)
                return number

    def unique_string(self, make: Any) -> str:
        """Call `make()` until it returns a string never returned before."""
        while True:
            text = make()
            if text not in self.strings:
                self.strings.add(text)
                return text


class WorldBuilder:
    """Draws a complete world for a run of `n_events` events over `days` days.

    Args:
        rng: The shared random generator.
        n_events: Requested number of events.
        days: Number of days simulated.
        start_ts: Epoch second of day 0.
    """

    def __init__(self, rng: random.Random, n_events: int, days: int, start_ts: int) -> None:
        self.rng = rng
        self.n_events = n_events
        self.days = days
        self.start_ts = start_ts
        self.size = WorldSize.for_events(n_events)
        self.namer = _Namer(rng)
        self.vocabulary = Vocabulary.default()
        self.world = World(days=days, start_ts=start_ts, accounts={p: [] for p in (*PLATFORMS, "snap", "research")})
        self._person_seq = 0

    # -- persons and accounts -----------------------------------------------------

    def build(self) -> World:
        """Build and return the world."""
        self._build_genuine_persons()
        self._ensure_platform_minimum()
        self._choose_facebook_pages()
        self._plant_leaders()
        self._plant_quiet_persons()
        self._plant_inactive_accounts()
        # The SNAP population exists before the bots, so that amplifiers there have genuine
        # patrons to amplify; ids are drawn once every SNAP account (bots too) exists.
        self._build_snap_population()
        self._build_bots()
        self._build_rings()
        self._number_snap_accounts()
        self._build_research_population()
        self._plan_cascades()
        return self.world

    def _next_person_id(self) -> str:
        self._person_seq += 1
        return f"p{self._person_seq:06d}"

    def _new_person(self, kind: str = "genuine", lang: str | None = None) -> Person:
        rng = self.rng
        lang = lang or rng.choices(LANGUAGES, LANGUAGE_WEIGHTS)[0]
        tz, tz_name = rng.choice(TIMEZONES_BY_LANGUAGE[lang])
        activity = min(300.0, rng.paretovariate(1.3))
        audience = int(min(5e6, 12 * rng.paretovariate(1.05) * activity ** 0.6))
        n_topics = rng.choice((1, 2, 2, 3))
        topics = tuple(rng.sample(range(len(TOPICS)), n_topics))
        person = Person(self._next_person_id(), lang, tz, tz_name, activity, audience, topics, kind=kind)
        self.world.persons.append(person)
        return person

    def _build_genuine_persons(self) -> None:
        rng = self.rng
        for _ in range(self.size.persons):
            person = self._new_person()
            n_accounts = rng.choices((1, 2, 3), (0.85, 0.12, 0.03))[0]
            for platform in self._draw_platforms(person.lang, n_accounts):
                self._add_account(person, platform)
            person.listed_in_identities = len(person.accounts) > 1 and rng.random() < 0.8

    def _draw_platforms(self, lang: str, count: int) -> list[str]:
        weights = list(PLATFORM_WEIGHTS_BY_LANGUAGE[lang])
        chosen: list[str] = []
        for _ in range(count):
            if not any(weights):
                break
            index = self.rng.choices(range(len(PLATFORMS)), weights)[0]
            chosen.append(PLATFORMS[index])
            weights[index] = 0.0
        return chosen

    def _ensure_platform_minimum(self, minimum: int = 14) -> None:
        """Give every platform at least `minimum` genuine accounts."""
        genuine = [p for p in self.world.persons if p.kind == "genuine"]
        for platform in PLATFORMS:
            candidates = [
                p for p in genuine
                if (p.lang == "zh") == (platform == "weibo") and all(a.platform != platform for a in p.accounts)
            ]
            while len(self.world.accounts[platform]) < minimum and candidates:
                person = candidates.pop(self.rng.randrange(len(candidates)))
                self._add_account(person, platform)
                person.listed_in_identities = len(person.accounts) > 1 and self.rng.random() < 0.8

    def _add_account(self, person: Person, platform: str, handle_stem: str | None = None) -> Account:
        rng = self.rng
        display, stem = self.namer.person_name(person.lang)
        stem = handle_stem or stem
        main = not person.accounts
        account = Account(
            platform=platform, account_id="", handle="", display_name=display, person_id=person.person_id,
            lang=person.lang, tz=person.tz, tz_name=person.tz_name, kind=person.kind,
            activity=person.activity * (1.0 if main else rng.uniform(0.2, 0.8)), topics=person.topics,
        )
        self._assign_ids(account, stem)
        self._assign_profile(account, person.audience if main else int(person.audience * rng.uniform(0.1, 0.6)))
        person.accounts.append(account)
        self.world.accounts[platform].append(account)
        return account

    def _assign_ids(self, account: Account, stem: str) -> None:
        rng, namer, platform = self.rng, self.namer, account.platform
        if platform in ("twitter", "research"):
            account.numeric_id = namer.unique_number(10 ** 6, 4 * 10 ** 9) if rng.random() < 0.6 else \
                namer.unique_number(7 * 10 ** 17, 1_800_000_000_000_000_000)
            account.handle = namer.unique_handle("twitter", stem, 15)
        elif platform == "weibo":
            account.numeric_id = namer.unique_number(1_000_000_000, 7_999_999_999)
            account.handle = namer.unique_handle("weibo", account.display_name, 20)
            account.display_name = account.handle
        elif platform == "snap":
            account.handle = stem
        elif platform == "bluesky":
            account.handle = namer.unique_handle("bluesky", stem, 18) + ".bsky.social"
            account.account_id = "did:plc:" + namer.unique_string(lambda: random_base32(rng, 15))
        elif platform == "mastodon":
            account.handle = namer.unique_handle("mastodon", stem, 20)
            account.numeric_id = namer.unique_number(1, 10 ** 17)
            account.instance = rng.choice(MASTODON_INSTANCES[account.lang])
        elif platform == "reddit":
            if rng.random() < 0.35:
                stem = f"{rng.choice(('Quiet', 'Happy', 'Lazy', 'Brave', 'Odd', 'Salty'))}_" \
                       f"{rng.choice(('Otter', 'Panda', 'Falcon', 'Turnip', 'Moose', 'Comet'))}_{rng.randint(10, 9999)}"
            account.handle = namer.unique_handle("reddit", stem, 20)
            account.alt_id = "t2_" + namer.unique_string(lambda: base36(rng.randrange(36 ** 7, 36 ** 8)))
        elif platform == "facebook":
            account.numeric_id = namer.unique_number(100_000_000_000_000, 100_099_999_999_999)
            account.handle = stem
        if not account.account_id:
            account.account_id = account.handle if platform == "reddit" else str(account.numeric_id)

    def _assign_profile(self, account: Account, audience: int) -> None:
        rng = self.rng
        account.followers = max(0, int(audience * rng.uniform(0.6, 1.3)))
        account.following = min(7500, int(rng.lognormvariate(5.2, 0.9)))
        account.statuses = int(account.activity * rng.uniform(150, 1500))
        account.favourites = int(account.statuses * rng.uniform(0.5, 4))
        account.listed = account.followers // rng.randint(60, 400)
        account.created_ts = self._created_ts(account.platform)
        account.verified = account.followers > 150_000 and rng.random() < 0.6
        account.default_profile = rng.random() < 0.08
        account.default_profile_image = rng.random() < 0.02
        account.location = rng.choice(_LOCATIONS[account.lang])
        account.description = self._bio(account) if rng.random() < 0.88 else ""

    def _created_ts(self, platform: str) -> int:
        earliest = {"bluesky": 1_682_900_000, "mastodon": 1_480_000_000, "weibo": 1_260_000_000}.get(platform, 1_230_000_000)
        return self.rng.randrange(earliest, self.start_ts - 30 * 86400)

    def _bio(self, account: Account) -> str:
        words = self.vocabulary.keywords[account.lang]
        first, second = account.topics[0], account.topics[-1]
        template = self.rng.choice(_BIOS[account.lang])
        return template.format(a=self.rng.choice(words[first]), b=self.rng.choice(words[second]))

    def _choose_facebook_pages(self, max_pages: int = 300) -> None:
        accounts = sorted(self.world.accounts["facebook"], key=lambda a: -a.followers)
        n_pages = max(3, min(max_pages, int(len(accounts) * 0.3)))
        for account in accounts[:n_pages]:
            account.is_page = True
            account.display_name = self._page_name(account)

    def _page_name(self, account: Account) -> str:
        topic_word = self.rng.choice(self.vocabulary.keywords[account.lang][account.topics[0]])
        return f"{account.display_name} · {topic_word}"

    # -- planted structures -------------------------------------------------------

    def _plant_leaders(self) -> None:
        rng = self.rng
        genuine = [p for p in self.world.persons if p.kind == "genuine"]
        by_audience = sorted(genuine, key=lambda p: -p.audience)
        pool = by_audience[: max(len(by_audience) * 2 // 5, 12 * 10)]
        rng.shuffle(pool)
        cap = max(3, min(10, 3 + self.size.persons // 1500))
        plans = [(topic, rng.randint(3, cap)) for topic in range(len(TOPICS))]
        total_leaders = sum(count for _, count in plans)
        posts_each = max(7, round(0.03 * self.n_events / total_leaders))
        for topic, count in plans:
            for _ in range(count):
                if not pool:
                    pool = [p for p in genuine if p.leader_topic < 0]
                    rng.shuffle(pool)
                person = pool.pop()
                self._make_leader(person, topic, posts_each)

    def _make_leader(self, person: Person, topic: int, n_posts: int) -> None:
        rng = self.rng
        person.leader_topic = topic
        person.topics = (topic,) + tuple(t for t in person.topics if t != topic)
        person.audience = int(person.audience * rng.uniform(3, 10)) + 500
        account = person.accounts[0]
        for owned in person.accounts:
            owned.topics = person.topics
            owned.followers = int(owned.followers * rng.uniform(3, 10)) + 300
        if account.platform == "facebook" and not account.is_page:
            account.is_page = True
            account.display_name = self._page_name(account)
        n_days = min(self.days, max(7, round(n_posts / rng.uniform(1.0, 2.5))))
        days = sorted(rng.sample(range(self.days), n_days))
        posts_by_day = {day: 1 for day in days}
        for _ in range(n_posts - n_days):
            day = days[rng.randrange(n_days)]
            posts_by_day[day] += 1
        self.world.leaders.append(Leader(person, account, topic, posts_by_day))

    def _plant_quiet_persons(self) -> None:
        rng = self.rng
        candidates = [p for p in self.world.persons if p.kind == "genuine" and p.leader_topic < 0]
        median = sorted(p.activity for p in candidates)[len(candidates) // 2]
        active = [p for p in candidates if p.activity >= median]
        for person in rng.sample(active, max(3, round(0.05 * len(candidates)))):
            person.quiet_from = max(1, self.days - rng.randint(30, 60))
            for account in person.accounts:
                account.activity *= 2.0
                account.silent_from = person.quiet_from

    def _plant_inactive_accounts(self) -> None:
        rng = self.rng
        candidates = [
            a for p in self.world.persons if p.kind == "genuine" and p.leader_topic < 0 and p.quiet_from == NEVER
            for a in p.accounts
        ]
        latest = max(2, self.days - 91)
        for account in rng.sample(candidates, max(3, round(0.08 * len(candidates)))):
            account.silent_from = rng.randint(min(10, latest - 1), latest)
            account.activity *= 2.0

    # -- bots ------------------------------------------------------------------------

    _BOT_PLATFORMS = {
        "fake_follower": ("twitter", "bluesky", "weibo"),
        "spam": ("twitter", "bluesky", "mastodon", "reddit", "weibo", "snap"),
        "automated_amplifier": ("twitter", "bluesky", "mastodon", "weibo", "snap"),
    }
    _BOT_SHARE = {"fake_follower": 0.015, "spam": 0.035, "automated_amplifier": 0.025, "engagement_ring": 0.035}

    def _genuine_count(self, platform: str) -> int:
        if platform == "snap":
            return self.size.snap_users
        return sum(1 for a in self.world.accounts[platform] if not a.is_bot)

    def _build_bots(self) -> None:
        self._leader_ids = {p.person_id for p in self.world.persons if p.leader_topic >= 0}
        for kind, platforms in self._BOT_PLATFORMS.items():
            counts = {p: max(1, round(0.03 * self._genuine_count(p))) for p in platforms}
            per_bot_events = self._BOT_SHARE[kind] * self.n_events / sum(counts.values())
            for platform, count in counts.items():
                for _ in range(count):
                    account = self._new_bot_account(kind, platform)
                    self.world.bots.append(self._plan_bot(account, kind, per_bot_events))

    def _new_bot_account(self, kind: str, platform: str) -> Account:
        rng = self.rng
        person = self._new_person(kind=kind, lang="zh" if platform == "weibo" else rng.choice(("en", "en", "fr", "fi", "no")))
        person.activity = 0.0
        stem = None
        if kind == "fake_follower":
            stem = _ascii(self.namer.person_name("en")[1])[:7] + str(rng.randint(10 ** 6, 10 ** 8))
        elif kind == "spam":
            stem = rng.choice(("deals", "crypto", "promo", "win", "free", "bestoffer", "gains")) + str(rng.randint(1, 9999))
        elif kind == "automated_amplifier":
            stem = rng.choice(("news", "daily", "feed", "update", "alerts", "digest")) + "_" + str(rng.randint(1, 9999))
        if platform == "snap":
            account = self._add_snap_account(person)
        else:
            account = self._add_account(person, platform, handle_stem=stem)
        self._bot_profile(account, kind)
        return account

    def _bot_profile(self, account: Account, kind: str) -> None:
        rng = self.rng
        account.kind = kind
        account.activity = 0.0
        account.created_ts = rng.randrange(self.start_ts - 400 * 86400, self.start_ts - 5 * 86400)
        account.verified = False
        if kind == "fake_follower":
            account.followers = rng.randint(0, 25)
            account.following = rng.randint(1500, 5000)
            account.statuses = rng.randint(0, 12)
            account.favourites = rng.randint(200, 3000)
            account.listed = 0
            account.default_profile = True
            account.default_profile_image = rng.random() < 0.7
            account.description = ""
            account.location = ""
        elif kind == "spam":
            account.followers = rng.randint(5, 400)
            account.following = rng.randint(200, 2000)
            account.statuses = rng.randint(5_000, 90_000)
            account.description = rng.choice(("Best deals every day 👉 follow for more", "DM for promo", "💰💰💰")
                                             if account.lang != "zh" else ("每日优惠，关注我", "私信领福利", "💰💰💰"))
        elif kind == "automated_amplifier":
            account.followers = rng.randint(20, 2_000)
            account.following = rng.randint(10, 300)
            account.statuses = rng.randint(20_000, 200_000)
            account.description = rng.choice(("Automated feed.", "Sharing the best posts, 24/7", "")
                                             if account.lang != "zh" else ("自动转发", "每日精选", ""))
        else:
            account.followers = rng.randint(100, 3_000)
            account.following = rng.randint(100, 3_000)
            account.statuses = rng.randint(1_000, 20_000)

    def _plan_bot(self, account: Account, kind: str, budget: float) -> Bot:
        bot = Bot(account=account, kind=kind)
        if kind == "spam":
            self._plan_spam(bot, budget)
        elif kind == "automated_amplifier":
            self._plan_amplifier(bot, budget)
        else:
            self._plan_fake_follower(bot, budget)
        return bot

    def _burst_days(self, n_bursts: int, size: int) -> dict[int, int]:
        n_bursts = max(1, min(self.days, n_bursts))
        return {day: size for day in self.rng.sample(range(self.days), n_bursts)}

    def _plan_spam(self, bot: Bot, budget: float) -> None:
        rng = self.rng
        size = rng.randint(6, 25)
        bot.active_days = self._burst_days(round(budget / size), size)
        code = random_base32(rng, 5)[:7]
        lang = bot.account.lang
        hook = {"en": "Free crypto giveaway!!! Claim now", "fr": "Cadeau gratuit !!! Cliquez vite",
                "fi": "Ilmainen arvonta!!! Klikkaa heti", "no": "Gratis premie!!! Klikk nå",
                "zh": "免费领取红包！！！点击链接"}[lang]
        bot.spam_text = f"{hook} 👉 https://bit.ly/{code}"
        all_tags = sorted({t for topic in self.vocabulary.hashtags[lang] for t in topic})
        bot.spam_tags = tuple(rng.sample(all_tags, rng.randint(6, 10)))

    def _plan_amplifier(self, bot: Bot, budget: float) -> None:
        rng = self.rng
        per_day = budget / self.days
        minute = rng.randrange(60) * 60
        if per_day >= 1:
            slots = min(24, max(1, round(per_day)))
            first = rng.randrange(24 // slots) if slots < 24 else 0
            step = 24 / slots
            bot.schedule = tuple(int(first + i * step) * 3600 + minute for i in range(slots))
        else:
            bot.schedule = (rng.randrange(6, 23) * 3600 + minute,)
            bot.period = max(1, min(self.days // 3, round(1 / max(per_day, 1e-9))))
            bot.phase = rng.randrange(bot.period)
        platform = bot.account.platform
        candidates = [a for a in self.world.accounts[platform]
                      if not a.is_bot and a.silent_from == NEVER and a.person_id not in self._leader_ids]
        bot.patrons = rng.sample(candidates, min(len(candidates), rng.randint(1, 3)))
        for patron in bot.patrons:
            patron.is_patron = True

    def _plan_fake_follower(self, bot: Bot, budget: float) -> None:
        rng = self.rng
        if bot.account.platform == "bluesky":
            size = rng.randint(30, 120)
            bot.active_days = self._burst_days(round(budget / size), size)
        else:
            bot.active_days = self._burst_days(rng.randint(1, 3), rng.randint(1, 3))

    def _build_rings(self) -> None:
        rng = self.rng
        total_accounts = sum(len(v) for v in self.world.accounts.values()) + self.size.snap_users
        n_rings = max(3, round(0.025 * total_accounts / 10))
        platforms = ("bluesky", "twitter", "weibo", "snap", "mastodon")
        sizes = [rng.randint(5, min(20, 6 + total_accounts // 400)) for _ in range(n_rings)]
        events_per_ring = self._BOT_SHARE["engagement_ring"] * self.n_events / n_rings
        for index, size in enumerate(sizes):
            platform = platforms[index % len(platforms)]
            ring = Ring(f"ring-{index + 1:02d}", platform, [], rng.randrange(len(TOPICS)))
            for _ in range(size):
                account = self._new_bot_account("engagement_ring", platform)
                account.ring_id = ring.ring_id
                account.topics = (ring.topic,)
                ring.members.append(account)
                self.world.bots.append(Bot(account=account, kind="engagement_ring"))
            per_round = 1 + (size - 1) * (2 if platform == "bluesky" else 1)
            n_rounds = max(2, round(events_per_ring / per_round))
            for _ in range(n_rounds):
                day = rng.randrange(self.days)
                ring.rounds[day] = ring.rounds.get(day, 0) + 1
            self.world.rings.append(ring)

    # -- separate populations ----------------------------------------------------------

    def _add_snap_account(self, person: Person) -> Account:
        number = len(self.world.accounts["snap"]) + 1
        account = Account(
            platform="snap", account_id="", handle=f"u{number}", display_name=f"u{number}",
            person_id=person.person_id, lang=person.lang, tz=person.tz, tz_name=person.tz_name,
            kind=person.kind, activity=person.activity, topics=person.topics,
        )
        account.followers = person.audience
        person.accounts.append(account)
        self.world.accounts["snap"].append(account)
        return account

    def _build_snap_population(self) -> None:
        for _ in range(self.size.snap_users):
            self._add_snap_account(self._new_person(kind="snap"))

    def _number_snap_accounts(self) -> None:
        accounts = self.world.accounts["snap"]
        numbers = list(range(1, len(accounts) + 1))
        self.rng.shuffle(numbers)
        for account, number in zip(accounts, numbers):
            account.numeric_id = number
            account.account_id = str(number)

    def _build_research_population(self) -> None:
        rng = self.rng
        for _ in range(self.size.research_users):
            fake = rng.random() < 0.3
            person = self._new_person(kind="fake_follower" if fake else "research", lang=rng.choice(("en", "en", "fr", "fi", "no")))
            account = self._add_account(person, "research")
            if fake:
                self._bot_profile(account, "fake_follower")
                account.activity = 0.15
                self.world.bots.append(Bot(account=account, kind="fake_follower"))
            else:
                account.kind = "genuine"

    def _plan_cascades(self) -> None:
        rng = self.rng
        n_cascades = max(4, round(0.012 * self.n_events / 14))
        platforms = ("twitter", "bluesky", "weibo", "mastodon")
        for index in range(n_cascades):
            platform = platforms[index] if index < 4 else rng.choices(platforms, (0.4, 0.3, 0.15, 0.15))[0]
            plan = CascadePlan(
                platform=platform, day=rng.randrange(max(1, self.days - 2)),
                second=rng.randrange(6 * 3600, 20 * 3600), depth=rng.randint(3, 7),
                topic=rng.randrange(len(TOPICS)),
            )
            self.world.cascades.setdefault(plan.day, []).append(plan)


def build_world(rng: random.Random, n_events: int, days: int, start_ts: int) -> World:
    """Build the synthetic world.

    Args:
        rng: The shared random generator (consumed deterministically).
        n_events: Requested number of events (scales population and bot budgets).
        days: Number of simulated days.
        start_ts: Epoch second of day 0, 00:00 UTC.

    Returns:
        The world: persons, accounts by platform, bots, rings, leaders and cascades.
    """
    return WorldBuilder(rng, n_events, days, start_ts).build()


def audience_weight(account: Account) -> float:
    """Weight used when an account is picked as a target (preferential attachment)."""
    return (account.followers + 5) ** 0.75 * (0.05 if account.kind in ("fake_follower", "spam") else 1.0)


def sqrt_copies(followers: int, boost: int = 0) -> int:
    """How many pool slots a post gets: grows with the log of its author's audience."""
    return 1 + boost + min(6, int(math.log10(followers + 1)))

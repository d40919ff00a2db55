import datetime as dt

from pyspark.sql import functions as F

from transforms.text import epoch_seconds_timestamp, hashtags_in, iso_timestamp, strip_html, twitter_mentions_in, twitter_timestamp


def test_twitter_timestamps_are_converted_to_utc(spark):
    df = spark.createDataFrame(
        [("Wed Oct 10 20:19:24 +0000 2018",), ("Tue May 31 17:46:55 +0800 2011",), ("yesterday",), (None,)], "v string"
    )
    got = [r[0] for r in df.select(twitter_timestamp(F.col("v"))).collect()]
    assert got == [dt.datetime(2018, 10, 10, 20, 19, 24), dt.datetime(2011, 5, 31, 9, 46, 55), None, None]


def test_iso_timestamps_accept_z_offsets_and_graph_api_style(spark):
    df = spark.createDataFrame(
        [("2026-10-01T12:00:00.000Z",), ("2026-10-01T14:00:00+02:00",), ("2026-10-01T12:00:00+0000",), ("not a time",)], "v string"
    )
    got = [r[0] for r in df.select(iso_timestamp(F.col("v"))).collect()]
    assert got == [dt.datetime(2026, 10, 1, 12), dt.datetime(2026, 10, 1, 12), dt.datetime(2026, 10, 1, 12), None]


def test_epoch_seconds_accept_ints_floats_and_strings(spark):
    df = spark.createDataFrame([("1341100972",), ("1341100972.0",), ("abc",), ("-5",)], "v string")
    got = [r[0] for r in df.select(epoch_seconds_timestamp(F.col("v"))).collect()]
    assert got == [dt.datetime(2012, 7, 1, 0, 2, 52), dt.datetime(2012, 7, 1, 0, 2, 52), None, None]


def test_hashtags_in_any_script_lowercased_and_distinct(spark):
    df = spark.createDataFrame([("Vive le #Football et #football! #jääkiekko &#39; a#b #人工智能",)], "v string")
    assert df.select(hashtags_in(F.col("v"))).first()[0] == ["football", "jääkiekko", "人工智能"]


def test_mentions_skip_email_addresses_and_overlong_handles(spark):
    df = spark.createDataFrame([("RT @Alice: hi @bob_2 mail me at x@example.com @waytoolonghandle_123 @bob_2",)], "v string")
    assert df.select(twitter_mentions_in(F.col("v"))).first()[0] == ["alice", "bob_2"]


def test_strip_html_keeps_text_and_decodes_entities(spark):
    html = '<p>&quot;Hi&quot; <span class="h-card"><a href="https://x/@bob">@<span>bob</span></a></span> &amp; you</p><p>next</p>'
    df = spark.createDataFrame([(html,)], "v string")
    assert df.select(strip_html(F.col("v"))).first()[0] == '"Hi" @bob & you next'

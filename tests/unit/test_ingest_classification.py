"""What the classification keeps of each record for the writes after it."""

from chispa import assert_df_equality

from transforms.ingest import with_raw_only_if_quarantined


def test_only_quarantined_records_keep_their_raw_text(spark):
    records = spark.createDataFrame(
        [("k1", '{"id": 1}', "accepted"), ("k2", '{"id": ', "quarantined"), ("k3", '{"id": 1}', "duplicate")],
        "record_key string, raw string, outcome string",
    )
    expected = spark.createDataFrame(
        [("k1", None, "accepted"), ("k2", '{"id": ', "quarantined"), ("k3", None, "duplicate")],
        "record_key string, raw string, outcome string",
    )
    assert_df_equality(with_raw_only_if_quarantined(records), expected, ignore_row_order=True)

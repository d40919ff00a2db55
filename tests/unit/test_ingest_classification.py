"""What the classification keeps of each record for the writes after it."""

from chispa import assert_df_equality

from transforms.ingest import record_keys, with_raw_only_if_quarantined


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


def test_a_run_records_the_keys_of_its_accepted_and_quarantined_records_not_its_duplicates(spark):
    records = spark.createDataFrame(
        [("k1", "twitter", "accepted", 1), ("k2", "reddit", "quarantined", 2), ("k3", "twitter", "duplicate", 3)],
        "record_key string, source string, outcome string, source_position long",
    )
    expected = spark.createDataFrame(
        [("k1", "twitter", "accepted", "run-1"), ("k2", "reddit", "quarantined", "run-1")],
        "record_key string, source string, outcome string, ingest_run_id string",
    )
    assert_df_equality(record_keys(records, "run-1"), expected, ignore_row_order=True, ignore_nullable=True)

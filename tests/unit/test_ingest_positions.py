"""Line numbers of raw files read by many tasks."""

import gzip

from jobs.common.ingest_io import read_csv_rows, read_lines


def test_a_file_read_in_many_splits_keeps_its_line_numbers(spark, tmp_path):
    plain = tmp_path / "big.jsonl"
    plain.write_text("".join(f'{{"line": {n}}}\n' if n % 7 else "\n" for n in range(1, 2001)), encoding="utf-8")
    packed = tmp_path / "small.jsonl.gz"
    with gzip.open(packed, "wt", encoding="utf-8") as out:
        out.write('{"line": 1}\n{"line": 2}\n')
    previous = spark.conf.get("spark.sql.files.maxPartitionBytes")
    spark.conf.set("spark.sql.files.maxPartitionBytes", "2048")
    try:
        lines = read_lines(spark, [str(plain), str(packed)])
        tasks = lines.rdd.getNumPartitions()
        rows = lines.select("source_file", "source_position", "raw").collect()
    finally:
        spark.conf.set("spark.sql.files.maxPartitionBytes", previous)
    assert tasks >= 10  # the 26 kB file is read by many tasks, not gathered into one
    big = sorted((r.source_position, r.raw) for r in rows if r.source_file.endswith("big.jsonl"))
    # Every 7th line is blank: not a record, but it still counts as a line.
    assert big == [(n, f'{{"line": {n}}}') for n in range(1, 2001) if n % 7]
    small = sorted((r.source_position, r.raw) for r in rows if r.source_file.endswith(".gz"))
    assert small == [(1, '{"line": 1}'), (2, '{"line": 2}')]


def test_csv_rows_are_numbered_from_the_line_after_the_header(spark, tmp_path):
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    first.write_text("id,text\n1,x\n2,y\n", encoding="utf-8")
    second.write_text("id,name\n7,z\n", encoding="utf-8")
    rows = read_csv_rows(spark, [str(first), str(second)]).collect()
    got = sorted((r.source_file.rsplit("/", 1)[-1], r.source_position, r.raw) for r in rows)
    assert got == [("a.csv", 2, '{"id":"1","text":"x"}'), ("a.csv", 3, '{"id":"2","text":"y"}'), ("b.csv", 2, '{"id":"7","name":"z"}')]

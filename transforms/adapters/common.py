"""Pieces shared by the platform adapters: JSON parsing with reasons, and the record shape."""

from __future__ import annotations

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F
from pyspark.sql.types import StringType, StructField, StructType

from transforms.schema import RECORD_SCHEMA, first_problem, no_accounts, no_events, quoted, record_key
from transforms.text import TIME_RANGE_TEXT, in_time_range

CORRUPT_FIELD = "_corrupt_record"
# Spark's JSON reader (Jackson) stops at this nesting depth and reads the record as corrupt.
MAX_JSON_DEPTH = 1000
# A run of MAX_JSON_DEPTH opening brackets, each optionally after a key: how the records nested
# too deep to read look (possessive quantifiers: no backtracking on long lines).
_TOO_DEEP = r'(?:[\[{]\s*+(?:"(?:[^"\\]++|\\.)*+"\s*+:\s*+)?+){%d}' % MAX_JSON_DEPTH
# A schema of no fields: reading a line with it checks only that the line is JSON.
_SYNTAX_ONLY = StructType([StructField(CORRUPT_FIELD, StringType())])


def with_corrupt_field(schema: StructType) -> StructType:
    """The schema plus the field Spark fills with the raw text of records it cannot fit."""
    return StructType([*schema.fields, StructField(CORRUPT_FIELD, StringType())])


def parse_json(raw: Column, schema: StructType) -> Column:
    """Parses JSON text into a struct, keeping the partial result of mismatched records.

    Leaves that may hold junk are typed as strings in the adapters' schemas: Spark then
    keeps any JSON value (an object where an id belongs becomes its JSON text), and the
    adapter says in words what is wrong with it.
    """
    return F.from_json(raw, with_corrupt_field(schema), {"columnNameOfCorruptRecord": CORRUPT_FIELD, "mode": "PERMISSIVE"})


def is_json(raw: Column) -> Column:
    """Whether a text starts with one JSON value (what follows it is checked apart).

    ``try_parse_json`` refuses objects with a key twice, which JSON allows (the last one
    wins, as in Spark's readers): those are read again without a schema, which checks
    the syntax only.
    """
    strict = {"allowSingleQuotes": "false", "allowNonNumericNumbers": "false"}  # what JSON itself allows, no more
    syntax_only = F.from_json(raw, _SYNTAX_ONLY, {"columnNameOfCorruptRecord": CORRUPT_FIELD, "mode": "PERMISSIVE", **strict})
    return F.try_parse_json(raw).isNotNull() | (F.ltrim(raw).startswith("{") & syntax_only[CORRUPT_FIELD].isNull())


def json_problem(raw: Column, parsed: Column, format_name: str) -> Column:
    """Why a line cannot be read as a ``format_name`` JSON object, or null if it can."""
    return first_problem(
        (raw.isNull() | (F.trim(raw) == ""), F.lit("record is empty")),
        (
            F.instr(raw, "\u0000") > 0,
            F.lit("line holds a NUL character (byte 0), which JSON allows only escaped as \\u0000: the file is binary or corrupted"),
        ),
        (
            ~is_json(raw),
            F.when(
                raw.rlike(_TOO_DEEP),
                F.lit(f"line nests objects or arrays more than {MAX_JSON_DEPTH:,} levels deep, deeper than the JSON reader goes: no export does that, the record is corrupted or hostile"),
            ).otherwise(F.lit("line is not valid JSON (truncated or corrupted record)")),
        ),
        # Spark's JSON readers stop after the first value and ignore what follows it.
        (
            F.coalesce(F.json_array_length(F.concat(F.lit("["), raw, F.lit("]"))), F.lit(0)) != 1,
            F.lit("line is not valid JSON: a record followed by trailing data (two records run together?)"),
        ),
        (~F.trim(raw).startswith("{"), F.lit(f"line is valid JSON but not an object; a {format_name} record is a JSON object")),
        (
            parsed[CORRUPT_FIELD].isNotNull(),
            F.lit(f"record does not match the {format_name} layout: a field holds the wrong kind of value (for example an object where a string or number belongs)"),
        ),
    )


def missing(field: Column, what: str) -> tuple[Column, Column]:
    """Check pair: the field is absent or empty."""
    return (field.isNull() | (F.trim(field) == ""), F.lit(f"{what} is missing"))


def not_scalar(field: Column, what: str) -> tuple[Column, Column]:
    """Check pair: an id field that holds an object or a list (kept as its JSON text)."""
    text = F.ltrim(field)
    return (
        F.coalesce(text.startswith("{") | text.startswith("["), F.lit(False)),
        F.concat(F.lit(f"{what} "), quoted(field), F.lit(" is an object or a list, not an id")),
    )


def not_matching(field: Column, pattern: str, what: str) -> tuple[Column, Column]:
    """Check pair: the field does not match a pattern."""
    return (~F.coalesce(field.rlike(pattern), F.lit(False)), F.concat(F.lit(f"{what} "), quoted(field), F.lit(" is not valid")))


def out_of_range_time(value: Column, parsed: Column, field_name: str) -> Column:
    """The reason for a time that parses but lies outside the accepted range."""
    return F.concat(
        F.lit(f"{field_name} "), quoted(value), F.lit(" is "), parsed.cast("string"),
        F.lit(f" UTC, outside the times Clout accepts ({TIME_RANGE_TEXT}): a clock or export error"),
    )


def bad_timestamp(value: Column, parsed: Column, field_name: str) -> tuple[Column, Column]:
    """Check pair: a timestamp field that is absent, not a timestamp, or out of range."""
    return (
        parsed.isNull() | ~in_time_range(parsed),
        F.when(value.isNull(), F.lit(f"{field_name} is missing"))
        .when(parsed.isNull(), F.concat(F.lit(f"{field_name} "), quoted(value), F.lit(" is not a timestamp")))
        .otherwise(out_of_range_time(value, parsed, field_name)),
    )


def runs_over_lines(field: Column, what: str) -> tuple[Column, Column]:
    """Check pair: a CSV value that is not free text but holds line breaks.

    A quote opened in a CSV row and never closed makes the reader take the lines after it
    as part of that value: the row is quarantined (the lines it swallowed are in its raw
    text), rather than mapped with a value that is several rows run together.
    """
    return (
        F.coalesce(F.instr(field, "\n") > 0, F.lit(False)),
        F.concat(
            F.lit(f"{what} holds "), (F.size(F.split(field, "\n")) - 1).cast("string"),
            F.lit(" line breaks: a quote opened in this row is not closed, so the lines after it were read into it; close the quote and ingest the file again"),
        ),
    )


def finish_records(
    df: DataFrame,
    *,
    record_path: Column,
    key: Column,
    problem: Column,
    events: Column,
    accounts: Column,
    identity: Column | None = None,
) -> DataFrame:
    """Selects the unified record columns; a record with a problem yields nothing else.

    Args:
        df: Rows with the bronze lineage columns ``source``, ``source_file``,
            ``source_position`` and ``raw``.
        record_path: Where inside the raw unit the record sits ("" for the whole unit).
        key: Stable identity of a good record (used to spot duplicates).
        problem: Why the record cannot be mapped, or null.
        events: Array of event structs.
        accounts: Array of account structs.
        identity: The identity link a record states (identities.csv only), or None.
    """
    has_problem = problem.isNotNull()
    return df.select(
        F.col("source"),
        F.col("source_file"),
        F.col("source_position"),
        record_path.alias("record_path"),
        F.col("raw"),
        F.when(has_problem, record_key(F.col("source"), F.col("raw"), record_path)).otherwise(key).alias("record_key"),
        problem.alias("problem"),
        F.when(has_problem, no_events()).otherwise(events).alias("events"),
        F.when(has_problem, no_accounts()).otherwise(accounts).alias("accounts"),
        (F.when(~has_problem, identity) if identity is not None else F.lit(None)).alias("identity"),
    ).select([F.col(f.name).cast(f.dataType) for f in RECORD_SCHEMA.fields])

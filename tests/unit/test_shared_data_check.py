"""The guard that makes tests on ../shared/data fail, not skip, under CI."""

from tests.conftest import SHARED_FILES, missing_shared_files, when_shared_data_missing


def test_any_ci_value_fails_and_no_ci_skips():
    assert [when_shared_data_missing(value) for value in ("true", "1", "yes", "TRUE")] == ["fail"] * 4
    assert [when_shared_data_missing(value) for value in (None, "", "  ")] == ["skip"] * 3


def test_the_check_looks_for_each_file_not_only_the_folder(tmp_path):
    (tmp_path / "higgs-twitter").mkdir()
    (tmp_path / "cresci-2015").mkdir()
    (tmp_path / "cresci-2015" / "users.csv").write_text("id\n", encoding="utf-8")
    assert missing_shared_files(tmp_path) == [name for name in SHARED_FILES if name != "cresci-2015/users.csv"]
    for name in SHARED_FILES:
        (tmp_path / name).write_text("x", encoding="utf-8")
    assert missing_shared_files(tmp_path) == []

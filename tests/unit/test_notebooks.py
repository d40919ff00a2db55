"""The notebook runner reads Databricks source notebooks the way Databricks does."""

import pytest

from jobs.run_notebooks import Cell, default_notebooks, notebook_cells

NOTEBOOK = """# Databricks notebook source
# MAGIC %md
# MAGIC # Title
# MAGIC Some words.

# COMMAND ----------

x = 1

# COMMAND ----------

# MAGIC %md One line of text.

# COMMAND ----------

# a comment, then code
y = x + 1
"""


def test_cells_are_split_into_markdown_and_code():
    assert notebook_cells(NOTEBOOK) == [
        Cell(1, "markdown", "# Title\nSome words."),
        Cell(2, "code", "x = 1"),
        Cell(3, "markdown", "One line of text."),
        Cell(4, "code", "# a comment, then code\ny = x + 1"),
    ]


def test_a_magic_cell_other_than_markdown_is_refused_not_skipped():
    notebook = "# Databricks notebook source\n# MAGIC %sql\n# MAGIC SELECT 1\n"
    with pytest.raises(ValueError, match="cell 1 is a %sql cell"):
        notebook_cells(notebook)


def test_a_file_without_the_databricks_header_is_refused():
    with pytest.raises(ValueError, match="not a Databricks source notebook"):
        notebook_cells("x = 1\n")


def test_every_project_notebook_parses_and_keeps_text_out_of_code_cells():
    notebooks = default_notebooks()
    assert [n.name for n in notebooks][:2] == ["01_ingest_overview.py", "02_account_quality.py"]
    for notebook in notebooks:
        cells = notebook_cells(notebook.read_text(encoding="utf-8"))
        assert cells[0].kind == "markdown"
        # A "# MAGIC" line inside a code cell would be a comment on Databricks, not text.
        assert not any("# MAGIC" in cell.source for cell in cells if cell.kind == "code"), notebook


def test_data_marks_count_what_a_chart_draws_and_not_its_decoration():
    import os

    os.environ.setdefault("MPLBACKEND", "Agg")
    import matplotlib.pyplot as plt
    import numpy as np
    import pandas as pd

    from jobs.run_notebooks import data_marks

    figure, (bars, lines, scatter, image, empty) = plt.subplots(1, 5)
    bars.bar(["a", "b", "c", "d"], [0, 3, 2, float("nan")])  # zero and NaN bars draw nothing
    lines.plot([1, 2, 3], [1.0, 2.0, float("nan")])
    lines.plot(pd.Series([1.0, 2.0], index=pd.to_datetime(["2026-01-01", "2026-01-02"])) * float("nan"))  # pandas masks it
    lines.axvline(2)  # a reference line is not data
    scatter.scatter([1, 2, 3, 4], [4, 3, 2, 1])
    image.imshow(np.ones((3, 4)))
    empty.axvline(0)
    empty.text(0.5, 0.5, "no rows")
    empty.annotate("", xy=(1, 1), xytext=(0, 0), arrowprops={"arrowstyle": "->"})
    try:
        assert [data_marks(axes) for axes in figure.axes] == [2, 2, 4, 12, 0]
    finally:
        plt.close(figure)

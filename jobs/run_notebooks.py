"""Runs the Databricks-source notebooks locally against a warehouse and saves their figures.

``python -m jobs.run_notebooks --warehouse DIR [--out DIR] [--conf PROFILE] [NOTEBOOK ...]``
(``make notebooks``): builds one local SparkSession, registers the warehouse's tables by
name (as a Databricks metastore would have them), then runs each notebook's cells in order
with ``spark`` and ``display`` defined, as Databricks does. Every matplotlib figure a cell
leaves open is written to ``OUT/<notebook>/cellNN-K.png``, and ``OUT/figures.json`` lists,
for each figure, the data marks each of its plots draws (bars, line points, scatter points,
image cells), so an empty chart is found without looking at it. Exits non-zero, after
running them all, if any notebook failed.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

# spark-submit runs this file as a script: make the project importable when it does.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from jobs.common.cli import add_profile_arguments, profile_from  # noqa: E402
from jobs.common.config import PROJECT_ROOT  # noqa: E402

NOTEBOOK_HEADER = "# Databricks notebook source"
CELL_SEPARATOR = "# COMMAND ----------"
MAGIC = "# MAGIC"


@dataclass(frozen=True)
class Cell:
    """One notebook cell: Python code, or text (``%md``) that is only shown."""

    number: int
    kind: Literal["code", "markdown"]
    source: str


def notebook_cells(text: str) -> list[Cell]:
    """Splits a notebook in Databricks source format into its cells.

    Raises:
        ValueError: If the text is not a Databricks source notebook.
    """
    lines = text.splitlines()
    if not lines or lines[0].strip() != NOTEBOOK_HEADER:
        raise ValueError(f"not a Databricks source notebook (first line must be {NOTEBOOK_HEADER!r})")
    chunks: list[list[str]] = [[]]
    for line in lines[1:]:
        if line.strip() == CELL_SEPARATOR:
            chunks.append([])
        else:
            chunks[-1].append(line)
    cells = []
    for chunk in chunks:
        body = "\n".join(chunk).strip("\n")
        if not body.strip():
            continue
        magic = [line for line in chunk if line.strip()]
        if all(line.startswith(MAGIC) for line in magic):
            text_lines = [line[len(MAGIC):].removeprefix(" ") for line in magic]
            command = text_lines[0].split(maxsplit=1)[0] if text_lines[0].strip() else ""
            if command != "%md":
                # %sql, %pip, %run ... would be skipped silently: refuse them instead.
                raise ValueError(f"cell {len(cells) + 1} is a {command or 'magic'} cell; only Python and %md cells run outside Databricks")
            text_lines[0] = text_lines[0].removeprefix("%md").strip()
            cells.append(Cell(len(cells) + 1, "markdown", "\n".join(text_lines).strip()))
        else:
            cells.append(Cell(len(cells) + 1, "code", body))
    return cells


def _display(value: Any, *args: Any, **kwargs: Any) -> None:
    """Databricks' ``display``: a table for DataFrames, the value otherwise."""
    if hasattr(value, "show") and hasattr(value, "schema"):
        value.show(50, truncate=False)
    else:
        print(value)


@dataclass(frozen=True)
class Figure:
    """A saved figure and the data marks of each of its plots (colour bars left out)."""

    path: Path
    marks: tuple[int, ...]


def _finite(values: Any) -> int:
    """Values a plot draws: numbers that are neither NaN nor masked (pandas masks gaps)."""
    import numpy as np

    try:
        array = np.ma.masked_invalid(np.ma.asarray(values, dtype=float))
    except (TypeError, ValueError):  # categories, dates as objects: each one is drawn
        return len(values)
    return int(array.count())


def _drawn_size(patch: Any) -> bool:
    width, height = (getattr(patch, "get_width", None), getattr(patch, "get_height", None))
    return bool(width and height) and all(math.isfinite(v) and v != 0 for v in (width(), height()))


def data_marks(axes: Any) -> int:
    """Marks of data one matplotlib ``Axes`` draws: bars of non-zero size, points of data
    lines, scatter points and segments, image cells. Reference lines (``axvline``), text and
    annotations are not data, nor are NaN or masked values: a chart of an empty series
    counts 0."""
    marks = sum(_finite(line.get_ydata()) for line in axes.lines if line.get_transform() is axes.transData)
    marks += sum(1 for patch in axes.patches if _drawn_size(patch))
    for collection in axes.collections:
        segments = getattr(collection, "get_segments", None)
        if segments:
            marks += len(segments())
        else:
            offsets = collection.get_offsets()
            marks += _finite(offsets[:, 1]) if len(offsets) else 0
    marks += sum(int(image.get_array().count()) for image in axes.images)
    return int(marks)


def _save_open_figures(folder: Path, cell: Cell) -> list[Figure]:
    import matplotlib.pyplot as plt

    saved = []
    for index, number in enumerate(plt.get_fignums(), start=1):
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"cell{cell.number:02d}-{index}.png"
        figure = plt.figure(number)
        figure.savefig(path, dpi=100, bbox_inches="tight")
        saved.append(Figure(path, tuple(data_marks(axes) for axes in figure.axes if axes.get_label() != "<colorbar>")))
    plt.close("all")
    return saved


def run_notebook(path: Path, namespace: dict[str, Any], figures_dir: Path) -> list[Figure]:
    """Runs one notebook's code cells in ``namespace``; returns the figures written."""
    import matplotlib.pyplot as plt

    saved: list[Figure] = []
    try:
        for cell in notebook_cells(path.read_text(encoding="utf-8")):
            if cell.kind == "markdown":
                print(f"\n{cell.source}", flush=True)
                continue
            exec(compile(cell.source, f"{path.name}[cell {cell.number}]", "exec"), namespace)  # noqa: S102
            saved += _save_open_figures(figures_dir / path.stem, cell)
    finally:
        plt.close("all")  # a failed cell's figures must not land in the next notebook's
    return saved


def default_notebooks() -> list[Path]:
    """The project's notebooks, in their numbered order."""
    return sorted((PROJECT_ROOT / "notebooks").glob("[0-9][0-9]_*.py"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="jobs.run_notebooks", description="Run the notebooks locally and save their figures.")
    parser.add_argument("notebooks", nargs="*", type=Path, help="notebooks to run (default: all of notebooks/)")
    parser.add_argument("--warehouse", required=True, help="local warehouse directory the notebooks read")
    parser.add_argument("--out", default="notebook-figures", help="folder for the PNG figures")
    add_profile_arguments(parser)
    args = parser.parse_args(argv)

    os.environ.setdefault("MPLBACKEND", "Agg")  # no display: figures go to files
    try:
        import matplotlib  # noqa: F401
    except ModuleNotFoundError as missing:
        raise SystemExit("jobs.run_notebooks needs matplotlib: install the project with `make setup`") from missing
    from jobs.common.delta import Warehouse, register_local_tables
    from jobs.common.spark import build_spark

    config = profile_from(args)
    spark = build_spark(config, warehouse=args.warehouse, app_name="clout-notebooks")
    register_local_tables(spark, Warehouse(args.warehouse, config.database))

    failed = []
    drawn: dict[str, list[dict[str, Any]]] = {}
    for notebook in args.notebooks or default_notebooks():
        started = time.monotonic()
        print(f"[clout] notebook {notebook.name}: started", flush=True)
        try:
            figures = run_notebook(notebook, {"spark": spark, "display": _display, "__name__": "__main__"}, Path(args.out))
        except Exception:  # one broken notebook must not hide the others' results
            traceback.print_exc()
            failed.append(notebook.name)
            print(f"[clout] notebook {notebook.name}: FAILED", flush=True)
            continue
        drawn[notebook.stem] = [{"figure": figure.path.name, "marks": list(figure.marks)} for figure in figures]
        print(f"[clout] notebook {notebook.name}: done in {time.monotonic() - started:.1f}s, {len(figures)} figures", flush=True)
    spark.stop()
    Path(args.out).mkdir(parents=True, exist_ok=True)
    (Path(args.out) / "figures.json").write_text(json.dumps(drawn, indent=2) + "\n")
    if failed:
        print(f"[clout] failed notebooks: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

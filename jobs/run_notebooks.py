"""Runs the Databricks-source notebooks locally against a warehouse and saves their figures.

``python -m jobs.run_notebooks --warehouse DIR [--out DIR] [--conf PROFILE] [NOTEBOOK ...]``
(``make notebooks``): builds one local SparkSession, registers the warehouse's tables by
name (as a Databricks metastore would have them), then runs each notebook's cells in order
with ``spark`` and ``display`` defined, as Databricks does. Every matplotlib figure a cell
leaves open is written to ``OUT/<notebook>/cellNN-K.png``. Exits non-zero, after running
them all, if any notebook failed.
"""

from __future__ import annotations

import argparse
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


def _save_open_figures(folder: Path, cell: Cell) -> list[Path]:
    import matplotlib.pyplot as plt

    saved = []
    for index, number in enumerate(plt.get_fignums(), start=1):
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"cell{cell.number:02d}-{index}.png"
        plt.figure(number).savefig(path, dpi=100, bbox_inches="tight")
        saved.append(path)
    plt.close("all")
    return saved


def run_notebook(path: Path, namespace: dict[str, Any], figures_dir: Path) -> list[Path]:
    """Runs one notebook's code cells in ``namespace``; returns the PNG files written."""
    import matplotlib.pyplot as plt

    saved: list[Path] = []
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
        print(f"[clout] notebook {notebook.name}: done in {time.monotonic() - started:.1f}s, {len(figures)} figures", flush=True)
    spark.stop()
    if failed:
        print(f"[clout] failed notebooks: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

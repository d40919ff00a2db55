"""Prints the JVM jars of a profile, comma-separated, for ``spark-submit --jars``.

``python -m jobs.jars [--conf conf/local.toml] [--graphframes]``: the jars the session
builder caches (resolving them first, through one local Spark session, when the cache lacks
them). A cluster with no route to Maven Central gets them this way from a machine that has
one; with a route, ``spark-submit --packages`` does the same.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

# spark-submit runs this file as a script: make the project importable when it does.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from jobs.common.cli import add_profile_arguments, profile_from  # noqa: E402
from jobs.common.spark import resolve_and_cache_jars  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="jobs.jars", description="Print the cached JVM jars for spark-submit --jars.")
    add_profile_arguments(parser)
    parser.add_argument("--graphframes", action="store_true", help="also the GraphFrames artifacts")
    args = parser.parse_args(argv)
    print(",".join(resolve_and_cache_jars(profile_from(args), args.graphframes)))
    return 0


if __name__ == "__main__":
    sys.exit(main())

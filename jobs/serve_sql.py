"""SQL endpoint for BI tools: the Spark Thrift Server over the tables of a warehouse.

``python -m jobs.serve_sql --warehouse DIR [--host 127.0.0.1] [--port 10000]`` (``make
serve-sql``) starts a Spark session with a Hive catalog and the Delta extensions, registers
every Delta table of the warehouse in the profile's database (``clout``), and serves them
over the HiveServer2 protocol until it is stopped (Ctrl-C or SIGTERM). Clients connect to
``jdbc:hive2://HOST:PORT/clout``: the ``beeline`` that ships with pyspark, Tableau, Power
BI, Superset or Metabase (their Spark SQL / Hive connectors), or PyHive.

A cluster whose metastore already knows the tables runs pyspark's own
``start-thriftserver.sh`` instead (see the README).
"""

from __future__ import annotations

import argparse
import ipaddress
import signal
import sys
import threading
from pathlib import Path

# spark-submit runs this file as a script: make the project importable when it does.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from py4j.protocol import Py4JError  # noqa: E402
from pyspark.sql import SparkSession  # noqa: E402

from jobs.common.cli import add_profile_arguments, profile_from  # noqa: E402
from jobs.common.delta import Warehouse, register_local_tables  # noqa: E402
from jobs.common.spark import DependencyError, build_spark, jar_files  # noqa: E402

THRIFT_SERVER_CLASS = "org.apache.spark.sql.hive.thriftserver.HiveThriftServer2"


def hive_catalog_conf(metastore_name: str, host: str, port: int) -> dict[str, str]:
    """Spark settings for a Hive catalog whose metastore lives in memory, and for the
    HiveServer2 endpoint (read from the Hadoop configuration when it starts).

    The tables are registered anew from the warehouse at every start, so the metastore
    keeps nothing worth a file (and no ``metastore_db`` lock is left behind).
    """
    return {
        "spark.hadoop.hive.server2.thrift.bind.host": host,
        "spark.hadoop.hive.server2.thrift.port": str(port),
        "spark.sql.catalogImplementation": "hive",
        "spark.hadoop.javax.jdo.option.ConnectionURL": f"jdbc:derby:memory:{metastore_name};create=true",
        "spark.hadoop.datanucleus.schema.autoCreateAll": "true",
        "spark.hadoop.hive.metastore.schema.verification": "false",
    }


def delta_jars(jars: list[str]) -> list[str]:
    """The Delta jars among the resolved ones (Ivy names them ``io.delta_<artifact>``).

    The server's session threads load the Delta catalog through the JVM's own class path,
    which ``spark.jars`` does not reach, so these go on the driver class path too. Only
    these: Delta's transitive dependencies (an older Jackson among them) would shadow
    Spark's own there.
    """
    return [jar for jar in jars if Path(jar).name.startswith("io.delta_")]


def start_thrift_server(spark: SparkSession) -> None:
    """Starts the HiveServer2 endpoint on the session (returns once it listens)."""
    jvm = spark.sparkContext._jvm
    try:
        server = jvm.org.apache.spark.sql.hive.thriftserver.HiveThriftServer2
        server.startWithContext(spark._jsparkSession.sqlContext())
    except Exception as error:  # py4j raises a generic error when the class is missing
        raise DependencyError(
            f"{THRIFT_SERVER_CLASS} could not start: pyspark's jars/ must hold "
            "spark-hive-thriftserver (the PyPI pyspark ships it; reinstall with `make setup`). "
            f"Cause: {error}"
        ) from error


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="jobs.serve_sql", description="Serve the warehouse's tables over JDBC/ODBC.")
    parser.add_argument("--warehouse", required=True, help="local warehouse directory")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default: loopback only)")
    parser.add_argument("--port", type=int, default=10000, help="HiveServer2 port (default 10000)")
    parser.add_argument(
        "--allow-remote",
        action="store_true",
        help="listen on a --host other than loopback (the endpoint has no authentication: anyone who reaches it reads every table)",
    )
    add_profile_arguments(parser)
    args = parser.parse_args(argv)
    if not is_loopback(args.host) and not args.allow_remote:
        parser.error(
            f"--host {args.host} is not a loopback address and the endpoint has no authentication: "
            "pass --allow-remote to listen on it anyway"
        )
    return args


def is_loopback(host: str) -> bool:
    """Whether a host name or address only reaches this machine (``localhost``, 127.0.0.0/8, ``::1``)."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:  # a host name other than localhost may resolve anywhere
        return False


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    config = profile_from(args)
    if not is_loopback(args.host):
        print(
            f"[clout] WARNING: listening on {args.host}, beyond this machine, with no authentication: "
            "anyone who reaches the port reads every table",
            file=sys.stderr,
            flush=True,
        )
    driver_class_path = {"spark.driver.extraClassPath": ":".join(delta_jars(jar_files(config)))}
    spark = build_spark(
        config,
        warehouse=args.warehouse,
        app_name="clout-sql",
        extra_conf={**hive_catalog_conf(f"clout_{args.port}", args.host, args.port), **driver_class_path},
    )
    warehouse = Warehouse(args.warehouse, config.database)
    names = register_local_tables(spark, warehouse)
    start_thrift_server(spark)
    print(f"[clout] serving {len(names)} tables: {', '.join(names)}", flush=True)
    print(f"[clout] ready: jdbc:hive2://{args.host}:{args.port}/{config.database}", flush=True)

    stopped = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stopped.set())
    stopped.wait()
    print("[clout] stopping the SQL endpoint", flush=True)
    try:
        spark.stop()
    except Py4JError:  # Ctrl-C reaches the whole process group: the JVM may be gone already
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())

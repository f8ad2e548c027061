"""Spark sessions for feast_core: a local (or cluster) SparkContext, or a Spark Connect server.

``spark_conf`` is Feast's: the settings of the session feast_core starts. With ``spark.remote:
sc://host:port`` (or ``$SPARK_REMOTE``) feast_core opens a Spark Connect session on that server instead and
starts no JVM here. Without it, an active SparkSession of the process (a notebook's) is reused; otherwise
feast_core starts one with ``spark_conf`` on top of these defaults: ``spark.master: local[*]``, no console
progress bars, Spark's log quiet below ERROR.

Either way feast_core works in a session of its own (``newSession()`` on a classic context; a new server
session over Spark Connect) with its session time zone set to UTC, so a naive timestamp means UTC, as it does
in the other offline stores, and nothing feast_core sets or registers leaks into the user's session.

One process uses one kind: pyspark cannot mix a classic SparkContext and Spark Connect in one interpreter.
Errors from Spark become feast_core errors carrying Spark's one-line message (``spark_errors``), never a
JVM stack trace.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import shutil
import sys
import threading
import warnings
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlparse

from ..errors import ConfigError, DataSourceError, FeastError, StoreUnavailableError

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

LOG_CONFIG = Path(__file__).with_name("log4j2.properties")
REMOTE_KEY = "spark.remote"
DEFAULTS = {
    "spark.master": "local[*]",
    "spark.ui.showConsoleProgress": "false",
    "spark.sql.session.timeZone": "UTC",
}
SESSION_SETTINGS = {
    "spark.sql.session.timeZone": "UTC",
    # Arrow moves rows between Python and Spark (entity rows in, features out)
    "spark.sql.execution.arrow.pyspark.enabled": "true",
}
# Spark's optimizer evaluates projections and filters over a DataFrame made from local rows (an entity_df)
# row by row on the driver, interpreted: for 100,000 entity rows that is seconds of one core; excluded, the same
# projections run compiled inside the job that reads the rows anyway (the broadcast of the entity rows)
EXCLUDED_RULES = "spark.sql.optimizer.excludedRules"
OUR_EXCLUDED_RULES = ("org.apache.spark.sql.catalyst.optimizer.ConvertToLocalRelation",)
SHUFFLE_PARTITIONS = "spark.sql.shuffle.partitions"
SPARK_DEFAULT_SHUFFLE_PARTITIONS = "200"
LOOPBACK = ("localhost", "127.0.0.1", "::1", "")
# over Spark Connect, an unreachable server fails after this many retries (pyspark's default waits minutes)
CONNECT_RETRIES = 3

_lock = threading.Lock()


def _import_pyspark():
    # pyspark warns that it does not fully support pandas >= 3; feast_core moves rows to and from Spark as Arrow
    warnings.filterwarnings("ignore", message="PySpark does not yet fully support pandas", category=FutureWarning)
    # an unreachable Spark Connect server: feast_core raises StoreUnavailableError naming it instead
    warnings.filterwarnings("ignore", message=r"\[RETRIES_EXCEEDED\]", category=UserWarning)
    try:
        from pyspark.sql import SparkSession
    except ImportError as exc:
        raise ConfigError(
            f"Spark needs pyspark, which is not installed ({exc}): pip install 'feast-core[spark]'"
        ) from None
    _quiet_query_context_loggers()
    return SparkSession


def _quiet_query_context_loggers() -> None:
    """pyspark logs every failed query with its JVM stack trace to stderr before raising it; feast_core turns
    the error into one line of its own (spark_errors), so those loggers stay quiet unless a user lowered them."""
    from pyspark.logger import PySparkLogger

    for name in ("SQLQueryContextLogger", "DataFrameQueryContextLogger"):
        logger = PySparkLogger.getLogger(name)
        if logger.level >= logging.WARNING:  # pyspark's own default, WARNING
            logger.setLevel(logging.CRITICAL)


@dataclass
class SparkHandle:
    """feast_core's session, and where its executors run."""

    session: SparkSession
    remote: str | None  # the sc:// URL over Spark Connect, else None
    master: str  # the master of the Spark that runs the work (the server's, over Spark Connect)

    @property
    def executors_here(self) -> bool:
        """Whether Spark's executors run on this machine (a local master, here or on a loopback server):
        then they can reach what the driver reaches, such as a SQLite file."""
        if not self.master.startswith("local"):
            return False
        return self.remote is None or (urlparse(self.remote).hostname or "") in LOOPBACK

    def describe(self) -> str:
        return f"Spark Connect at {self.remote}" if self.remote else f"Spark ({self.master})"

    def close(self) -> None:
        """Release a Spark Connect session; a classic context stays up for the rest of the process."""
        if self.remote is not None:
            with contextlib.suppress(*spark_error_types()):  # the server may be gone: nothing to release then
                self.session.stop()


def open_spark(spark_conf: Mapping[str, str] | None) -> SparkHandle:
    """feast_core's own Spark session for these settings (see the module docstring)."""
    spark_session_class = _import_pyspark()
    conf = dict(spark_conf or {})
    remote = conf.pop(REMOTE_KEY, None) or os.environ.get("SPARK_REMOTE")
    with _lock:
        if remote:
            return _open_connect(spark_session_class, remote, conf)
        return _open_classic(spark_session_class, conf)


def _open_connect(spark_session_class, remote: str, conf: dict[str, str]) -> SparkHandle:
    if not remote.startswith("sc://"):
        raise ConfigError(f"spark.remote {remote!r} is not a Spark Connect URL (sc://host:port)")
    from pyspark.sql.connect.client.retries import DefaultPolicy

    with spark_errors(f"cannot open a Spark Connect session at {remote}", StoreUnavailableError):
        session = spark_session_class.builder.remote(remote).create()
    session.client.set_retry_policies([DefaultPolicy(max_retries=CONNECT_RETRIES, max_backoff=2000)])
    handle = SparkHandle(session, remote, "")
    with spark_errors(f"Spark Connect at {remote}", StoreUnavailableError):
        for key, value in {**SESSION_SETTINGS, **_session_level(conf)}.items():
            session.conf.set(key, value)
        handle.master = session.conf.get("spark.master", "") or ""
    return handle


def _open_classic(spark_session_class, conf: dict[str, str]) -> SparkHandle:
    base = spark_session_class.getActiveSession() or _default_session(spark_session_class)
    if base is None:
        _check_java()
        settings = {**DEFAULTS, **conf}
        java_options = settings.get("spark.driver.extraJavaOptions", "")
        if "log4j" not in java_options and "SPARK_CONF_DIR" not in os.environ:
            quiet = f"-Dlog4j2.configurationFile={LOG_CONFIG.as_uri()}"
            settings["spark.driver.extraJavaOptions"] = f"{java_options} {quiet}".strip()
        # Python workers (Arrow functions run by local executors) use this interpreter, which has feast_core
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
        builder = spark_session_class.builder
        for key, value in settings.items():
            builder = builder.config(key, value)
        with spark_errors("cannot start Spark", StoreUnavailableError):
            base = builder.getOrCreate()
    session = base.newSession()
    errors = spark_error_types()
    master = base.sparkContext.master
    local = _local_shuffle_partitions(master, conf, session)
    for key, value in {**SESSION_SETTINGS, **local, **_session_level(conf)}.items():
        with contextlib.suppress(*errors):  # a static setting applies to new contexts only
            session.conf.set(key, value)
    return SparkHandle(session, None, master)


def _local_shuffle_partitions(master: str, conf: Mapping[str, str], session) -> dict[str, str]:
    """On a local master, shuffles in as many partitions as twice its cores rather than Spark's default 200
    (meant for clusters: on one machine each shuffle would write and read 200 pieces per task), unless the
    settings or the user's session chose a number."""
    found = re.fullmatch(r"local\[(\d+|\*)(?:,\s*\d+)?\]|local", master)
    if found is None or SHUFFLE_PARTITIONS in conf:
        return {}
    if session.conf.get(SHUFFLE_PARTITIONS, SPARK_DEFAULT_SHUFFLE_PARTITIONS) != SPARK_DEFAULT_SHUFFLE_PARTITIONS:
        return {}
    cores = found.group(1) if found.lastindex else "1"
    count = (os.cpu_count() or 1) if cores == "*" else int(cores)
    return {SHUFFLE_PARTITIONS: str(max(2, 2 * count))}


def _default_session(spark_session_class):
    """The process's running default session (the active one is per thread), if any."""
    session = getattr(spark_session_class, "_instantiatedSession", None)
    if session is None or session.sparkContext._jsc is None:
        return None
    return session


def _session_level(conf: Mapping[str, str]) -> dict[str, str]:
    """The settings a session (rather than a whole Spark application) takes: Spark SQL's, with the optimizer
    rules feast_core excludes added to any the settings exclude."""
    settings = {k: v for k, v in conf.items() if k.startswith("spark.sql.") and k != "spark.sql.session.timeZone"}
    theirs = [rule.strip() for rule in settings.get(EXCLUDED_RULES, "").split(",") if rule.strip()]
    settings[EXCLUDED_RULES] = ",".join(dict.fromkeys([*theirs, *OUR_EXCLUDED_RULES]))
    return settings


def _check_java() -> None:
    java_home = os.environ.get("JAVA_HOME")
    if java_home and (Path(java_home) / "bin" / "java").exists():
        return
    if shutil.which("java") is None:
        raise ConfigError(
            "Spark needs Java 17 or newer, and no java was found: install it (Debian/Ubuntu: "
            "apt-get install openjdk-17-jre-headless) or set JAVA_HOME, or use a Spark Connect server "
            "(spark_conf: {spark.remote: sc://host:15002})"
        )


# ---- errors ------------------------------------------------------------------------------------


def _first_line(exc: BaseException) -> str:
    from pyspark.errors import PySparkException

    text = (exc.getMessage() if isinstance(exc, PySparkException) else "") or str(exc)
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[0] if lines else type(exc).__name__


def _python_error(text: str) -> str:
    """The last line of a Python traceback that ran inside Spark (an Arrow function on an executor)."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    tail = [line for line in lines if not line.startswith(("File ", "at ", "^", "~", "+-", "JVM stacktrace"))]
    for line in reversed(tail):
        if ": " in line and not line.startswith("org.apache.spark"):
            return line
    return lines[-1] if lines else "a Python function failed inside Spark"


def spark_message(exc: BaseException) -> str:
    """Spark's message for an error, in one line."""
    from pyspark.errors import PythonException

    if isinstance(exc, PythonException):
        return _python_error(str(exc))
    return _first_line(exc)


def spark_error_types() -> tuple[type[BaseException], ...]:
    """What pyspark raises: its own errors, Py4J's (classic), gRPC's (Spark Connect)."""
    from pyspark.errors import PySparkException

    types: list[type[BaseException]] = [PySparkException]
    with contextlib.suppress(ImportError):
        from py4j.protocol import Py4JError

        types.append(Py4JError)
    with contextlib.suppress(ImportError):
        import grpc

        types.append(grpc.RpcError)
    return tuple(types)


def _rpc_details(exc: BaseException) -> str:
    """gRPC's own words (``details``), from the error or the one pyspark wrapped."""
    for candidate in (exc, exc.__cause__, exc.__context__):
        details = getattr(candidate, "details", None)
        if callable(details):
            return str(details())
    found = re.search(r'details = "([^"]*)"', str(exc))
    return found.group(1) if found else _first_line(exc)


def is_unavailable(exc: BaseException) -> bool:
    """A Spark Connect server that cannot be reached (rather than a query that failed)."""
    text = str(exc)
    return "UNAVAILABLE" in text or "failed to connect to all addresses" in text or "Connection refused" in text


@contextlib.contextmanager
def spark_errors(what: str, error: type[FeastError] = DataSourceError) -> Iterator[None]:
    """Turn an error raised by Spark (or Py4J, or gRPC) into ``error(f"{what}: <Spark's message>")``."""
    try:
        yield
    except spark_error_types() as exc:
        if is_unavailable(exc):
            raise StoreUnavailableError(f"{what}: the Spark Connect server cannot be reached ({_rpc_details(exc)})") from None
        raise error(f"{what}: {spark_message(exc)}") from None


__all__ = ["SparkHandle", "open_spark", "spark_errors", "spark_message"]

"""Session-wide fixtures. ``postgres_server``: a throwaway PostgreSQL on loopback, with real password checks.

As root, initdb and pg_ctl refuse to run, so the server runs as the ``postgres`` user (runuser). It uses
scram-sha-256 authentication, so a wrong password is really refused. Tests skip only when the PostgreSQL
binaries are not installed (apt package ``postgresql``).
"""

from __future__ import annotations

import contextlib
import glob
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
if str(TESTS) not in sys.path:
    sys.path.insert(0, str(TESTS))  # tests/upstream_feast.py and other shared helpers


def _postgres_bin() -> Path | None:
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3]))
    if candidates:
        return Path(candidates[-1]).parent
    found = shutil.which("initdb")
    return Path(found).parent if found else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class PostgresServer:
    bin_dir: Path
    data_dir: Path
    socket_dir: Path
    host: str
    port: int
    user: str
    password: str

    def _as_owner(self, *args: str) -> list[str]:
        return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else list(args)

    def start(self) -> None:
        options = (
            f"-c listen_addresses={self.host} -p {self.port} -k {self.socket_dir} -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
        )
        subprocess.run(
            self._as_owner(str(self.bin_dir / "pg_ctl"), "-D", str(self.data_dir), "-l", str(self.socket_dir / "log"),
                           "-w", "-o", options, "start"),
            check=True, capture_output=True,
        )

    def stop(self) -> None:
        subprocess.run(
            self._as_owner(str(self.bin_dir / "pg_ctl"), "-D", str(self.data_dir), "-m", "fast", "-w", "stop"),
            check=True, capture_output=True,
        )

    def connect(self, dbname: str = "postgres", **kwargs):
        import psycopg

        return psycopg.connect(host=self.host, port=self.port, user=self.user, password=self.password,
                               dbname=dbname, **kwargs)


@dataclass
class PostgresDatabase:
    server: PostgresServer
    name: str

    @property
    def host(self) -> str:
        return self.server.host

    @property
    def port(self) -> int:
        return self.server.port

    @property
    def user(self) -> str:
        return self.server.user

    @property
    def password(self) -> str:
        return self.server.password

    def connect(self, **kwargs):
        return self.server.connect(self.name, **kwargs)

    def store_config(self) -> dict:
        """The keys of a postgres offline/online store block."""
        return {"host": self.host, "port": self.port, "database": self.name, "user": self.user,
                "password": self.password}


@pytest.fixture(scope="session")
def postgres_server():
    bin_dir = _postgres_bin()
    if bin_dir is None:
        pytest.skip("PostgreSQL binaries (initdb, pg_ctl) are not installed: apt-get install postgresql")
    root = Path(tempfile.mkdtemp(prefix="feast-core-pg-"))
    password = "pw-" + secrets.token_hex(8)
    (root / "pwfile").write_text(password + "\n")
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
        shutil.chown(root / "pwfile", "postgres", "postgres")
    server = PostgresServer(bin_dir, root / "data", root, "127.0.0.1", _free_port(), "postgres", password)
    subprocess.run(
        server._as_owner(str(bin_dir / "initdb"), "-D", str(server.data_dir), "-A", "scram-sha-256", "-U", "postgres",
                         f"--pwfile={root / 'pwfile'}", "--no-sync", "-E", "UTF8"),
        check=True, capture_output=True,
    )
    server.start()
    try:
        yield server
    finally:
        with contextlib.suppress(subprocess.CalledProcessError):  # already stopped by a test that failed mid-restart
            server.stop()
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def postgres_db(postgres_server: PostgresServer):
    """A fresh, empty database for one test, dropped afterwards."""
    name = "test_" + uuid.uuid4().hex[:12]
    with postgres_server.connect(autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield PostgresDatabase(postgres_server, name)
    import psycopg

    try:
        with postgres_server.connect(autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    except psycopg.OperationalError:
        pass  # the server is down after a failed restart test; the session teardown removes everything


@pytest.fixture(scope="session")
def upstream_feast():
    """Upstream Feast (0.67) in its own venv; see tests/upstream_feast.py. Skips only outside CI."""
    import upstream_feast as upstream

    if not upstream.available():
        message = f"upstream Feast is not installed in {upstream.VENV}: run scripts/bootstrap"
        if os.environ.get(upstream.REQUIRED_ENV):
            pytest.fail(message)
        pytest.skip(message)
    return upstream.UpstreamFeast()


@pytest.fixture(scope="session")
def otlp_receiver():
    """A loopback OTLP receiver (HTTP and gRPC) for the whole session; see tests/otlp_receiver.py."""
    from otlp_receiver import Receiver

    receiver = Receiver().start()
    yield receiver
    receiver.stop()


@pytest.fixture(scope="session")
def oidc_provider():
    """A loopback OIDC provider (discovery, JWKS, token endpoint); see tests/oidc_provider.py."""
    from oidc_provider import OidcProvider

    provider = OidcProvider()
    yield provider
    provider.close()


@pytest.fixture(scope="session")
def tls_files(tmp_path_factory):
    """A self-signed key and certificate for localhost / 127.0.0.1; see tests/tls_cert.py."""
    from tls_cert import self_signed

    return self_signed(tmp_path_factory.mktemp("tls"))


@pytest.fixture
def kube_api():
    """A loopback Kubernetes API double (TokenReview, RBAC lists); see tests/kube_api.py."""
    from kube_api import KubeApi

    api = KubeApi()
    yield api
    api.close()


@pytest.fixture(scope="session")
def spark_session():
    """One local SparkSession (local[2], 2 shuffle partitions, no UI) for the whole test session.

    feast_core's Spark offline store and engine reuse it (each in a session of its own over the same
    context). Skips only outside CI when pyspark or Java is missing.
    """
    import spark_support

    reason = spark_support.missing()
    if reason:
        if os.environ.get(spark_support.REQUIRED_ENV):
            pytest.fail(reason)
        pytest.skip(reason)
    from feast_core.spark.session import open_spark

    handle = open_spark(spark_support.LEAN_CONF)
    yield handle.session
    handle.session.sparkContext.stop()
    shutil.rmtree(spark_support.WAREHOUSE, ignore_errors=True)


@pytest.fixture(scope="session")
def spark_connect_server():
    """A Spark Connect server on loopback (a separate JVM, started from pyspark's own jars)."""
    import spark_support

    reason = spark_support.missing()
    if reason:
        if os.environ.get(spark_support.REQUIRED_ENV):
            pytest.fail(reason)
        pytest.skip(reason)
    server = spark_support.ConnectServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()

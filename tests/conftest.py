"""Real servers for the integration tiers: embedded by default, or from PHOENIX_* URLs."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import NoReturn
from uuid import uuid4

import pytest
from nats.js.errors import NotFoundError
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.collector.binary import find_otelcol
from adapters.embedded.prometheus_server import EmbeddedPrometheus, find_prometheus
from adapters.embedded.servers import Servers
from adapters.nats.bus import NatsBus
from adapters.nats.streams import stream_configs
from adapters.postgres.engine import create_database, create_engine, drop_database, with_database
from adapters.postgres.migrate import upgrade
from adapters.settings import Settings
from gateway.bootstrap import own_durables
from tests.kube import KubeServers, find_kube

TEMPLATE = "phoenix_test_template"


@pytest.fixture(scope="session")
def servers() -> Iterator[Servers]:
    """The session's servers, in a directory of their own: under pytest's base temp dir, the
    next pytest session on this machine would reset it to 0700 and lock PostgreSQL out.
    """
    data_dir = Path(tempfile.mkdtemp(prefix="phoenix-test-servers-"))
    started = Servers.start(Settings.from_env(data_dir=data_dir), protected_durables=own_durables())
    yield started
    started.stop()
    shutil.rmtree(data_dir, ignore_errors=True)


def nats_url_of(servers: Servers) -> str:
    """How a Phoenix under test reaches the session's NATS: the URL with Phoenix's credentials
    for the embedded server (as an operator configures an external NATS), or the given one.
    """
    embedded = servers.nats
    return embedded.url_as() if embedded is not None else servers.nats_url


@pytest.fixture(scope="session")
async def admin_engine(servers: Servers) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(servers.database_url, pool_size=2)
    await drop_database(engine, TEMPLATE)
    await create_database(engine, TEMPLATE)
    template = create_engine(with_database(servers.database_url, TEMPLATE), pool_size=1)
    await upgrade(template)
    await template.dispose()
    yield engine
    await drop_database(engine, TEMPLATE)
    await engine.dispose()


@pytest.fixture
async def database_url(servers: Servers, admin_engine: AsyncEngine) -> AsyncIterator[str]:
    """A fresh, migrated database for one test."""
    name = f"phoenix_test_{uuid4().hex[:12]}"
    await create_database(admin_engine, name, template=TEMPLATE)
    yield with_database(servers.database_url, name)
    await drop_database(admin_engine, name)


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(database_url, pool_size=20, max_overflow=20)
    yield engine
    await engine.dispose()


@pytest.fixture
async def bus(servers: Servers, database_url: str) -> AsyncIterator[NatsBus]:
    """A connected bus whose streams start empty for each test.

    It stands on the test's database so that it stops (and its consumers with it) before
    the database is dropped.
    """
    bus = NatsBus(servers.nats_url, security=servers.nats_security)
    await bus.broker.connect()
    for config in stream_configs():
        with contextlib.suppress(NotFoundError):
            await bus.js.delete_stream(config.name)
    await bus.start()
    yield bus
    await bus.stop()


def missing(message: str, required_by: str) -> NoReturn:
    """A real part that is not built here: the test skips saying how to build it, or fails
    where ``required_by`` (a PHOENIX_REQUIRE_* variable) is 1, as in CI.
    """
    if os.environ.get(required_by) == "1":
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="session")
def otelcol() -> Path:
    """The test collector (scripts/build-otelcol); skipped without it, unless CI requires it."""
    found = find_otelcol()
    if found is None:
        missing(
            "no test collector: run scripts/build-otelcol (it needs Go) or set PHOENIX_OTELCOL",
            "PHOENIX_REQUIRE_OTELCOL",
        )
    return found


@pytest.fixture(scope="session")
def kube(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KubeServers]:
    """A real kube-apiserver and etcd (scripts/build-kube); skipped without them, unless CI
    requires them (PHOENIX_REQUIRE_KUBE=1).
    """
    found = find_kube()
    if found is None:
        missing(
            "no kube-apiserver, kube-controller-manager and etcd: run scripts/build-kube (it "
            "needs Go) or set PHOENIX_KUBE_BIN to a directory holding all three",
            "PHOENIX_REQUIRE_KUBE",
        )
    servers = KubeServers(found, tmp_path_factory.mktemp("kube")).start()
    yield servers
    servers.stop()


@pytest.fixture(scope="session")
def helm() -> Path:
    """helm (scripts/build-helm), to render the chart; skipped without it, unless CI requires
    the Kubernetes tools (PHOENIX_REQUIRE_KUBE=1).
    """
    named = os.environ.get("PHOENIX_HELM")
    cache = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "phoenix" / "helm"
    found = Path(named) if named else cache / HELM / "bin" / "helm"
    if not found.is_file():
        missing(
            "no helm: run scripts/build-helm (it needs Go) or set PHOENIX_HELM",
            "PHOENIX_REQUIRE_KUBE",
        )
    return found


@pytest.fixture(scope="session")
def prometheus_binaries() -> Path:
    """The directory of prometheus and promtool (scripts/build-prometheus); skipped without
    them, unless CI requires them (PHOENIX_REQUIRE_PROMETHEUS=1).
    """
    found = find_prometheus()
    if found is None:
        missing(
            "no prometheus and promtool: run scripts/build-prometheus (it needs Go) or set "
            "PHOENIX_PROMETHEUS_BIN to a directory holding both",
            "PHOENIX_REQUIRE_PROMETHEUS",
        )
    return found


@pytest.fixture
def promtool(prometheus_binaries: Path) -> Path:
    return prometheus_binaries / "promtool"


@pytest.fixture
def prometheus(prometheus_binaries: Path, tmp_path: Path) -> Iterator[EmbeddedPrometheus]:
    """A real Prometheus of the test's own on loopback, receiving OTLP as Phoenix asks
    (every resource attribute a label, names as written); stopped by the test.
    """
    server = EmbeddedPrometheus(tmp_path / "prometheus", prometheus_binaries)
    server.start()
    yield server
    server.stop()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if any(tier in str(item.path) for tier in ("/integration/", "/e2e/", "/faults/")):
            item.add_marker(pytest.mark.integration)


HELM = "v3.22.0"  # scripts/build-helm
os.environ.setdefault("PHOENIX_LOG_LEVEL", "WARNING")


@pytest.fixture
def report(capsys: pytest.CaptureFixture[str]) -> Callable[[str], None]:
    """Print a figure into the test run's own output (fault counts, recovery times), past capture."""

    def say(line: str) -> None:
        with capsys.disabled():
            print(line)

    return say

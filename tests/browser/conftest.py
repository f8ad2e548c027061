"""Headless Chromium (Debian's, driven by Playwright) against the real UI server on a loopback port."""

from __future__ import annotations

import importlib.util
import socket
import threading
import time
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-quic", "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "ui"

if not CHROMIUM.exists():
    pytest.skip(
        f"{CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium) to run the browser tests",
        allow_module_level=True,
    )


def load_demo():
    spec = importlib.util.spec_from_file_location("ui_demo_registry", Path(__file__).with_name("demo_registry.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


demo = load_demo()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class UiServer:
    """uvicorn serving create_app(store) in a thread; stopped by setting should_exit."""

    def __init__(self, store, root_path: str = "", registry_ttl_sec: float = 0.2, **options) -> None:
        import uvicorn

        from feast_core.ui import create_app

        self.port = free_port()
        app = create_app(store, root_path=root_path, registry_ttl_sec=registry_ttl_sec, **options)
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> UiServer:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the UI server did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self.thread.join(10)


@pytest.fixture(scope="session")
def demo_repo(tmp_path_factory) -> Path:
    repo = tmp_path_factory.mktemp("ui_repo")
    demo.build(repo).close()
    return repo


@pytest.fixture(scope="session")
def ui(demo_repo):
    store = demo.open_store(demo_repo, "driver_ranking")
    with UiServer(store) as server:
        yield server
    store.close()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


class Page:
    """A browser page that records every failed request and script error, for assertions."""

    def __init__(self, page) -> None:
        self.page = page
        self.failures: list[str] = []
        self.console_errors: list[str] = []
        page.on("response", lambda r: r.status >= 400 and self.failures.append(f"{r.status} {r.url}"))
        # a request the browser itself aborts by navigating on (a favicon, say) is not a failure
        page.on("requestfailed", lambda r: "ERR_ABORTED" not in (r.failure or "")
                and self.failures.append(f"failed {r.url}: {r.failure}"))
        page.on("pageerror", lambda e: self.console_errors.append(str(e)))
        # what the page's Content-Security-Policy blocked (an inline script or style, a foreign asset)
        self.csp_violations: list[str] = []
        page.on("console", lambda m: "Content Security Policy" in m.text and self.csp_violations.append(m.text))

    def shot(self, name: str) -> Path:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path


@pytest.fixture(scope="session")
def demo_module():
    return demo


@pytest.fixture(scope="session")
def serve():
    """``with serve(store, root_path=...) as server:`` runs another UI server."""
    return UiServer


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1360, "height": 860})
    yield Page(context.new_page())
    context.close()

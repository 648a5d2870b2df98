"""pmdash as its users install it: the wheel, built from this checkout, in a throwaway venv.

From a folder outside the checkout: `pmdash --version`, `pmdash demo --out X`,
`pmdash sync --git X --db Y`, and `pmdash serve --db Y` serving a dashboard that renders in
headless Chromium. The dependencies come from the index, so an import that pyproject.toml
does not declare fails here. Building and installing take about a minute (pip's cache helps).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
import venv
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright
from test_browser import (
    CHROMIUM,
    CHROMIUM_FLAGS,
    ERRORS,
    STARTUP_LIMIT,
    free_port,
    wait_until_rendered,
)

REPO = Path(__file__).resolve().parents[1]
# The import names an installed pmdash adds to site-packages (pyproject.toml says why).
TOP_LEVEL = {"cli.py", "dashboard.py", "loaders", "queries", "figures", "pages"}


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(out), str(REPO)],
        check=True,
    )
    [built] = out.glob("pmdash-*.whl")
    return built


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The `bin/` folder of a fresh venv with only the wheel and its declared dependencies."""
    env_dir = tmp_path_factory.mktemp("venv")
    venv.create(env_dir, with_pip=True)
    bin_dir = env_dir / "bin"
    subprocess.run([str(bin_dir / "pip"), "install", "--quiet", str(wheel)], check=True)
    return bin_dir


def test_the_wheel_carries_the_app_and_its_files(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    assert {n.split("/")[0] for n in names if ".dist-info/" not in n} == TOP_LEVEL
    bundled = "loaders/_bundled/"
    expected = [
        "dashboard.py", "pages/overview.py", "pages/ui/navigation.py",
        f"{bundled}templates/postmortem.md", f"{bundled}.streamlit/config.toml",
    ]  # fmt: skip
    expected += [f"queries/{p.name}" for p in (REPO / "queries").glob("*.sql")]
    expected += [f"queries/templates/{p.name}" for p in (REPO / "queries" / "templates").iterdir()]
    expected += [f"{bundled}data/sample/{p.name}" for p in (REPO / "data" / "sample").iterdir()]
    assert sorted(set(expected) - set(names)) == []


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A working folder that is not the checkout, with no pmdash.toml and no PMDASH_* set."""
    assert REPO not in tmp_path.parents
    return tmp_path


def _run(bin_dir: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PMDASH_")}
    return subprocess.run(
        [str(bin_dir / "pmdash"), *args], cwd=cwd, env=env, capture_output=True, text=True
    )


def test_installed_pmdash_demo_sync_and_version(installed: Path, outside: Path) -> None:
    version = _run(installed, outside, "--version")
    assert (version.returncode, version.stdout) == (0, "pmdash 0.1.0\n")
    demo = _run(installed, outside, "demo", "--out", "corpus")
    written = len(list((outside / "corpus").iterdir()))
    # The generator writes the same files as the sample corpus the checkout carries.
    assert demo.returncode == 0 and written == len(list((REPO / "data" / "sample").iterdir()))
    synced = _run(installed, outside, "sync", "--git", "corpus", "--db", "store.duckdb")
    assert synced.returncode == 0, synced.stderr
    assert synced.stdout.startswith(f"corpus: partial ({written} seen")


@pytest.fixture
def served(installed: Path, outside: Path) -> Iterator[str]:
    assert _run(installed, outside, "demo", "--out", "corpus").returncode == 0
    assert _run(installed, outside, "sync", "--git", "corpus", "--db", "s.duckdb").returncode == 0
    port = free_port()
    log = (outside / "serve.log").open("w")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PMDASH_")}
    server = subprocess.Popen(
        [str(installed / "pmdash"), "serve", "--db", "s.duckdb", "--",
         f"--server.port={port}", "--server.address=127.0.0.1", "--server.headless=true"],
        cwd=outside, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP_LIMIT
        while True:
            try:
                urllib.request.urlopen(f"{base}/_stcore/health", timeout=2).close()
                break
            except OSError:
                assert server.poll() is None, (outside / "serve.log").read_text()
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.2)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


def test_installed_pmdash_serves_a_healthy_dashboard(served: str) -> None:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(served + "/overview")
        # The Overview draws its 4 charts from the store synced above (test_browser.py).
        wait_until_rendered(page, "Overview", 4)
        assert page.locator(ERRORS).count() == 0
        assert page.locator(".js-plotly-plot").count() == 4
        browser.close()

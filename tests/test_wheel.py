"""pmdash as its users install it: the wheel, built from this checkout, in a throwaway venv.

From a folder outside the checkout: `pmdash --version`, `pmdash demo --out X`,
`pmdash sync --git X --db Y`, and `pmdash serve --db Y` serving a dashboard that renders in
headless Chromium. The dependencies come from the index at the lowest versions pyproject.toml
allows (`>=X` installed as `==X`), so an undeclared import or a floor too low for what the code
calls fails here; the development venv tests the newest. Building and installing take about a
minute (pip's cache helps).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import tomllib
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
    floors = env_dir / "floors.txt"
    floors.write_text("".join(f"{name}=={version}\n" for name, version in lowest_versions()))
    subprocess.run(
        [str(bin_dir / "pip"), "install", "--quiet", "-c", str(floors), str(wheel)], check=True
    )
    return bin_dir


def lowest_versions() -> list[tuple[str, str]]:
    """(name, floor) of every `name>=floor` dependency in pyproject.toml."""
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    found = [re.match(r"([A-Za-z0-9_.-]+)\s*>=\s*([0-9.]+)", d) for d in project["dependencies"]]
    return [(m[1], m[2]) for m in found if m]


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
    floors = dict(lowest_versions())
    shown = subprocess.run(
        [str(installed / "python"), "-c", "import duckdb, streamlit as s; print(s.__version__, duckdb.__version__)"],
        capture_output=True, text=True, check=True,
    ).stdout.split()  # fmt: skip
    # The floors themselves are what runs below (1.55 and 1.3 are written 1.55.0 and 1.3.0).
    assert [v.removesuffix(".0") for v in shown] == [
        floors["streamlit"].removesuffix(".0"), floors["duckdb"].removesuffix(".0")
    ]  # fmt: skip
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

"""Shared fixtures: generated images and one tiny trained-and-exported run per session.

Training is the slow part (TensorFlow start-up plus a few steps), so one run
at 16 px is trained once and shared; tests that change it copy it first.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
# Keras writes ~/.keras/keras.json when first imported, which test modules do at collection, before any
# fixture moves HOME: give the whole session its own Keras home (fixtures still point each test at theirs).
os.environ.setdefault("KERAS_HOME", tempfile.mkdtemp(prefix="artgan-tests-keras-"))

TINY = ["--size", "16", "--width", "8", "--latent-dim", "16", "--batch-size", "8"]


# The user's real home, noted before any fixture replaces it (see test_isolation.py).
REAL_HOME = Path(os.path.expanduser("~")).resolve()


def _point_home_at(patch: pytest.MonkeyPatch, home: Path) -> None:
    patch.setenv("HOME", str(home))  # ~ itself: Keras's ~/.keras, expanduser, platformdirs' fallbacks
    patch.setenv("XDG_DATA_HOME", str(home / "data"))
    patch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    patch.setenv("XDG_CACHE_HOME", str(home / "cache"))  # prepared data sets
    patch.setenv("XDG_STATE_HOME", str(home / "state"))
    patch.setenv("KERAS_HOME", str(home / "keras"))
    patch.delenv("ARTGAN_CONFIG", raising=False)
    patch.delenv("ARTGAN_CACHE_DIR", raising=False)


@pytest.fixture(scope="session", autouse=True)
def isolated_session_home(tmp_path_factory):
    """Session-scoped fixtures (the trained run) start before any per-test fixture: isolate them too.

    Autouse session fixtures are set up before the other session fixtures."""
    with pytest.MonkeyPatch.context() as patch:
        home = tmp_path_factory.mktemp("session-home")
        _point_home_at(patch, home)
        yield home


@pytest.fixture(autouse=True)
def isolated_user_dirs(tmp_path_factory, monkeypatch):
    """Keep user models, history and feeds of each test out of the real home folder and of other tests."""
    _point_home_at(monkeypatch, tmp_path_factory.mktemp("xdg"))


@pytest.fixture
def cli():
    from artgan.generator_cli.app import app

    runner = CliRunner()

    def invoke(*args: str):
        return runner.invoke(app, [str(a) for a in args], catch_exceptions=False)

    return invoke


SMALL_RUN = ["--width", "8", "--latent-dim", "16", "--batch-size", "8", "--sample-every", "100", "--eval-every", "0"]


def train_small_run(root: Path, steps: int, *flags: str) -> tuple[Path, Path]:
    """(images, run): a 16 px fastgan run of a few steps on generated images in ``root``, as the CLI trains it."""
    from artgan.generator_cli.app import app

    data = make_images(root / "paintings")
    run = root / "x16"
    result = CliRunner().invoke(app, ["train", str(data), "--size", "16", *SMALL_RUN, *flags, "--steps", str(steps),
                                      "--out", str(run)])
    assert result.exit_code == 0, result.output
    return data, run


def make_images(folder: Path, count: int = 24, seed: int = 0, width: int = 40, height: int = 30) -> Path:
    from artgan.trainer.synthetic import write_landscapes

    write_landscapes(folder, count, seed=seed, width=width, height=height)
    return folder


@pytest.fixture
def image_dir(tmp_path) -> Path:
    return make_images(tmp_path / "paintings")


@pytest.fixture(scope="session")
def trained_run(tmp_path_factory) -> Path:
    """A 16 px run trained for 12 steps with checkpoints at 6 and 12."""
    pytest.importorskip("tensorflow")
    from artgan.generator_cli.app import app

    root = tmp_path_factory.mktemp("run")
    data = make_images(root / "paintings")
    run = root / "runs" / "tiny"
    result = CliRunner().invoke(
        app,
        ["train", str(data), *TINY, "--steps", "12", "--sample-every", "6", "--checkpoint-every", "6", "--out", str(run)],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    return run


@pytest.fixture(scope="session")
def exported(trained_run, tmp_path_factory):
    """(painter, critic) paths exported from the shared tiny run."""
    from artgan.trainer.export import export_run

    out = tmp_path_factory.mktemp("export") / "tiny.onnx"
    result = export_run(trained_run, out)
    return result


@pytest.fixture
def run_copy(trained_run, tmp_path) -> Path:
    target = tmp_path / "tiny"
    shutil.copytree(trained_run, target)
    return target


def landscapes_array(count: int, seed: int = 0, size: int = 32):
    """uint8 [count, size, size, 3] procedural landscapes, in memory."""
    import numpy as np
    from artgan.trainer.synthetic import landscape

    rng = np.random.default_rng(seed)
    return np.stack([landscape(rng, size, size) for _ in range(count)])


def browser_or_reason() -> tuple[str, str] | str:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    if not chromium or not driver:
        return "chromium and chromium-driver are not installed (apt-get install chromium chromium-driver)"
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (pip install '.[test]')"
    return chromium, driver


@pytest.fixture
def browser():
    found = browser_or_reason()
    if isinstance(found, str):
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI must check the pages in Chromium, but {found}")
        pytest.skip(found)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = found[0]
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1200,900"):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(executable_path=found[1]), options=options)  # no Selenium Manager download
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()


# What artgan (and Keras) could write under the real home: snapshotted at start, compared at the end.
WATCHED = (".cache/artgan", ".local/share/artgan", ".local/state/artgan", ".config/artgan", ".keras")


def home_snapshot(home: Path = REAL_HOME) -> dict[str, tuple[int, int]]:
    found: dict[str, tuple[int, int]] = {}
    for name in WATCHED:
        root = home / name
        if root.exists():
            for path in [root, *root.rglob("*")]:
                info = path.lstat()
                found[str(path)] = (info.st_mtime_ns, info.st_size)
    return found


HOME_AT_START = home_snapshot()


def pytest_sessionfinish(session, exitstatus):
    """Fail the run (on CI) when anything under the real home changed: a fixture or test escaped the isolation.

    Elsewhere it only warns: on a shared machine another process (a real `artgan train`) may write there."""
    now = home_snapshot()
    changed = sorted(set(now.items()) ^ set(HOME_AT_START.items()))
    if changed:
        names = sorted({path for path, _ in changed})
        print(f"\nThe real home folder {REAL_HOME} changed during the test run: {', '.join(names[:10])}")
        if os.environ.get("CI"):
            session.exitstatus = 1

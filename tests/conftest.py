"""Shared fixtures. `pytest --update-golden` rewrites golden images on purpose."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

REPO = Path(__file__).resolve().parent.parent
STORIES = REPO / "stories"
GOLDEN = Path(__file__).resolve().parent / "golden"

#: Debian's Chromium, driven by Playwright (which cannot download browsers here).
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def require_chromium() -> str:
    """Debian's Chromium, or a failure that says how to get it: a test never skips
    because a tool is missing (the README's test command installs it)."""
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"{CHROMIUM} is missing: run the README's test command (it installs Debian's "
            "chromium), or `apt-get install chromium`"
        )
    return CHROMIUM


settings.register_profile(
    "ci", max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "deep", max_examples=2000, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture(autouse=True)
def english_interface(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test starts in English whatever the machine's LANG (tests of the Vietnamese
    interface ask for it), and no language chosen by one test leaks into the next."""
    from outreach import i18n

    monkeypatch.setenv("LANG", "C.UTF-8")
    monkeypatch.setattr(i18n, "_current", None)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="Regenerate golden images and control files instead of comparing.",
    )


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


@pytest.fixture
def stories_copy(tmp_path: Path) -> Path:
    """A private copy of the sample stories, safe to edit."""
    dst = tmp_path / "stories"
    shutil.copytree(STORIES, dst)
    return dst


@pytest.fixture
def story_dir(tmp_path: Path) -> Path:
    """An empty stories root (with outreach.toml) holding one generated photo."""
    from PIL import Image

    root = tmp_path / "s"
    (root / "media").mkdir(parents=True)
    (root / "outreach.toml").write_text("")
    img = Image.new("RGB", (800, 1000))
    for y in range(1000):
        for x in range(0, 800, 100):
            img.paste((40 + y // 8, 90 + x // 10, 140), (x, y, x + 100, y + 1))
    img.save(root / "media" / "photo.jpg", quality=85)
    return root


def write_story(root: Path, name: str, text: str) -> Path:
    path = root / name
    path.write_text(text, encoding="utf-8")
    return path

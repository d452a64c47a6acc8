"""`outreach preview` in headless Chromium: gallery, overlay, live edits, broken YAML.

The server runs for real on a free loopback port over a private copy of the sample
stories; Chromium is Debian's, driven by Playwright. The page's own Content Security
Policy stays on, so an inline script or an external request would show up as an error.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import playwright.sync_api as playwright_api
import pytest
import yaml
from PIL import Image

from outreach.model.loader import discover_stories, load_story
from outreach.preview.server import make_preview
from tests.conftest import CHROMIUM, CHROMIUM_ARGS, require_chromium

expect = playwright_api.expect

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def browser():
    require_chromium()
    with playwright_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


def _loadable(stories: Path) -> list[tuple[Path, str, str]]:
    """(path, id, title) of every sample story that loads."""
    out = []
    for path, root in discover_stories([stories]):
        try:
            loaded = load_story(path, root)
        except Exception:  # noqa: BLE001
            continue
        out.append((path, loaded.id, loaded.story.title))
    return out


@pytest.fixture
def stories(stories_copy: Path) -> Path:
    """The sample stories; one is written if the samples are not there yet."""
    if not _loadable(stories_copy):
        photo = sorted((stories_copy / "media").glob("*.jpg"))[0].name
        (stories_copy / "outreach.toml").touch()
        (stories_copy / "engineer-sample.yaml").write_text(
            'kind: engineer\nlang: vi\ntitle: "Kỹ sư trẻ"\n'
            'hook: "Một ngày ở nhà máy"\n'
            f'person: {{name: "Trần B", role: "Kỹ sư", photo: media/{photo}}}\n'
            'quote: "Mỗi ngày là một bài học."\nbeats:\n  - text: "Bước một."\n'
            'cta: "Kể câu chuyện của bạn"\ncredits: "Ảnh: minh hoạ"\n',
            encoding="utf-8",
        )
    return stories_copy


@pytest.fixture
def server(stories: Path):
    preview = make_preview(stories, "127.0.0.1", 0)
    preview.start_background()
    yield preview
    preview.close()


@pytest.fixture
def one_story(stories: Path) -> Path:
    """The sample copy cut down to its first story on three platforms: quicker to draw."""
    keep, _, _ = _loadable(stories)[0]
    for path, _ in discover_stories([stories]):
        if path != keep:
            path.unlink()
    data = yaml.safe_load(keep.read_text(encoding="utf-8"))
    data["platforms"] = ["tiktok", "instagram-feed", "youtube-thumbnail"]
    keep.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return stories


@pytest.fixture
def small_server(one_story: Path):
    preview = make_preview(one_story, "127.0.0.1", 0)
    preview.start_background()
    yield preview
    preview.close()


def _page(browser, server):
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    pg = context.new_page()
    pg.set_default_timeout(30_000)
    problems: list[str] = []
    pg.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    pg.on("request", lambda r: None if r.url.startswith(server.url) else problems.append(r.url))
    pg.problems = problems  # type: ignore[attr-defined]
    return context, pg


@pytest.fixture
def page(browser, server):
    context, pg = _page(browser, server)
    yield pg
    context.close()


@pytest.fixture
def small_page(browser, small_server):
    context, pg = _page(browser, small_server)
    yield pg
    context.close()


def _story_to_edit(stories: Path) -> tuple[Path, str, str]:
    return _loadable(stories)[0]


def test_gallery_lists_every_sample_story(page, server, stories: Path) -> None:
    page.goto(server.url)
    expected = discover_stories([stories])
    assert expected
    for _path, story_id, title in _loadable(stories):
        link = page.locator(f'a[data-id="{story_id}"]')
        expect(link).to_have_count(1)
        expect(link).to_contain_text(title)
    assert page.locator(".gallery li").count() == len(expected)
    assert page.problems == []  # type: ignore[attr-defined]


def test_story_overlay_full_size_and_keyboard(
    small_page, small_server, one_story: Path, tmp_path: Path
) -> None:
    _, story_id, title = _story_to_edit(one_story)
    small_page.goto(small_server.url)
    small_page.locator(f'a[data-id="{story_id}"]').click()
    expect(small_page.locator("h1")).to_contain_text(title)
    small_page.wait_for_load_state("networkidle")
    first = small_page.locator("#main .card img").first
    assert first.evaluate("img => img.complete && img.naturalWidth > 0")

    plain = tmp_path / "story.png"
    small_page.screenshot(path=str(plain))
    expect(small_page.locator(".safe").first).to_be_hidden()
    small_page.locator("#overlay-toggle").check()
    expect(small_page.locator("body")).to_have_class(re.compile(r"\boverlay\b"))
    expect(small_page.locator(".safe").first).to_be_visible()
    expect(small_page.locator(".chrome").first).to_be_visible()
    shot = tmp_path / "story-overlay.png"
    small_page.screenshot(path=str(shot))
    assert shot.stat().st_size > 50_000
    with Image.open(shot) as im, Image.open(plain) as before:
        assert len(set(im.convert("RGB").resize((200, 130)).getdata())) > 2000
        # The overlay changed the cards' pixels.
        diff = sum(
            a != b
            for a, b in zip(im.convert("L").getdata(), before.convert("L").getdata(), strict=True)
        )
        assert diff > 10_000
    # The toggle is keyboard-driven too (S), and survives navigation.
    small_page.keyboard.press("s")
    expect(small_page.locator("body")).not_to_have_class(re.compile(r"\boverlay\b"))
    small_page.keyboard.press("s")
    small_page.reload()
    expect(small_page.locator("body")).to_have_class(re.compile(r"\boverlay\b"))

    # A card opens at full size in a dialog; Escape closes it and focus returns.
    card = small_page.locator("#main a.frame").first
    card.focus()
    assert card.evaluate("a => getComputedStyle(a).outlineStyle") == "solid"  # visible focus
    small_page.keyboard.press("Enter")
    dialog = small_page.locator("dialog#viewer")
    expect(dialog).to_be_visible()
    full = small_page.locator("#viewer-img")
    expect(full).to_have_attribute("src", re.compile(r"-100\.jpg$"))
    deadline = time.monotonic() + 20
    while full.evaluate("img => img.naturalWidth") == 0 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert full.evaluate("img => img.naturalWidth") >= 1080
    small_page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    assert small_page.evaluate("document.activeElement.classList.contains('frame')")
    assert small_page.problems == []  # type: ignore[attr-defined]


def _write_title(path: Path, title: str) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["title"] = title
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def test_live_edit_updates_the_page_without_reload(
    small_page, small_server, one_story: Path, capsys
) -> None:
    path, story_id, _ = _story_to_edit(one_story)
    small_page.goto(f"{small_server.url}story/{story_id}")
    small_page.wait_for_load_state("networkidle")
    small_page.evaluate("window.__sameDocument = 42")
    src_before = small_page.locator("#main .card img").first.get_attribute("src")
    start = time.perf_counter()
    _write_title(path, "Tiêu đề mới, sửa trực tiếp")
    expect(small_page.locator("h1")).to_contain_text("Tiêu đề mới, sửa trực tiếp", timeout=10_000)
    took = time.perf_counter() - start
    assert small_page.evaluate("window.__sameDocument") == 42  # updated in place, not reloaded
    assert small_page.locator("#main .card img").first.get_attribute("src") != src_before
    with capsys.disabled():
        print(f"\npreview: edit to page updated in {took * 1000:.0f} ms")
    assert took < 5


def test_broken_yaml_shows_error_then_recovers(small_page, small_server, one_story: Path) -> None:
    path, story_id, title = _story_to_edit(one_story)
    good = path.read_text(encoding="utf-8")
    small_page.goto(f"{small_server.url}story/{story_id}")
    small_page.wait_for_load_state("networkidle")
    path.write_text(good + "\nbeats: [oops\n", encoding="utf-8")
    panel = small_page.locator(".broken-panel")
    expect(panel).to_be_visible(timeout=10_000)
    expect(panel).to_contain_text(re.compile(rf"{re.escape(path.name)}:\d+:\d+: error: "))
    # The last good render stays available, collapsed under the error.
    last = small_page.locator("details.last-good")
    expect(last).to_have_count(1)
    last.locator("summary").click()
    expect(last.locator("img").first).to_be_visible()
    small_page.goto(small_server.url)
    expect(small_page.locator(f'a[data-id="{story_id}"] .badge.error')).to_be_visible()
    small_page.goto(f"{small_server.url}story/{story_id}")
    path.write_text(good, encoding="utf-8")
    expect(panel).to_have_count(0, timeout=10_000)
    expect(small_page.locator("h1")).to_contain_text(title)


def test_theme_edit_triggers_update(small_page, small_server, one_story: Path) -> None:
    path, story_id, _ = _story_to_edit(one_story)
    theme = yaml.safe_load(path.read_text(encoding="utf-8")).get("theme", "default")
    small_page.goto(f"{small_server.url}story/{story_id}")
    small_page.wait_for_load_state("networkidle")
    src_before = small_page.locator("#main .card img").first.get_attribute("src")
    folder = one_story / "themes" / theme
    folder.mkdir(parents=True)
    (folder / "theme.yaml").write_text(
        f'name: {theme}\nextends: {theme}\ncolors:\n  text: "#FFEEDD"\n  muted: "#EEDDCC"\n',
        encoding="utf-8",
    )
    expect(small_page.locator("#main .card img").first).not_to_have_attribute(
        "src", src_before or "", timeout=10_000
    )


def test_cards_drawn_after_the_page_get_their_marks(
    small_page, small_server, one_story: Path
) -> None:
    """With no time budget the page comes back at once; the cards follow as images."""
    _, story_id, _ = _story_to_edit(one_story)
    small_server.server.app.page_budget = 0.0
    small_page.goto(f"{small_server.url}story/{story_id}")
    expect(small_page.locator("#main figure.card").first).to_be_visible()
    expect(small_page.locator("#main figure[data-pending]")).to_have_count(0, timeout=60_000)
    assert small_page.locator("#main .card img").first.evaluate("img => img.naturalWidth") > 0
    assert small_page.problems == []  # type: ignore[attr-defined]

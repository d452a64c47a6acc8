"""index.html opened by double-click: real headless Chromium over file://, no server."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest

from tests.conftest import CHROMIUM, CHROMIUM_ARGS, require_chromium
from tests.test_pack import WEEK, make_stories, run_pack, story_text, write_story

pytestmark = pytest.mark.slow


def open_index(index: Path) -> dict:
    from playwright.sync_api import sync_playwright

    require_chromium()
    seen: dict = {"console": [], "page_errors": [], "requests": [], "failed": []}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": 390, "height": 844})
            context.grant_permissions(["clipboard-read", "clipboard-write"])
            page = context.new_page()
            page.on("console", lambda m: seen["console"].append((m.type, m.text)))
            page.on("pageerror", lambda e: seen["page_errors"].append(str(e)))
            page.on("request", lambda r: seen["requests"].append(r.url))
            page.on("requestfailed", lambda r: seen["failed"].append(r.url))
            page.goto(index.as_uri(), wait_until="load")
            # Scroll through so that lazy images load too.
            page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
            page.wait_for_timeout(300)
            # Cards sit in sideways-scrolling strips and load lazily: load them all.
            page.evaluate("document.querySelectorAll('img').forEach(i => { i.loading = 'eager'; })")
            page.wait_for_function("[...document.images].every(i => i.complete)")
            seen["entries"] = page.eval_on_selector_all(
                "article.entry", "els => els.map(e => [e.dataset.story, e.dataset.platform])"
            )
            seen["scroll_width"] = page.evaluate("document.documentElement.scrollWidth")
            seen["images"] = page.eval_on_selector_all(
                ".render img", "els => els.map(e => [e.getAttribute('src'), e.naturalWidth])"
            )
            seen["posts"] = page.eval_on_selector_all(
                "article.entry .caption pre", "els => els.length"
            )
            seen["warnings"] = page.eval_on_selector_all(
                "li.warning", "els => els.map(e => e.textContent)"
            )
            seen["errors"] = page.eval_on_selector_all(
                "li.error", "els => els.map(e => e.textContent)"
            )
            first = page.locator("article.entry").first
            seen["first"] = [
                first.get_attribute("data-story"),
                first.get_attribute("data-platform"),
            ]
            first.locator(".caption button.copy").click()
            page.wait_for_timeout(150)
            seen["copy_label"] = first.locator(".caption button.copy").inner_text()
            seen["clipboard"] = page.evaluate("navigator.clipboard.readText()")
        finally:
            browser.close()
    return seen


def test_index_opens_offline_with_one_entry_per_story_and_platform(
    story_dir: Path, tmp_path: Path
) -> None:
    ids = make_stories(story_dir, 2)
    # A warning: a photo card with no credits line.
    write_story(
        story_dir,
        "nocredit.yaml",
        story_text("Không ghi nguồn ảnh").replace('credits: "Ảnh: Lan"\n', ""),
    )
    out = tmp_path / "out"
    res = run_pack(story_dir, out)
    assert res.returncode == 0, res.stderr
    pack = out / WEEK

    # Open it from the unzipped pack, somewhere else, to prove every link is relative.
    unzipped = tmp_path / "unzipped"
    with zipfile.ZipFile(pack / f"{WEEK}.zip") as zf:
        zf.extractall(unzipped)
    shutil.rmtree(pack)
    seen = open_index(unzipped / "index.html")

    assert [m for m in seen["console"] if m[0] in ("error", "warning")] == []
    assert seen["page_errors"] == [] and seen["failed"] == []
    assert seen["requests"] and all(u.startswith("file://") for u in seen["requests"])
    assert all(u.startswith(unzipped.as_uri()) for u in seen["requests"])
    stories = sorted([*ids, "nocredit"])
    assert sorted(seen["entries"]) == sorted(
        [s, p] for s in stories for p in ("instagram-feed", "tiktok")
    )
    assert len(seen["images"]) == 3 * 2 * 4
    assert all(width > 0 for _, width in seen["images"])  # every image decoded: links resolve
    assert seen["posts"] == 3 * 2
    assert any(
        "cards show a photo but the story has no credits line" in w for w in seen["warnings"]
    )
    assert seen["errors"] == []
    assert seen["copy_label"] == "Copied"
    assert seen["scroll_width"] <= 390  # fits a phone
    story, platform = seen["first"]
    folder = unzipped / story / platform
    pasted = folder / "caption.txt" if (folder / "caption.txt").is_file() else folder / "post.txt"
    assert seen["clipboard"] == pasted.read_text(encoding="utf-8")

"""The contact sheet for the person who posts, in real headless Chromium at phone width.

A small pack is laid out on disk (real JPEGs, a caption.txt with awkward characters) and
its index.html rendered by `render_index`, so these tests do not wait for a render; the
end-to-end pack is opened in test_pack_index.py.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from PIL import Image

from outreach import i18n
from outreach.pack.contact_sheet import group_renders, render_index, story_views
from outreach.platforms import get_platform
from tests.conftest import CHROMIUM, CHROMIUM_ARGS, require_chromium

WEEK = "2026-W48"
SID = "agrilink"
#: What the poster pastes: a leading space, a blank line, quotes, </script>, emoji, CRLF-free.
CAPTION = (
    ' Nông sản Việt "sang" Nhật </script> & <b>\n\nĐọc thêm: hoinhap.vn 🌾\n#HoiNhap #ThanhNien\n'
)
ALT = "Ảnh bìa: Nông sản Việt sang Nhật.\nThẻ số liệu: 194 quốc gia."


def _entry(pack: Path, path: str, platform: str, output: str, **extra: Any) -> dict[str, Any]:
    data = (pack / path).read_bytes()
    return {
        "path": path,
        "story": SID,
        "platform": platform,
        "output": output,
        "bytes": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
        **extra,
    }


def _jpeg(path: Path, size: tuple[int, int], colour: tuple[int, int, int]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", size, colour).save(path, "JPEG")


def make_pack(pack: Path) -> SimpleNamespace:
    """Three vertical platforms with byte-identical cards and video, one feed platform."""
    entries: list[dict[str, Any]] = []
    vertical = ["tiktok", "instagram-reels", "facebook-reels"]
    for platform in [*vertical, "instagram-feed"]:
        folder = f"{SID}/{platform}"
        size = (108, 192) if platform in vertical else (108, 135)
        colour = (200, 60, 40) if platform in vertical else (40, 90, 200)
        for i, card in enumerate(("cover", "quote")):
            _jpeg(pack / folder / f"{card}.jpg", size, (colour[0], colour[1] + 40 * i, colour[2]))
            entries.append(
                _entry(
                    pack,
                    f"{folder}/{card}.jpg",
                    platform,
                    "card",
                    width=size[0] * 10,
                    height=size[1] * 10,
                    card=card,
                    alt=f"Ảnh {card}: Nông sản Việt sang Nhật",
                )
            )
        if platform in vertical:
            (pack / folder / "video.mp4").write_bytes(b"same video bytes")
            entries.append(_entry(pack, f"{folder}/video.mp4", platform, "video", duration=20.5))
        text = CAPTION if platform != "facebook-reels" else "Facebook: dài hơn, có liên kết\n"
        (pack / folder / "caption.txt").write_text(text, encoding="utf-8")
        entries.append(_entry(pack, f"{folder}/caption.txt", platform, "caption"))
        (pack / folder / "alt.txt").write_text(ALT, encoding="utf-8")
        entries.append(_entry(pack, f"{folder}/alt.txt", platform, "alt"))
        (pack / folder / "post.txt").write_text("== CAPTION ==\n" + text, encoding="utf-8")
        entries.append(_entry(pack, f"{folder}/post.txt", platform, "post"))
    status = SimpleNamespace(
        id=SID,
        path="stories/agrilink.yaml",
        title="Nông sản Việt sang Nhật",
        platforms=[*vertical, "instagram-feed"],
        entries=entries,
        warnings=[],
        errors=[],
    )
    return SimpleNamespace(week=WEEK, pack_dir=pack, stories={SID: status}, drafts=[])


def write_index(tmp_path: Path, lang: str) -> Path:
    pack = tmp_path / WEEK
    report = make_pack(pack)
    i18n.set_language(lang)
    (pack / "index.html").write_text(render_index(report), encoding="utf-8")
    return pack / "index.html"


def test_identical_renders_are_one_group_serving_each_platform(tmp_path: Path) -> None:
    report = make_pack(tmp_path / WEEK)
    [view] = story_views(report)
    assert view.title == "Nông sản Việt sang Nhật"
    assert [g.names for g in view.groups] == [
        ["tiktok", "instagram-reels", "facebook-reels"],
        ["instagram-feed"],
    ]
    reels = view.groups[0]
    assert [p.caption_text for p in reels.platforms] == [
        CAPTION,
        CAPTION,
        "Facebook: dài hơn, có liên kết\n",
    ]
    # The overlay keeps clear of every served platform's buttons.
    zone = reels.safe
    assert zone is not None
    for name in reels.names:
        p = get_platform(name)
        assert zone.top >= p.safe_top / p.height and zone.bottom >= p.safe_bottom / p.height
    # A platform that rendered nothing is never merged with another.
    empty = [SimpleNamespace(render_key=(), name=n) for n in ("a", "b")]
    assert len(group_renders(empty)) == 2  # type: ignore[arg-type]


def _open(index: Path, run: Any) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    require_chromium()
    seen: dict[str, Any] = {"console": [], "page_errors": []}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": 390, "height": 844})
            context.grant_permissions(["clipboard-read", "clipboard-write"])
            page = context.new_page()
            page.on("console", lambda m: seen["console"].append((m.type, m.text)))
            page.on("pageerror", lambda e: seen["page_errors"].append(str(e)))
            page.goto(index.as_uri(), wait_until="load")
            run(page, seen)
        finally:
            browser.close()
    return seen


@pytest.mark.slow
def test_phone_width_copy_alt_lightbox_filter_and_checklist_in_vietnamese(tmp_path: Path) -> None:
    index = write_index(tmp_path, "vi")

    def run(page: Any, seen: dict[str, Any]) -> None:
        seen["scroll_width"] = page.evaluate("document.documentElement.scrollWidth")
        seen["lang"] = page.evaluate("document.documentElement.lang")
        seen["h2"] = page.inner_text("section.story h2")
        seen["groups"] = page.eval_on_selector_all(
            ".render", "els => els.map(e => e.dataset.platforms)"
        )
        seen["images"] = page.eval_on_selector_all(".render img", "els => els.length")
        seen["downloads"] = page.eval_on_selector_all(
            "article.entry[data-platform=tiktok] details.files a[download]",
            "els => els.map(a => a.getAttribute('href'))",
        )
        copy = page.locator("article.entry[data-platform=tiktok] .caption button.copy")
        seen["copy_label"] = copy.inner_text()
        copy.click()
        page.wait_for_timeout(200)
        seen["clipboard"] = page.evaluate("navigator.clipboard.readText()")
        seen["copied_label"] = copy.inner_text()
        page.locator("article.entry[data-platform=facebook-reels] .caption button.copy").click()
        page.wait_for_timeout(200)
        seen["clipboard_fb"] = page.evaluate("navigator.clipboard.readText()")
        page.locator("article.entry[data-platform=tiktok] .alt button.copy").click()
        page.wait_for_timeout(200)
        seen["clipboard_alt"] = page.evaluate("navigator.clipboard.readText()")
        # Lightbox: full size, with the safe zone where the presets put it.
        page.locator(".render button.thumb").first.click()
        page.wait_for_timeout(300)
        seen["dialog_open"] = page.evaluate("document.getElementById('lightbox').open")
        seen["img"] = page.evaluate(
            "(() => { const i = document.getElementById('lb-img'); const r = i.getBoundingClientRect();"
            " const z = document.getElementById('lb-zone').getBoundingClientRect();"
            " return [i.naturalWidth, r.top, r.height, z.top, r.right <= innerWidth + 0.5]; })()"
        )
        seen["lb_scroll_width"] = page.evaluate("document.documentElement.scrollWidth")
        page.click("#lb-close")
        # The posted checklist survives a reload (localStorage).
        page.check("article.entry[data-platform=instagram-feed] input.posted")
        seen["count"] = page.inner_text("#posted-count")
        page.reload(wait_until="load")
        seen["checked_after_reload"] = page.eval_on_selector_all(
            "input.posted", "els => els.filter(e => e.checked).map(e => e.dataset.key)"
        )
        # The platform filter shows only that platform's post.
        page.select_option("#platform-filter", "instagram-feed")
        seen["visible"] = page.eval_on_selector_all(
            "article.entry",
            "els => els.filter(e => e.offsetParent !== null).map(e => e.dataset.platform)",
        )
        seen["scroll_width_end"] = page.evaluate("document.documentElement.scrollWidth")

    seen = _open(index, run)
    assert seen["console"] == [] and seen["page_errors"] == []
    assert seen["scroll_width"] <= 390 and seen["lb_scroll_width"] <= 390
    assert seen["scroll_width_end"] <= 390
    assert seen["lang"] == "vi"
    assert seen["h2"] == "Nông sản Việt sang Nhật"  # the title, not the id
    assert seen["groups"] == ["tiktok instagram-reels facebook-reels", "instagram-feed"]
    assert seen["images"] == 4  # the reels cards once, the feed cards once
    assert set(seen["downloads"]) == {
        f"{SID}/tiktok/{n}"
        for n in ("cover.jpg", "quote.jpg", "video.mp4", "caption.txt", "alt.txt", "post.txt")
    }
    assert seen["copy_label"] == "Sao chép" and seen["copied_label"] == "Đã chép"
    assert seen["clipboard"] == (index.parent / SID / "tiktok" / "caption.txt").read_text()
    assert seen["clipboard"] == CAPTION
    assert seen["clipboard_fb"] == "Facebook: dài hơn, có liên kết\n"
    assert seen["clipboard_alt"] == ALT
    natural, top, height, zone_top, inside = seen["img"]
    assert seen["dialog_open"] and natural == 108 and inside
    tiktok, reels = get_platform("tiktok"), get_platform("instagram-reels")
    share = max(p.safe_top / p.height for p in (tiktok, reels, get_platform("facebook-reels")))
    assert abs((zone_top - top) - share * height) <= 2.5  # the dashed line, 2 px wide
    assert seen["count"] == "đã đăng 1/4"
    assert seen["checked_after_reload"] == [f"{SID}/instagram-feed"]
    assert seen["visible"] == ["instagram-feed"]


@pytest.mark.slow
def test_the_sheet_speaks_english_under_an_english_lang(tmp_path: Path) -> None:
    index = write_index(tmp_path, "en")

    def run(page: Any, seen: dict[str, Any]) -> None:
        seen["labels"] = page.eval_on_selector_all(
            "button.copy", "els => [...new Set(els.map(e => e.textContent))]"
        )
        seen["title"] = page.title()

    seen = _open(index, run)
    assert seen["labels"] == ["Copy"]
    assert seen["title"] == f"Content pack {WEEK}"


def test_a_platform_folder_video_replaces_the_shared_encode(tmp_path: Path) -> None:
    report = make_pack(tmp_path / WEEK)
    status = report.stories[SID]
    shared = tmp_path / WEEK / SID / "_video" / "video.mp4"
    shared.parent.mkdir(parents=True)
    shared.write_bytes(b"same video bytes")
    for e in status.entries:
        if e["output"] == "video":
            e["output"], e["same_as"] = "platform-video", f"{SID}/_video/video.mp4"
    for platform in ("tiktok", "instagram-reels"):
        status.entries.append(_entry(tmp_path / WEEK, f"{SID}/_video/video.mp4", platform, "video"))
    [view] = story_views(report)
    tiktok = next(p for p in view.platforms if p.name == "tiktok")
    assert [v["path"] for v in tiktok.videos] == [f"{SID}/tiktok/video.mp4"]
    assert f"{SID}/_video/video.mp4" not in [f["path"] for f in tiktok.files]
    assert view.groups[0].names == ["tiktok", "instagram-reels", "facebook-reels"]

"""The preview for the person who approves and posts: captions, hashtags and alt text beside
each platform's cards, the pack's video (current after edits), Approve (the story file
keeps its comments and layout), downloading a card, and quiet tab closes."""

from __future__ import annotations

import difflib
import json
import os
import re
import time
import urllib.error
import urllib.request
from pathlib import Path

import playwright.sync_api as playwright_api
import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from outreach.preview.approve import ApproveError, approve_story, approved_text
from outreach.preview.server import TOKEN_HEADER, make_preview
from tests.conftest import CHROMIUM, CHROMIUM_ARGS, require_chromium

expect = playwright_api.expect

DRAFT = """\
# Một câu chuyện khởi nghiệp. Chạy `outreach check` sau mỗi lần sửa.
kind: startup                 # startup | engineer | student | explainer
lang: vi                      # vi | en
status: draft                 # draft | approved — the weekly pack takes only approved stories

title: "Nông sản Việt sang Nhật"
hook: 'Từ ruộng lúa đến siêu thị Tokyo'
person:
    name: "Nguyễn Thị Lan"    # four-space indentation, kept as written
    role: "Nhà sáng lập"
quote: "Chất lượng là tấm hộ chiếu."
beats:
  - text: "Lan về quê năm 2019."
    # media: media/photo.jpg
  - text: "Hai năm sau, lô hàng đầu tiên sang Nhật."
facts:
  - {value: "194", label: "quốc gia có quan hệ ngoại giao", source: "Bộ Ngoại giao"}
cta: "Bạn sẽ kể câu chuyện hội nhập nào?"
hashtags: [HoiNhap, ThanhNien]  # without '#'
platforms: [tiktok, instagram-feed]
credits: "Ảnh: minh hoạ"
"""


def _changed_lines(before: str, after: str) -> list[str]:
    return [
        line
        for line in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]


def test_approve_changes_only_the_status_line(tmp_path: Path) -> None:
    path = tmp_path / "story.yaml"
    path.write_text(DRAFT, encoding="utf-8")
    result = approve_story(path)
    after = path.read_text(encoding="utf-8")
    assert result.changed
    assert _changed_lines(DRAFT, after) == [
        "-status: draft                 # draft | approved — the weekly pack takes only approved stories",
        "+status: approved              # draft | approved — the weekly pack takes only approved stories",
    ]
    assert not approve_story(path).changed  # approving twice changes nothing
    assert path.read_text(encoding="utf-8") == after


def test_approve_adds_the_status_after_lang_and_keeps_crlf_and_bom(tmp_path: Path) -> None:
    text = DRAFT.replace(
        "status: draft                 # draft | approved — the weekly pack takes only approved stories\n",
        "",
    )
    path = tmp_path / "story.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8"))
    approve_story(path)
    raw = path.read_bytes()
    assert (
        raw.startswith(b"\xef\xbb\xbf")
        and b"\r\n" in raw
        and b"\n" not in raw.replace(b"\r\n", b"")
    )
    after = raw[3:].decode("utf-8").replace("\r\n", "\n")
    assert _changed_lines(text, after) == ["+status: approved"]
    assert after.splitlines()[3] == "status: approved"  # right after `lang:`


def test_approve_refuses_what_it_cannot_read_and_leaves_the_file(tmp_path: Path) -> None:
    path = tmp_path / "story.yaml"
    broken = 'kind: startup\ntitle: "unclosed\nhook: x\n'
    path.write_text(broken, encoding="utf-8")
    with pytest.raises(ApproveError):
        approve_story(path)
    assert path.read_text(encoding="utf-8") == broken


@given(
    indent=st.sampled_from([2, 4]),
    gap=st.integers(min_value=1, max_value=12),
    quoted=st.sampled_from(["draft", '"draft"', "'draft'"]),
    comment=st.sampled_from(["", "  # draft | approved", "    # note"]),
    blank=st.booleans(),
)
def test_approve_round_trip_keeps_every_other_line(
    indent: int, gap: int, quoted: str, comment: str, blank: bool
) -> None:
    pad = " " * indent
    text = (
        "# header comment\nkind: startup\nlang: vi\n"
        + ("\n" if blank else "")
        + f"status:{' ' * gap}{quoted}{comment}\n"
        + f'title: "Tiêu đề"\nperson:\n{pad}name: "A"  # who\n{pad}role: "B"\n'
        + "beats:\n- text: một\n- text: hai\nhashtags: [A, B]\n"
    )
    after = approved_text(text)
    changed = _changed_lines(text, after)
    assert (
        len(changed) == 2
        and changed[0].startswith("-status:")
        and changed[1].startswith("+status:")
    )
    assert yaml.safe_load(after) == {**yaml.safe_load(text), "status": "approved"}
    if comment:
        assert changed[1].endswith(comment.strip())


# --- in the browser ---------------------------------------------------------------------------


@pytest.fixture
def draft_project(tmp_path: Path) -> Path:
    stories = tmp_path / "stories"
    stories.mkdir()
    (stories / "outreach.toml").write_text("")
    (stories / "agrilink.yaml").write_text(DRAFT, encoding="utf-8")
    return stories


@pytest.mark.slow
def test_preview_shows_post_text_video_approve_and_download(
    draft_project: Path, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    require_chromium()
    story = draft_project / "agrilink.yaml"
    # A video the pack made (the pack's platform folder), older than nothing yet.
    video = tmp_path / "output" / "2026-W48" / "agrilink" / "tiktok" / "video.mp4"
    video.parent.mkdir(parents=True)
    video.write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 64)
    old = time.time() - 60
    os.utime(story, (old, old))
    preview = make_preview(draft_project, "127.0.0.1", 0)
    preview.start_background()
    try:
        with playwright_api.sync_playwright() as pw:
            browser = pw.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
            )
            context = browser.new_context(viewport={"width": 1366, "height": 900})
            context.grant_permissions(["clipboard-read", "clipboard-write"])
            page = context.new_page()
            page.set_default_timeout(30_000)
            errors: list[str] = []
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.goto(preview.url + "story/agrilink")
            page.wait_for_load_state("networkidle")

            # Caption, hashtags and alt text beside each platform's cards.
            for name in ("tiktok", "instagram-feed"):
                section = page.locator(f"section.platform:has(#pf-{name})")
                expect(section.locator("aside.post pre.caption")).to_contain_text("#HoiNhap")
                expect(section.locator("aside.post .tags")).to_have_text("#HoiNhap #ThanhNien")
                expect(section.locator("aside.post ol.alts li").first).to_contain_text("cover.jpg")
            tiktok = page.locator("section.platform:has(#pf-tiktok) aside.post")
            tiktok.locator("button.copy").first.click()
            page.wait_for_timeout(200)
            pasted = page.evaluate("navigator.clipboard.readText()")
            assert pasted == tiktok.locator("pre.caption").text_content()

            # The pack's video, with a version in its address so an update is never stale.
            src = page.locator("video.video").get_attribute("src")
            assert src and re.fullmatch(r"/video/agrilink/tiktok\.mp4\?v=\d+", src)
            expect(page.locator(".video-stale")).to_have_count(0)

            # Download a card: a link with a file name, serving the full-size JPEG.
            link = page.locator("section.platform:has(#pf-tiktok) a.download").first
            assert link.get_attribute("download") == "agrilink-tiktok-cover.jpg"
            with urllib.request.urlopen(preview.url.rstrip("/") + link.get_attribute("href")) as r:
                assert r.headers["Content-Type"] == "image/jpeg" and r.read(3) == b"\xff\xd8\xff"

            # Approve writes `status: approved` into the file; only the status line changes.
            page.locator("button.approve").click()
            expect(page.locator(".approval .badge.ok")).to_be_visible()
            after = story.read_text(encoding="utf-8")
            assert _changed_lines(DRAFT, after) == [
                "-status: draft                 # draft | approved — the weekly pack takes only approved stories",
                "+status: approved              # draft | approved — the weekly pack takes only approved stories",
            ]
            # The story changed after the video was made: the page says so.
            page.reload()
            page.wait_for_load_state("networkidle")
            expect(page.locator(".video-stale")).to_have_count(1)
            assert errors == []
            page.close()  # closing a tab prints nothing
            context.close()
            browser.close()
        time.sleep(0.5)
    finally:
        preview.close()
    captured = capfd.readouterr()
    assert "Traceback" not in captured.err and "Error" not in captured.err


def test_approve_needs_the_page_token(draft_project: Path) -> None:
    preview = make_preview(draft_project, "127.0.0.1", 0, watch=False)
    preview.start_background()
    story = draft_project / "agrilink.yaml"
    url = preview.url + "story/agrilink/approve"
    try:
        for headers in ({}, {TOKEN_HEADER: "guess"}):
            req = urllib.request.Request(url, data=b"", method="POST", headers=headers)
            with pytest.raises(urllib.error.HTTPError) as info:
                urllib.request.urlopen(req)
            assert info.value.code == 403
        assert story.read_text(encoding="utf-8") == DRAFT
        token = preview.server.app.token
        req = urllib.request.Request(url, data=b"", method="POST", headers={TOKEN_HEADER: token})
        with urllib.request.urlopen(req) as r:
            answer = json.loads(r.read())
        assert answer["ok"] and answer["changed"]
        assert "status: approved" in story.read_text(encoding="utf-8")
        other = urllib.request.Request(
            preview.url + "story/agrilink", data=b"", method="POST", headers={TOKEN_HEADER: token}
        )
        with pytest.raises(urllib.error.HTTPError) as info:
            urllib.request.urlopen(other)
        assert info.value.code == 405
    finally:
        preview.close()

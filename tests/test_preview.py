"""`outreach preview` without a browser: the real server over real sockets.

Traversal requests go through raw sockets so that no client library normalises the path.
"""

from __future__ import annotations

import html
import io
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from PIL import Image

from outreach.model.loader import discover_stories, load_story
from outreach.preview.renderer import PreviewRenderer, render_recipe
from outreach.preview.server import RemoteBindRefused, is_loopback, make_preview
from outreach.preview.watch import classify
from tests.conftest import write_story

PHOTO_STORY = """\
kind: engineer
lang: vi
title: "Kỹ sư trẻ ở Đà Nẵng"
hook: "Từ phòng sạch đến nhà máy chip"
person:
  name: "Trần Thị B"
  role: "Kỹ sư quy trình"
  photo: media/photo.jpg
quote: "Mỗi con chip là một câu chuyện."
beats:
  - text: "Bước một."
    media: media/photo.jpg
  - text: "Bước hai."
facts:
  - {value: "25", label: "nhà máy mới", source: "Bộ KH&ĐT"}
cta: "Bạn sẽ kể câu chuyện nào?"
hashtags: [HoiNhap]
credits: "Ảnh: minh hoạ"
platforms: [tiktok, instagram-feed, youtube-thumbnail]
"""


# --- helpers -------------------------------------------------------------------------------


def raw_get(port: int, target: str, host: str = "127.0.0.1") -> tuple[int, bytes]:
    """Send the request line byte for byte; return (status, body)."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(
            f"GET {target} HTTP/1.1\r\nHost: {host}:{port}\r\nConnection: close\r\n\r\n".encode(
                "latin-1"
            )
        )
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    return status, body


def get(port: int, target: str) -> tuple[int, bytes]:
    return raw_get(port, target)


@pytest.fixture
def preview_root(story_dir: Path) -> Path:
    """A small stories root with one photo story (fast to render everywhere)."""
    write_story(story_dir, "engineer-danang.yaml", PHOTO_STORY)
    return story_dir


@pytest.fixture
def running(preview_root: Path):
    preview = make_preview(preview_root, "127.0.0.1", 0)
    preview.start_background()
    yield preview
    preview.close()


def port_of(preview) -> int:
    return preview.server.server_address[1]


# --- serving -------------------------------------------------------------------------------


def test_gallery_and_story_page_render_every_platform(running) -> None:
    port = port_of(running)
    status, body = get(port, "/")
    page = body.decode()
    assert status == 200
    assert 'href="/story/engineer-danang"' in page and "Kỹ sư trẻ ở Đà Nẵng" in page

    status, body = get(port, "/story/engineer-danang")
    page = body.decode()
    assert status == 200
    for label in ("TikTok", "Instagram feed", "YouTube thumbnail"):
        assert label in page
    # Alt text comes from the card spec; every card image has one.
    alts = re.findall(r'<img src="/render/[0-9a-f]{64}-50\.jpg" lang="vi" alt="([^"]*)"', page)
    assert alts and all(a.strip() for a in alts)
    # Half-scale previews and full-size views are real JPEGs at the right sizes.
    digests = re.findall(r"/render/([0-9a-f]{64})-50\.jpg", page)
    sizes = set()
    for d in dict.fromkeys(digests):
        status, data = get(port, f"/render/{d}-50.jpg")
        assert status == 200
        sizes.add(Image.open(io.BytesIO(data)).size)
    assert {(540, 960), (540, 675), (640, 360)} <= sizes
    status, data = get(port, f"/render/{digests[0]}-100.jpg")
    assert status == 200 and Image.open(io.BytesIO(data)).size == (1080, 1920)


def test_unknown_render_hash_and_story_are_404(running) -> None:
    port = port_of(running)
    assert get(port, "/render/" + "0" * 64 + "-50.jpg")[0] == 404
    assert get(port, "/story/nope")[0] == 404
    assert get(port, "/render/" + "0" * 64 + "-33.jpg")[0] == 404


TRAVERSALS = [
    "/../../etc/passwd",
    "/../../../../../../etc/passwd",
    "/%2e%2e/%2e%2e/etc/passwd",
    "/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    "/%252e%252e%252f%252e%252e%252fetc%252fpasswd",
    "/%25252e%25252e%25252fetc%25252fpasswd",
    "/..%c0%af..%c0%afetc/passwd",
    "//etc/passwd",
    "/static/../../../../etc/passwd",
    "/static/..%2f..%2f..%2f..%2fetc%2fpasswd",
    "/static/%2e%2e%2fserver.py",
    "/static/%252e%252e%252fserver.py",
    "/static/....//....//etc/passwd",
    "/static/..\\..\\server.py",
    "/static/preview.css/../../server.py",
    "/static/preview.css%00.yaml",
    "/story/..%2f..%2f..%2fetc%2fpasswd",
    "/story/%252e%252e%252fengineer-danang.yaml",
    "/render/../../engineer-danang.yaml",
    "/video/..%2f..%2fetc/passwd.mp4",
    "/engineer-danang.yaml",
    "/stories/engineer-danang.yaml",
    "/media/photo.jpg",
    "/outreach.toml",
    "/templates/base.html.j2",
    "/static/",
    "/static",
]


def test_traversal_and_project_files_are_404(running) -> None:
    answers = {target: raw_get(port_of(running), target) for target in TRAVERSALS}
    assert {t: s for t, (s, _) in answers.items() if s != 404} == {}
    for _, body in answers.values():
        assert b"root:" not in body and b"kind: engineer" not in body and b"import " not in body


def test_only_get_and_head(running) -> None:
    port = port_of(running)
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(
            f"POST / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Length: 0\r\n"
            "Connection: close\r\n\r\n".encode()
        )
        assert sock.recv(100).startswith(b"HTTP/1.1 405")


def test_foreign_host_header_is_refused(running) -> None:
    """DNS rebinding: a loopback-only server answers only to loopback host names."""
    port = port_of(running)
    assert raw_get(port, "/", host="evil.example")[0] == 403
    assert raw_get(port, "/", host="localhost")[0] == 200


# --- binding -------------------------------------------------------------------------------


def test_is_loopback() -> None:
    for host in ("127.0.0.1", "127.0.0.2", "::1", "[::1]", "localhost"):
        assert is_loopback(host), host
    for host in ("0.0.0.0", "::", "192.168.1.10", "example.com", ""):
        assert not is_loopback(host), host


def test_refuses_non_loopback_unless_asked(preview_root: Path) -> None:
    with pytest.raises(RemoteBindRefused, match="refusing to serve on 0.0.0.0"):
        make_preview(preview_root, "0.0.0.0", 0, watch=False)
    preview = make_preview(preview_root, "0.0.0.0", 0, allow_remote=True, watch=False)
    try:
        assert preview.server.server_address[0] == "0.0.0.0"
        assert not preview.server.loopback_only
    finally:
        preview.server.server_close()


def _start_cli(args: list[str]) -> tuple[subprocess.Popen, str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "outreach", "preview", *args],
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
    )
    lines = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        line = proc.stderr.readline()
        if not line:
            break
        lines.append(line)
        if "Ctrl+C" in line:
            break
    return proc, "".join(lines)


def test_cli_binds_loopback_by_default(preview_root: Path) -> None:
    proc, out = _start_cli([str(preview_root), "--port", "0", "--no-open"])
    try:
        m = re.search(r"at http://127\.0\.0\.1:(\d+)/", out)
        assert m, out
        assert "warning" not in out
        assert get(int(m.group(1)), "/")[0] == 200
    finally:
        proc.terminate()
        proc.wait(10)


def test_cli_other_host_needs_flag_and_warns(preview_root: Path) -> None:
    proc, out = _start_cli([str(preview_root), "--host", "0.0.0.0", "--port", "0", "--no-open"])
    try:
        assert "warning: serving on 0.0.0.0" in out
        assert "at http://0.0.0.0:" in out
    finally:
        proc.terminate()
        proc.wait(10)


def test_cli_port_in_use_is_a_clear_error(preview_root: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "outreach",
                "preview",
                str(preview_root),
                "--port",
                str(port),
                "--no-open",
            ],
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode == 1
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr and "--port" in result.stderr


# --- the same checks as `outreach check` ---------------------------------------------------


EDGE_THEME = """\
name: edge
extends: default
layouts:
  vertical:
    quote:
      - {type: background, color: deep}
      - {type: text, field: quote, box: [0.0, -0.12, 1.0, 0.1], font: quote, size: [60, 30],
         color: text, max_lines: 2}
"""


def test_outside_safe_zone_marked_red_and_checks_match_outreach_check(preview_root: Path) -> None:
    (preview_root / "themes" / "edge").mkdir(parents=True)
    (preview_root / "themes" / "edge" / "theme.yaml").write_text(EDGE_THEME)
    story = preview_root / "engineer-danang.yaml"
    story.write_text(PHOTO_STORY + "theme: edge\n", encoding="utf-8")
    preview = make_preview(preview_root, "127.0.0.1", 0, watch=False)
    preview.start_background()
    try:
        port = port_of(preview)
        page = get(port, "/story/engineer-danang")[1].decode()
        assert 'class="outside"' in page
        assert "text outside the safe zone: quote" in page
        checks = html.unescape(get(port, "/story/engineer-danang/checks")[1].decode())
    finally:
        preview.close()
    result = subprocess.run(
        [sys.executable, "-m", "outreach", "check", str(story)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    reported = [ln for ln in result.stderr.splitlines() if ": error: " in ln or ": warning: " in ln]
    assert any("text leaves the tiktok safe zone on the quote card" in ln for ln in reported)
    for line in reported:
        assert line in checks, line


def test_broken_story_keeps_last_good_render(preview_root: Path) -> None:
    renderer = PreviewRenderer(preview_root)
    renderer.scan()
    story = preview_root / "engineer-danang.yaml"
    good = renderer.story("engineer-danang").good
    story.write_text(PHOTO_STORY.replace("lang: vi", "lang: vi\nbeats: [oops"), encoding="utf-8")
    assert renderer.refresh([story]) == ["engineer-danang"]
    state = renderer.story("engineer-danang")
    assert state.broken and state.good is good
    assert re.match(r".*engineer-danang\.yaml:\d+:\d+: error: ", state.errors[0].format())


# --- renders and cache ---------------------------------------------------------------------


def test_edit_redraws_only_the_changed_cards_and_fast(preview_root: Path, capsys) -> None:
    renderer = PreviewRenderer(preview_root)
    renderer.scan()
    story = preview_root / "engineer-danang.yaml"
    before = {r.digest for v in renderer.story("engineer-danang").good.platforms for r in v.cards}
    for digest in before:
        renderer.render(digest)
    data = yaml.safe_load(story.read_text(encoding="utf-8"))
    data["facts"][0]["label"] = "nhà máy mới mở"
    story.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    renderer.refresh([story])
    views = renderer.story("engineer-danang").good.platforms
    changed = [r for v in views for r in v.cards if r.digest not in before]
    # Only the fact card of each card platform changes (not the thumbnail, cover, quote...).
    assert sorted((r.platform.name, r.spec.name) for r in changed) == [
        ("instagram-feed", "fact-01"),
        ("tiktok", "fact-01"),
    ]
    timings = []
    for recipe in changed:
        start = time.perf_counter()
        renderer.render(recipe.digest)
        timings.append((time.perf_counter() - start) * 1000)
    with capsys.disabled():
        shown = ", ".join(f"{t:.0f} ms" for t in timings)
        print(f"\npreview re-render of one changed card: {shown}")
    # 300 ms on an idle machine; a machine shared with other test runs gets its load's share.
    import os

    load = max(1.0, os.getloadavg()[0] / (os.cpu_count() or 1))
    assert max(timings) < 300 * load, (timings, load)


def test_preview_uses_the_production_compose(preview_root: Path) -> None:
    """Same code path: the half-scale preview is the full render, downscaled."""
    from outreach.render.cards import compose

    renderer = PreviewRenderer(preview_root)
    renderer.scan()
    recipe = renderer.story("engineer-danang").good.platforms[0].cards[0]
    half = Image.open(io.BytesIO(render_recipe(recipe, 0.5).jpeg)).convert("L")
    full = compose(recipe.spec, recipe.platform, recipe.theme, 1.0).image.convert("L")
    full = full.resize(half.size, Image.Resampling.BOX)
    diff = sum(abs(a - b) for a, b in zip(half.getdata(), full.getdata(), strict=True))
    assert diff / (half.size[0] * half.size[1]) < 6  # mean absolute difference, 0-255


def test_watch_classifies_changes(tmp_path: Path) -> None:
    root = tmp_path / "stories"
    story = root / "a.yaml"
    change = classify([story], root)
    assert change and change.stories == {story} and not change.everything
    assert classify([root / "media" / "p.jpg"], root).everything
    assert classify([root / "themes" / "x" / "theme.yaml"], root).everything
    assert classify([root / ".a.yaml.swp", root / "a.yaml~", root / ".git" / "index"], root) is None


def test_every_sample_story_loads_in_the_preview(stories_copy: Path) -> None:
    found = discover_stories([stories_copy])
    renderer = PreviewRenderer(stories_copy)
    ids = renderer.scan()
    for path, root in found:
        try:
            expected = load_story(path, root).id
        except Exception:  # noqa: BLE001 — a broken sample is listed under its file name
            expected = path.stem
        assert expected in ids


def test_storyboard_and_rendered_video_with_ranges(preview_root: Path, tmp_path: Path) -> None:
    from outreach.ffmpeg import ffmpeg_exe

    ffmpeg = ffmpeg_exe()  # imageio-ffmpeg's binary, from PyPI
    out = preview_root.parent / "output" / "engineer-danang" / "tiktok"
    out.mkdir(parents=True)
    video = out / "video.mp4"
    subprocess.run(
        [
            ffmpeg,
            "-v",
            "error",
            "-f",
            "lavfi",
            "-i",
            "color=c=red:s=108x192:d=1",
            "-c:v",
            "libx264",
            "-pix_fmt",
            "yuv420p",
            str(video),
        ],
        check=True,
    )
    preview = make_preview(preview_root, "127.0.0.1", 0, watch=False)
    preview.start_background()
    try:
        port = port_of(preview)
        page = get(port, "/story/engineer-danang")[1].decode()
        # One frame per video scene, in timeline order, scrubbable, plus the rendered file.
        assert "data-scrub" in page
        assert '<video class="video" controls' in page
        assert 'src="/video/engineer-danang/tiktok.mp4?v=' in page  # versioned: never stale
        frames = re.findall(r"<span>([a-z0-9 -]+) · ([\d.]+)–([\d.]+) s</span>", page)
        assert [f[0] for f in frames] == ["cover", "beat 1", "beat 2", "quote", "fact-01", "cta"]
        starts = [float(f[1]) for f in frames]
        assert starts == sorted(starts) and starts[0] == 0.0
        assert f"{len(frames)} scenes · " in page
        status, body = get(port, "/video/engineer-danang/tiktok.mp4")
        assert status == 200 and body == video.read_bytes()
        with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
            sock.sendall(
                b"GET /video/engineer-danang/tiktok.mp4 HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                b"Range: bytes=4-15\r\nConnection: close\r\n\r\n"
            )
            data = b""
            while chunk := sock.recv(65536):
                data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 206")
        assert body == video.read_bytes()[4:16]
        assert get(port, "/video/engineer-danang/instagram-feed.mp4")[0] == 404
        assert get(port, "/video/other/tiktok.mp4")[0] == 404
    finally:
        preview.close()


def _next_event(stream, timeout: float = 10.0) -> dict:
    """Read one `change` event from an open Server-Sent Events response."""
    import json

    deadline = time.monotonic() + timeout
    data = None
    while time.monotonic() < deadline:
        line = stream.readline().decode()
        if line.startswith("data: "):
            data = json.loads(line[6:])
        elif line == "\n" and data is not None:
            return data
    raise AssertionError("no change event")


def test_events_for_story_and_media_edits(running, preview_root: Path) -> None:
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", port_of(running), timeout=15)
    conn.request("GET", "/events")
    resp = conn.getresponse()
    assert resp.status == 200 and resp.headers["Content-Type"].startswith("text/event-stream")
    assert resp.fp.readline() == b"retry: 1000\n"
    time.sleep(0.3)  # let the watcher settle
    story = preview_root / "engineer-danang.yaml"
    start = time.monotonic()
    story.write_text(PHOTO_STORY.replace("Bước hai.", "Bước hai, sửa."), encoding="utf-8")
    event = _next_event(resp.fp)
    assert event["stories"] == ["engineer-danang"] and not event["everything"]
    assert time.monotonic() - start < 2
    Image.new("RGB", (800, 1000), (200, 30, 30)).save(preview_root / "media" / "photo.jpg")
    event = _next_event(resp.fp)
    assert event["everything"] and "engineer-danang" in event["stories"]
    conn.close()


def test_story_text_is_escaped(preview_root: Path) -> None:
    story = preview_root / "engineer-danang.yaml"
    text = PHOTO_STORY.replace(
        'title: "Kỹ sư trẻ ở Đà Nẵng"', 'title: "<script>alert(1)</script> & co"'
    )
    story.write_text(text, encoding="utf-8")
    preview = make_preview(preview_root, "127.0.0.1", 0, watch=False)
    preview.start_background()
    try:
        for target in ("/", "/story/engineer-danang"):
            page = get(port_of(preview), target)[1].decode()
            assert "<script>alert" not in page
            assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in page
    finally:
        preview.close()


def test_render_cache_is_bounded_by_bytes(preview_root: Path, monkeypatch) -> None:
    import outreach.preview.renderer as renderer_mod

    renderer = PreviewRenderer(preview_root)
    renderer.scan()
    digests = list(
        dict.fromkeys(
            r.digest for v in renderer.story("engineer-danang").good.platforms for r in v.cards
        )
    )
    first = renderer.render(digests[0])
    assert renderer.render(digests[0]) is first  # a hit is the same object, no redraw
    monkeypatch.setattr(renderer_mod, "CACHE_BYTES", len(first.jpeg) * 2)
    for d in digests[1:4]:
        renderer.render(d)
    assert not renderer.cached(digests[0])  # least recently used went first
    assert renderer.cached(digests[3])
    renderer.close()


def test_story_page_answers_within_its_budget(running) -> None:
    """Cards not drawn in time are marked pending; their images still render on request."""
    running.server.app.page_budget = 0.0
    port = port_of(running)
    page = get(port, "/story/engineer-danang")[1].decode()
    pending = re.findall(
        r'<figure class="card" data-pending[^>]*>\s*<a class="frame" '
        r'href="/render/([0-9a-f]{64})-100\.jpg"',
        page,
    )
    assert pending
    assert get(port, f"/render/{pending[0]}-50.jpg")[0] == 200
    running.server.app.page_budget = 10.0
    page = get(port, "/story/engineer-danang")[1].decode()
    assert "data-pending" not in page


def test_missing_watchfiles_is_a_clear_error(preview_root: Path, monkeypatch) -> None:
    from outreach.preview.watch import MissingWatchfiles

    monkeypatch.setitem(sys.modules, "watchfiles", None)  # as if not installed
    with pytest.raises(MissingWatchfiles, match=r"pip install 'outreach\[preview\]'"):
        make_preview(preview_root, "127.0.0.1", 0)

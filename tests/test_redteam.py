"""The red-team sweep of issue 8, re-run: every hostile or broken input ends as a located,
plain-words error on that story only (exit 1; 2 for usage), with no traceback, no
parser or programmer wording, and nothing written for the story."""

from __future__ import annotations

import json
import os
import re
import struct
import subprocess
import sys
import time
import zlib
from pathlib import Path

import pytest
from click.testing import CliRunner
from PIL import Image

from outreach.cli import main
from tests.conftest import write_story
from tests.test_cards import STORY_VI

#: Words that must never reach a user: PyYAML's and Python's own.
JARGON = re.compile(
    r"expected <block end>|found character|<scalar>|<stream end>|Traceback|Error:|"
    r"RecursionError|MemoryError|TypeError|ValueError|KeyError|UnicodeEncodeError|"
    r"PermissionError|RuntimeError|Errno|this is a bug|malformed YAML"
)
LOCATED = re.compile(r"^\S+\.ya?ml:\d+:\d+: error: \S+: .+ — .+$")


def check(*paths: Path, args: tuple[str, ...] = ()) -> tuple[int, list[str]]:
    res = CliRunner().invoke(main, ["check", *args, *map(str, paths)])
    assert not isinstance(res.exception, Exception) or isinstance(res.exception, SystemExit), (
        res.exception
    )
    lines = [ln for ln in res.output.splitlines() if ": error: " in ln or ": warning: " in ln]
    return res.exit_code, lines


def errors(lines: list[str]) -> list[str]:
    return [ln for ln in lines if ": error: " in ln]


def one_error(path: Path) -> str:
    code, lines = check(path)
    assert code == 1, lines
    errs = errors(lines)
    assert errs, lines
    for line in lines:
        assert not JARGON.search(line), line
    return errs[0]


BASE = 'kind: startup\nlang: vi\ntitle: "Tiêu đề"\n'


# --- YAML in plain words -------------------------------------------------------------------


def test_unclosed_quote_names_the_line_where_it_opens(story_dir: Path) -> None:
    path = write_story(
        story_dir,
        "q.yaml",
        'kind: startup\nlang: vi\nstatus: approved\ntitle: "Từ Đồng Tháp đến Tokyo\n'
        'hook: "24 tháng, 3 thị trường"\ncta: "Bắt đầu"\n',
    )
    assert one_error(path) == (
        f'{path}:4:8: error: title: the quote " opened here is never closed — add the '
        'closing " at the end of the text on line 4'
    )


def test_quote_that_swallows_the_next_field_is_an_error(story_dir: Path) -> None:
    path = write_story(story_dir, "q.yaml", BASE.replace('"Tiêu đề"', '"Tiêu đề') + 'hook: x"\n')
    assert 'the quote " opened here is not closed on this line' in one_error(path)


def test_tab_says_indent_with_spaces(story_dir: Path) -> None:
    path = write_story(story_dir, "t.yaml", BASE + "person:\n\tname: Lan\n")
    line = one_error(path)
    assert line.startswith(f"{path}:5:1: error: ")
    assert "indented with a tab" in line and "indent with spaces" in line


def test_hash_in_a_list_says_it_starts_a_comment(story_dir: Path) -> None:
    path = write_story(story_dir, "h.yaml", BASE + "hashtags: [HoiNhap, #NghiQuyet59]\ncta: x\n")
    line = one_error(path)
    assert line.startswith(f"{path}:4:21: error: hashtags: `#NghiQuyet59` starts a comment")
    assert 'quote the hashtag ("#NghiQuyet59") or drop the # (NghiQuyet59)' in line
    path = write_story(story_dir, "h2.yaml", BASE + "hashtags:\n  - #HoiNhap\n")
    assert "`#HoiNhap` starts a comment" in one_error(path)


def test_stray_quote_and_placeholders_are_warnings(story_dir: Path) -> None:
    path = write_story(
        story_dir,
        "s.yaml",
        'kind: startup\nlang: vi\ntitle: Từ Đồng Tháp đến Tokyo"\n'
        'hook: "Một câu mở đầu khiến người xem dừng lại"\ncredits: "Ảnh: ..."\n',
    )
    code, lines = check(path)
    assert code == 0, lines
    assert (
        f'{path}:3:8: warning: title: has a stray `"` that would be printed on the cards'
        in (lines[0])
    )
    assert any("hook: still has the template's example text" in ln for ln in lines)
    assert any("credits: still has the template's example text" in ln for ln in lines)
    code, _ = check(path, args=("--strict",))
    assert code == 1


def test_new_template_placeholders_are_all_flagged(tmp_path: Path) -> None:
    target = tmp_path / "n.yaml"
    assert CliRunner().invoke(main, ["new", str(target), "--kind", "engineer"]).exit_code == 0
    code, lines = check(target)
    flagged = {ln.split(": warning: ")[1].split(":")[0] for ln in lines if "example text" in ln}
    assert {"title", "hook", "quote", "person.name", "beats[0].text", "cta", "credits"} <= flagged


@pytest.mark.parametrize(
    "text",
    [
        'kind: startup\ntitle: "abc\n',
        "kind: startup\nperson:\n\tname: A\n",
        "hashtags: [a, #b]\n",
        "title: a: b\n",
        'title: "\\q"\n',
        "a: 1\n---\nb: 2\n",
        "kind: [startup\nlang: vi\n",
        "title: {a: b\n",
        "- a\nb: c\n",
        "title: `x`\n",
        "  kind: startup\n lang: vi\n",
        "title: |\n x\n  y\nz\n",
    ],
)
def test_no_message_uses_parser_wording(story_dir: Path, text: str) -> None:
    path = write_story(story_dir, "y.yaml", text)
    code, lines = check(path)
    assert code == 1 and lines
    for line in lines:
        assert LOCATED.match(line), line
        assert not JARGON.search(line), line


# --- hostile files: one located error, no traceback --------------------------------------


def test_alias_bomb_and_deep_nesting(story_dir: Path) -> None:
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{c}: &{c} [{', '.join(['*' + chr(ord(c) - 1)] * 9)}]\n" for c in "bcdefghi"
    )
    path = write_story(story_dir, "bomb.yaml", BASE + bomb)
    start = time.monotonic()
    assert "uses a YAML alias" in one_error(path)
    assert time.monotonic() - start < 5
    deep = write_story(story_dir, "deep.yaml", BASE + "beats: " + "[" * 5000 + "]" * 5000 + "\n")
    assert "nests lists and fields more than" in one_error(deep)


def test_symlink_loops_and_unreadable_photos(story_dir: Path) -> None:
    loop = story_dir / "media" / "loop.jpg"
    loop.symlink_to(loop)
    path = write_story(story_dir, "l.yaml", BASE + "person: {name: Lan, photo: media/loop.jpg}\n")
    assert "points to itself (a loop)" in one_error(path)
    (story_dir / "sub").mkdir()
    (story_dir / "sub" / "again").symlink_to(story_dir / "sub")  # a folder loop in discovery
    bad = story_dir / "media" / "bad.jpg"
    bad.write_bytes(b"\xff\xd8\xff\xe0" + os.urandom(300))
    path = write_story(story_dir, "b.yaml", BASE + "person: {name: Lan, photo: media/bad.jpg}\n")
    assert "media/bad.jpg" in one_error(path)


def test_theme_files_that_are_not_mappings(story_dir: Path) -> None:
    for name, body in (("listy", "- a\n- b\n"), ("scalar", "just text\n"), ("bad", "a: [\n")):
        (story_dir / "themes" / name).mkdir(parents=True)
        (story_dir / "themes" / name / "theme.yaml").write_text(body)
        path = write_story(story_dir, f"{name}.yaml", BASE + f"theme: {name}\n")
        line = one_error(path)  # located in the theme file, where the fault is
        theme_file = story_dir / "themes" / name / "theme.yaml"
        assert re.match(rf"{re.escape(str(theme_file))}:\d+:\d+: error: ", line), line
    assert "must be a mapping of fields" in one_error(story_dir / "listy.yaml")


def test_broken_characters_and_impossible_dates(story_dir: Path) -> None:
    path = write_story(story_dir, "s.yaml", BASE + 'hook: "a\\ud800b"\n')
    assert "lone surrogate" in one_error(path)
    path = write_story(story_dir, "c.yaml", BASE + 'hook: "a\\x07b"\n')
    assert "control character" in one_error(path)
    nul = story_dir / "nul.yaml"
    nul.write_bytes(BASE.encode() + b"hook: a\x00b\n")
    assert one_error(nul).startswith(f"{nul}:4:8: error: hook: contains a NUL")
    path = write_story(story_dir, "d.yaml", BASE + "publish: 2026-02-30\n")
    assert one_error(path) == (
        f"{path}:4:10: error: publish: `2026-02-30` is not a real date — check the day and the "
        "month; write it as YYYY-MM-DD"
    )
    path = write_story(story_dir, "w.yaml", BASE + "week: 2025-W53\n")
    assert "2025 has no ISO week 53 (its weeks run from W01 to W52)" in one_error(path)


def test_oversize_files_and_fields_are_refused_early(story_dir: Path) -> None:
    big = story_dir / "big.yaml"
    with open(big, "wb") as fh:
        fh.write(BASE.encode())
        fh.truncate(50 * 1024 * 1024)
    start = time.monotonic()
    assert "is 52.4 MB; a story file is a few kilobytes" in one_error(big)
    huge = write_story(story_dir, "t.yaml", BASE.replace('"Tiêu đề"', '"' + "x" * 1_000_000 + '"'))
    assert "is 1.0 MB; a story file is a few kilobytes" in one_error(huge)
    huge = write_story(story_dir, "t.yaml", BASE.replace('"Tiêu đề"', '"' + "x" * 200_000 + '"'))
    assert "title: is 200,000 characters long; at most 600 are accepted" in one_error(huge)
    big.unlink()
    huge.unlink()
    title = write_story(
        story_dir, "t2.yaml", BASE.replace('"Tiêu đề"', '"' + "Rất dài " * 70_000 + '"')
    )
    assert "is 256 kB" not in one_error(title)
    assert time.monotonic() - start < 20


def test_ids_every_system_accepts(story_dir: Path, tmp_path: Path) -> None:
    for bad in ("con", "nul", "aux", "com1", "prn", "a" * 300):
        path = write_story(story_dir, "x.yaml", BASE + f"id: {bad}\n")
        line = one_error(path)
        assert line.startswith(f"{path}:4:5: error: id: "), line
    # Ids made from file names are slugged to safe names by themselves.
    from outreach.model.loader import load_story

    (story_dir / "x.yaml").unlink()
    assert load_story(write_story(story_dir, "con.yaml", BASE)).id == "con-story"
    long = load_story(write_story(story_dir, ("từ " * 45).strip() + ".yaml", BASE)).id
    assert len(long) <= 64 and long.startswith("tu-tu") and not long.endswith("-")


def test_duplicate_ids_are_found_by_check(story_dir: Path) -> None:
    a = write_story(story_dir, "a.yaml", BASE + "id: same\n")
    b = write_story(story_dir, "b.yaml", BASE + "id: same\n")
    code, lines = check(story_dir)
    assert code == 1
    assert f"{b}:4:5: error: id: story id `same` is also used by {a}" in "\n".join(lines)


def test_links_are_web_addresses_only(story_dir: Path, tmp_path: Path) -> None:
    for link in ("javascript:alert(1)", "data:text/html,x", "file:///etc/passwd", "ftp://a.vn"):
        path = write_story(story_dir, "l.yaml", BASE + f'link: "{link}"\n')
        assert "is not a web address; only http(s) links or a bare domain" in one_error(path)
    ok = write_story(story_dir, "l.yaml", BASE + "link: hoinhap.vn/agrilink\n")
    assert check(ok)[0] == 0


def test_nfd_file_names_on_disk_are_found(story_dir: Path) -> None:
    import shutil
    import unicodedata

    nfd = unicodedata.normalize("NFD", "Ảnh đồng lúa.jpg")
    shutil.copy(story_dir / "media" / "photo.jpg", story_dir / "media" / nfd)
    path = write_story(
        story_dir, "n.yaml", BASE + 'person: {name: Lan, photo: "media/Ảnh đồng lúa.jpg"}\n'
    )
    code, lines = check(path)
    assert code == 0, lines


def test_hashtags_that_normalise_to_nothing_are_named(story_dir: Path) -> None:
    path = write_story(story_dir, "h.yaml", BASE + 'hashtags: ["!!!", "🇻🇳", HoiNhap]\n')
    from outreach.model.loader import load_story

    loaded = load_story(path)
    assert loaded.story.hashtags == ["HoiNhap"]
    assert [w.format() for w in loaded.warnings if "hashtags" in w.field] == [
        f"{path}:4:12: warning: hashtags[0]: `!!!` has no letters or digits a hashtag can keep, "
        "so it is left out — write the hashtag in plain letters and digits, e.g. VietNam",
        f"{path}:4:19: warning: hashtags[1]: `🇻🇳` has no letters or digits a hashtag can keep, "
        "so it is left out — write the hashtag in plain letters and digits, e.g. VietNam",
    ]


def _png_with_text_bomb(path: Path) -> None:
    Image.new("RGB", (40, 40), (10, 20, 30)).save(path)
    data = path.read_bytes()
    body = b"Comment\x00\x00" + zlib.compress(b"A" * (80 * 1024 * 1024), 9)
    chunk = struct.pack(">I", len(body)) + b"zTXt" + body
    chunk += struct.pack(">I", zlib.crc32(b"zTXt" + body) & 0xFFFFFFFF)
    path.write_bytes(data[:33] + chunk + data[33:])


def test_png_text_bombs_and_huge_pngs(story_dir: Path) -> None:
    _png_with_text_bomb(story_dir / "media" / "bomb.png")
    path = write_story(story_dir, "p.yaml", BASE + "person: {name: Lan, photo: media/bomb.png}\n")
    assert "carries oversized hidden text (metadata)" in one_error(path)


@pytest.mark.slow
def test_a_119_megapixel_png_is_checked_in_bounded_memory(story_dir: Path) -> None:
    """The issue's 455 kB, 119.9-megapixel PNG cost 2.3 GB in `check`."""
    side = 10950  # 119.9 MP
    Image.new("L", (side, side), 128).save(story_dir / "media" / "big.png", optimize=True)
    path = write_story(story_dir, "big.yaml", STORY_VI.replace("media/photo.jpg", "media/big.png"))
    code = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from outreach.cli import main\n"
        f"r = CliRunner().invoke(main, ['check', {str(path)!r}, '-p', 'tiktok', '-p', 'instagram-feed'])\n"
        # VmHWM is this program's own peak (ru_maxrss would include the forking parent's)
        "hwm = next(l for l in open('/proc/self/status') if l.startswith('VmHWM'))\n"
        "print(r.exit_code, int(hwm.split()[1]))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    exit_code, peak_kb = map(int, out.stdout.split())
    assert exit_code in (0, 1)
    print(f"peak {peak_kb / 1024:.0f} MB")
    assert peak_kb < 600_000, f"peak {peak_kb / 1024:.0f} MB"


# --- security ---------------------------------------------------------------------------------


def test_a_theme_template_cannot_run_commands(story_dir: Path, tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    evil = story_dir / "themes" / "evil"
    (evil / "post").mkdir(parents=True)
    (evil / "theme.yaml").write_text("extends: default\n")
    (evil / "post" / "post.txt.j2").write_text(
        "{{ cycler.__init__.__globals__.os.popen('touch " + str(marker) + "').read() }}\n"
    )
    path = write_story(story_dir, "e.yaml", STORY_VI + "theme: evil\n")
    code, lines = check(path, args=("-p", "tiktok"))
    assert not marker.exists()
    assert code == 1
    assert any("theme: theme `evil`: post template" in ln for ln in errors(lines)), lines


def test_theme_names_are_confined(story_dir: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere" / "evil"
    elsewhere.mkdir(parents=True)
    (elsewhere / "theme.yaml").write_text("extends: default\n")
    for name in ("../../elsewhere/evil", str(elsewhere), "a/b"):
        path = write_story(story_dir, "t.yaml", BASE + f'theme: "{name}"\n')
        line = one_error(path)
        assert "is not a theme name (a path cannot be a theme)" in line, line


def test_a_stories_theme_that_overrides_a_built_in_says_so(story_dir: Path) -> None:
    (story_dir / "themes" / "default").mkdir(parents=True)
    (story_dir / "themes" / "default" / "theme.yaml").write_text("extends: default\n")
    path = write_story(story_dir, "o.yaml", STORY_VI)
    res = CliRunner().invoke(main, ["check", str(path), "-p", "tiktok"])
    assert res.exit_code == 0, res.output
    assert (
        f"{path}:1:1: note: theme: theme `default` comes from " in res.output
        and "which overrides the built-in theme of that name" in res.output
    )


# --- check sees what the video would fail on -------------------------------------------------

VIDEO = STORY_VI.replace("credits:", "platforms: [tiktok, instagram-feed]\ncredits:")


@pytest.mark.parametrize(
    "kind, expect",
    [
        ("text", "is not readable audio (it does not decode)"),
        ("empty", "is an empty file (0 bytes)"),
        ("photo", "is a picture, not audio"),
        ("video", "is a video file, not audio"),
    ],
)
def test_check_finds_unusable_audio(
    story_dir: Path, tmp_path: Path, kind: str, expect: str
) -> None:
    media = story_dir / "media"
    name = {"text": "bed.m4a", "empty": "bed.mp3", "photo": "bed.jpg", "video": "bed.mp4"}[kind]
    if kind == "text":
        (media / name).write_text("not audio\n")
    elif kind == "empty":
        (media / name).write_bytes(b"")
    elif kind == "photo":
        Image.new("RGB", (20, 20)).save(media / name)
    else:
        (media / name).write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 64)
    path = write_story(story_dir, "a.yaml", VIDEO + f"music: media/{name}\n")
    line = one_error(path)
    assert f"error: music: music `media/{name}` {expect}" in line, line


def test_narration_errors_are_found_before_any_byte(story_dir: Path, tmp_path: Path) -> None:
    (story_dir / "media" / "voice.m4a").write_text("a text file, not audio\n")
    story = VIDEO.replace(
        '  - {text: "Năm 2023, AgriLink bắt đầu với 40 hộ trồng xoài ở Cao Lãnh.", media: media/photo.jpg}',
        '  - {text: "Năm 2023, AgriLink bắt đầu.", media: media/photo.jpg, narration: media/voice.m4a}',
    )
    path = write_story(story_dir, "n.yaml", story)
    assert "beats[0].narration: narration of beat 1 `media/voice.m4a` is not readable audio" in (
        one_error(path)
    )
    out = tmp_path / "out"
    res = CliRunner().invoke(main, ["render", str(path), "-o", str(out), "-q"])
    assert res.exit_code == 1
    assert not [p for p in out.rglob("*") if p.is_file()]  # not one card, not post.txt


@pytest.mark.slow
def test_too_long_audio_gets_advice_about_the_audio(story_dir: Path) -> None:
    from tests.video_helpers import tone

    tone(story_dir / "media" / "long.m4a", 180.0)
    story = VIDEO.replace(
        "platforms: [tiktok, instagram-feed]", "platforms: [facebook-reels]"
    ).replace(
        '  - {text: "Năm 2023, AgriLink bắt đầu với 40 hộ trồng xoài ở Cao Lãnh.", media: media/photo.jpg}',
        '  - {text: "Năm 2023.", media: media/photo.jpg, narration: media/long.m4a}',
    )
    path = write_story(story_dir, "long.yaml", story)
    line = one_error(path)
    assert "beats[0].narration: the narration runs 180." in line
    assert "the audio is too long for the platform: trim or re-record the narration" in line
    assert "shorten" not in line


# --- the preview under hostile stories and load --------------------------------------------


def test_preview_survives_hostile_stories_and_200_connections(story_dir: Path) -> None:
    import concurrent.futures
    import http.client

    from outreach.preview.server import make_preview

    write_story(story_dir, "good.yaml", STORY_VI)
    write_story(story_dir, "deep.yaml", BASE + "beats: " + "[" * 3000 + "]" * 3000 + "\n")
    write_story(story_dir, "date.yaml", BASE + "publish: 2026-02-30\n")
    write_story(story_dir, "bomb.yaml", BASE + "a: &a [1, 1]\nb: [*a, *a]\n")
    preview = make_preview(story_dir, "127.0.0.1", 0, watch=False)
    preview.start_background()
    port = preview.server.server_address[1]

    def get(path: str) -> tuple[int, bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        try:
            conn.request("GET", path)
            resp = conn.getresponse()
            return resp.status, resp.read()
        finally:
            conn.close()

    try:
        for sid in ("deep", "date", "bomb"):
            status, body = get(f"/story/{sid}")
            assert status == 200
            assert not JARGON.search(body.decode()), sid
        with concurrent.futures.ThreadPoolExecutor(200) as pool:
            results = list(pool.map(lambda _: get("/static/preview.css"), range(200)))
        assert all(status == 200 for status, _ in results)
    finally:
        preview.close()


def test_preview_client_disconnect_prints_no_traceback(story_dir: Path) -> None:
    write_story(story_dir, "good.yaml", STORY_VI)
    proc = subprocess.Popen(
        [sys.executable, "-m", "outreach", "preview", str(story_dir), "--port", "0", "--no-open"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = proc.stderr.readline()
        port = int(re.search(r"127\.0\.0\.1:(\d+)", line).group(1))
        import socket

        for _ in range(5):  # a tab closed mid-request: the socket goes away unread
            s = socket.create_connection(("127.0.0.1", port))
            s.sendall(b"GET /story/good HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            s.close()  # RST
        s = socket.create_connection(("127.0.0.1", port))
        s.sendall(b"GET /story/good HT")
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        s.close()
        time.sleep(3)
    finally:
        proc.terminate()
        _out, err = proc.communicate(timeout=30)
    assert "Traceback" not in line + err and "ConnectionResetError" not in err


def test_no_color_is_honoured(story_dir: Path) -> None:
    path = write_story(story_dir, "bad.yaml", BASE + "hok: x\n")
    env = {**os.environ, "NO_COLOR": "1"}
    script = (
        "import pty, os, sys\n"
        "pid, fd = pty.fork()\n"
        "if pid == 0:\n"
        f"    os.execv(sys.executable, [sys.executable, '-m', 'outreach', 'check', {str(path)!r}])\n"
        "out = b''\n"
        "while True:\n"
        "    try:\n"
        "        chunk = os.read(fd, 4096)\n"
        "    except OSError:\n"
        "        break\n"
        "    if not chunk:\n"
        "        break\n"
        "    out += chunk\n"
        "sys.stdout.write(out.decode())\n"
    )
    colored = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert "\x1b[" in colored.stdout  # on a terminal, errors are red...
    plain = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env)
    assert "unknown field" in plain.stdout and "\x1b[" not in plain.stdout  # ...unless NO_COLOR


def test_outreach_cli_does_not_parse_every_story_twice_on_help() -> None:
    res = subprocess.run(
        [sys.executable, "-m", "outreach", "pack", "--help"], capture_output=True, text=True
    )
    assert res.returncode == 0 and "--story ID" in res.stdout
    assert json.dumps  # keep the import used


# --- one answer to each question -------------------------------------------------------------


def test_one_is_image_and_no_flag_through_the_environment() -> None:
    from outreach.model.media import is_image
    from outreach.render import cards
    from outreach.render.video import timeline

    for name in ("a.jpg", "a.JPEG", "a.png", "a.webp", "a.gif", "a.tif", "a.mp4", "a.m4a", "a"):
        assert cards._is_image(name) == timeline._is_image(name) == is_image(name), name
    src = Path(__file__).resolve().parent.parent / "outreach"
    for path in src.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert "os.environ[" not in text and "putenv" not in text, path  # flags are arguments
        assert "HIGHLIGHT_ENV" not in text, path


def test_preview_storyboard_uses_the_story_language(story_dir: Path) -> None:
    from outreach.pack.video import plan_videos
    from outreach.preview.renderer import PreviewRenderer
    from tests.test_cards import STORY_EN

    write_story(story_dir, "en.yaml", STORY_EN + "platforms: [tiktok]\n")
    renderer = PreviewRenderer(story_dir)
    renderer.scan()
    try:
        snap = renderer.story("en").good
        assert snap is not None and snap.storyboard is not None
        from outreach.pack.story import load_and_validate

        validated = load_and_validate(story_dir / "en.yaml", story_dir)
        plans = plan_videos(validated)
        assert snap.storyboard.seconds == pytest.approx(plans[0].timeline.duration)
    finally:
        renderer.close()


def test_render_refuses_bad_output_folders(story_dir: Path, tmp_path: Path) -> None:
    path = write_story(story_dir, "a.yaml", STORY_VI)
    (tmp_path / "file").write_text("x")
    for out, expect in (
        (tmp_path / "file" / "out", "is a file"),
        (story_dir.parent, "contains the stories folder"),
    ):
        res = CliRunner().invoke(main, ["render", str(path), "-o", str(out), "-p", "tiktok"])
        assert res.exit_code == 2, res.output
        assert expect in res.output and "Traceback" not in res.output

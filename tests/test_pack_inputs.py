"""One cache key that sees every input: a brand kit kept outside its theme folder (logo,
a layer's logo variant, the music bed), the package's own code, and the exact bytes a
worker rendered. After each change a warm run must equal a fresh `--force` render."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from PIL import Image, ImageDraw

from outreach.model.loader import load_story
from outreach.pack.cache import output_key
from outreach.platforms import get_platform
from outreach.themes import load_theme
from tests.conftest import write_story
from tests.test_pack import WEEK, manifest, summary
from tests.test_pack_trust import pack, video_story
from tests.video_helpers import tone

pytestmark = pytest.mark.slow

#: A user theme whose brand kit lives outside the theme folder, as a team keeps it.
BRAND_THEME = """\
extends: default
logo: ../../../brandkit/logo.png
music: ../../../brandkit/bed.m4a
video: {target_min: 3, cover_seconds: 1.0, fact_seconds: 1.0, cta_seconds: 1.0, min_scene: 1.0}
layouts:
  vertical:
    cta:
      - {type: background, gradient: [accent, accent_deep]}
      - {type: logo, variant: ../../../brandkit/logo-cta.png, box: [0.0, 0.0, 0.5, 0.08], align: left}
      - {type: text, field: cta, box: [0.0, 0.19, 1.0, 0.42], font: title, size: [112, 48], color: accent_text, max_lines: 7}
"""


def _logo(path: Path, colour: tuple[int, int, int]) -> None:
    img = Image.new("RGBA", (400, 120), (0, 0, 0, 0))
    ImageDraw.Draw(img).rounded_rectangle((4, 4, 396, 116), 30, fill=(*colour, 255))
    img.save(path)


def _brand_root(story_dir: Path) -> Path:
    kit = story_dir.parent / "brandkit"
    kit.mkdir()
    _logo(kit / "logo.png", (240, 200, 40))
    _logo(kit / "logo-cta.png", (20, 30, 90))  # dark on the gold CTA: the layer uses it
    tone(kit / "bed.m4a", 4.0, 44100, 2, 330)
    theme = story_dir / "themes" / "brand"
    theme.mkdir(parents=True)
    (theme / "theme.yaml").write_text(BRAND_THEME, encoding="utf-8")
    write_story(story_dir, "brand.yaml", video_story("Bộ nhận diện", extra="theme: brand\n"))
    return kit


def _shas(pack_dir: Path) -> dict[str, str]:
    return {k: v["sha256"] for k, v in manifest(pack_dir).items() if k != "index.html"}


def test_brand_kit_changes_reach_the_warm_pack(story_dir: Path, tmp_path: Path) -> None:
    kit = _brand_root(story_dir)
    warm_out, fresh_out = tmp_path / "warm", tmp_path / "fresh"
    args = ("-p", "tiktok")
    assert pack(story_dir, warm_out, *args).returncode == 0
    first = _shas(warm_out / WEEK)
    changes = [
        ("logo", lambda: _logo(kit / "logo.png", (200, 40, 40)), "brand/tiktok/cover.jpg"),
        ("layer logo", lambda: _logo(kit / "logo-cta.png", (110, 0, 0)), "brand/tiktok/cta.jpg"),
        ("music bed", lambda: tone(kit / "bed.m4a", 4.0, 44100, 2, 523), "brand/_video/video.mp4"),
    ]
    previous = first
    for what, change, changed_file in changes:
        change()
        warm = pack(story_dir, warm_out, *args)
        assert warm.returncode == 0, (what, warm.stderr)
        assert summary(warm.stderr)["brand"][0] >= 1, what  # something was rendered again
        shutil.rmtree(fresh_out, ignore_errors=True)
        fresh = pack(story_dir, fresh_out, *args, "--force")
        assert fresh.returncode == 0, fresh.stderr
        now = _shas(warm_out / WEEK)
        assert now == _shas(fresh_out / WEEK), what  # warm equals a fresh render
        assert now[changed_file] != previous[changed_file], what
        previous = now


def test_key_sees_the_code_the_theme_files_and_the_rendered_bytes(
    story_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    kit = _brand_root(story_dir)
    path = story_dir / "brand.yaml"
    tiktok = [get_platform("tiktok")]

    def key(kind: str = "cards") -> str:
        load_theme.cache_clear()
        loaded = load_story(path, story_dir)
        theme = load_theme("brand", (story_dir / "themes",))
        return output_key(loaded, kind, tiktok, theme.digest)

    base = key()
    theme = load_theme("brand", (story_dir / "themes",))
    assert str((kit / "logo-cta.png").resolve()) in theme.files  # a layer's variant
    assert str((kit / "bed.m4a").resolve()) in theme.files
    # Same bytes, new mtime: no change. New bytes, same size and mtime: a change.
    data = (kit / "logo-cta.png").read_bytes()
    (kit / "logo-cta.png").write_bytes(data)
    assert key() == base
    st = (kit / "logo.png").stat()
    _logo(kit / "logo.png", (1, 2, 3))
    import os

    os.utime(kit / "logo.png", ns=(st.st_atime_ns, st.st_mtime_ns))
    assert key() != base

    # The renderer's own source is part of every key (no hand-bumped constant).
    from outreach import fingerprint

    now = key()
    monkeypatch.setattr(fingerprint, "code_digest", lambda: "another build of outreach")
    assert key() != now
    monkeypatch.undo()
    import outreach

    assert outreach.RENDERER_VERSION == fingerprint.code_digest() != "1"


def test_the_worker_renders_the_bytes_it_was_keyed_on(story_dir: Path, tmp_path: Path) -> None:
    """A story edited while the pack runs cannot slip into an output keyed on the old text."""
    from outreach.pack.jobs import OutputJob, StoryRef, run_output

    path = write_story(story_dir, "edit.yaml", video_story("Bản cũ"))
    keyed = path.read_bytes()
    path.write_text(video_story("Bản mới sửa giữa chừng"), encoding="utf-8")  # edited mid-run
    ref = StoryRef(str(path), str(story_dir), (), ("tiktok",), keyed)
    job = OutputJob(ref, "edit", "cards", ("tiktok",), str(tmp_path / "p"), ("k",))
    result = run_output(job)
    assert result.ok, result.diagnostics
    post = (tmp_path / "p" / "edit" / "tiktok" / "post.txt").read_text(encoding="utf-8")
    assert "Bản cũ" in post and "Bản mới" not in post


def test_a_bed_of_the_music_library_is_part_of_the_theme_digest(tmp_path: Path) -> None:
    """`music: beds.yaml` names its beds inside the library: each is an input too."""
    import shutil as sh

    from outreach.paths import assets_dir

    lib = tmp_path / "music"
    sh.copytree(assets_dir() / "music", lib)
    theme = tmp_path / "themes" / "beds"
    theme.mkdir(parents=True)
    (theme / "theme.yaml").write_text("extends: default\nmusic: ../../music/beds.yaml\n")
    load_theme.cache_clear()
    first = load_theme("beds", (tmp_path / "themes",))
    assert str((lib / "bed-warm.m4a").resolve()) in first.files
    tone(lib / "bed-warm.m4a", 2.0)
    load_theme.cache_clear()
    assert load_theme("beds", (tmp_path / "themes",)).digest != first.digest

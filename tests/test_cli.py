"""The command line: render a story and check the manifest; check, new, schema, exit codes."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner
from PIL import Image

from outreach.cli import main
from tests.conftest import write_story
from tests.test_cards import STORY_VI


def render_cards(story: Path, out: Path, *platforms: str):
    """`outreach render STORY --only cards -q -p ...` through click's test runner."""
    args = ["render", str(story), "-o", str(out), "--only", "cards", "-q"]
    for platform in platforms:
        args += ["-p", platform]
    return CliRunner().invoke(main, args)


def test_render_writes_cards_posts_and_a_true_manifest(story_dir: Path, tmp_path: Path) -> None:
    story = write_story(story_dir, "agrilink.yaml", STORY_VI)
    out = tmp_path / "out"
    result = render_cards(story, out, "tiktok", "instagram-feed", "youtube-thumbnail")
    assert result.exit_code == 0, result.output
    manifest = json.loads((out / "manifest.json").read_text())
    files = manifest["files"]
    listed = {e["path"] for e in files}
    on_disk = {str(p.relative_to(out)) for p in out.rglob("*") if p.is_file()} - {"manifest.json"}
    assert listed == on_disk
    assert {e["platform"] for e in files} == {"tiktok", "instagram-feed", "youtube-thumbnail"}
    for e in files:
        path = out / e["path"]
        data = path.read_bytes()
        assert e["bytes"] == len(data)
        assert e["sha256"] == hashlib.sha256(data).hexdigest()
        assert e["story"] == "agrilink"
        assert set(e) >= {
            "path",
            "story",
            "platform",
            "output",
            "width",
            "height",
            "bytes",
            "sha256",
            "text_boxes",
        }
        if e["output"] in ("post", "caption"):
            assert e["width"] is None
            text = data.decode()
            assert "#HoiNhap" in text and "Ảnh: minh hoạ" in text
        elif e["output"] == "alt":
            assert e["images"] and all(f"{name}\n" in data.decode() for name in e["images"])
        else:
            assert e["output"] in ("card", "thumbnail")
            with Image.open(path) as im:
                assert (e["width"], e["height"]) == im.size
            assert e["text_boxes"] and all(
                {"field", "x", "y", "w", "h"} <= set(b) for b in e["text_boxes"]
            )
    assert (out / "agrilink" / "youtube-thumbnail" / "thumbnail.jpg").is_file()
    assert sorted(p.name for p in (out / "agrilink" / "tiktok").iterdir()) == [
        "caption.txt",
        "cover.jpg",
        "cta.jpg",
        "fact-01.jpg",
        "post.txt",
        "quote.jpg",
    ]
    assert not [p for p in out.rglob("*") if ".tmp-" in p.name]


def test_broken_story_writes_nothing_and_exits_1(story_dir: Path, tmp_path: Path) -> None:
    story = write_story(story_dir, "bad.yaml", STORY_VI.replace("kind: startup", "kind: startp"))
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["render", str(story), "-o", str(out)])
    assert result.exit_code == 1
    assert (
        f"{story}:1:7: error: kind: must be one of startup, engineer, student, explainer"
        in result.output
    )
    assert not out.exists() or not any(out.rglob("*.jpg"))


def test_check_exit_codes_and_format(story_dir: Path) -> None:
    good = write_story(story_dir, "good.yaml", STORY_VI)
    runner = CliRunner()
    ok = runner.invoke(main, ["check", str(good), "-p", "tiktok"])
    assert ok.exit_code == 0, ok.output
    assert "1 stories checked: 0 errors" in ok.output
    bad = write_story(story_dir, "bad.yaml", STORY_VI + "tittle: x\n")
    res = runner.invoke(main, ["check", str(story_dir)])
    assert res.exit_code == 1
    assert f"{bad}:16:1: error: tittle: unknown field — did you mean `title`?" in res.output
    usage = runner.invoke(main, ["check", "-p", "myspace", str(good)])
    assert usage.exit_code == 2


def test_strict_turns_warnings_into_errors(story_dir: Path) -> None:
    story = write_story(
        story_dir, "w.yaml", STORY_VI.replace("[HoiNhap, KhoiNghiep]", '["#Hội Nhập"]')
    )
    runner = CliRunner()
    assert runner.invoke(main, ["check", str(story), "-p", "tiktok"]).exit_code == 0
    strict = runner.invoke(main, ["check", "--strict", str(story), "-p", "tiktok"])
    assert strict.exit_code == 1
    assert "error: hashtags[0]: `#Hội Nhập` becomes `#HoiNhap`" in strict.output


def test_new_writes_a_story_that_checks(tmp_path: Path) -> None:
    target = tmp_path / "mine.yaml"
    runner = CliRunner()
    res = runner.invoke(main, ["new", str(target), "--kind", "engineer", "--lang", "vi"])
    assert res.exit_code == 0, res.output
    assert "kind: engineer" in target.read_text()
    assert runner.invoke(main, ["check", str(target), "-p", "tiktok"]).exit_code == 0
    again = runner.invoke(main, ["new", str(target), "--kind", "engineer"])
    assert again.exit_code == 1


def test_schema_is_json_schema() -> None:
    res = CliRunner().invoke(main, ["schema"])
    data = json.loads(res.output)
    assert data["type"] == "object"
    assert set(data["required"]) == {"kind", "lang", "title"}
    assert "beats" in data["properties"]


def test_platforms_lists_every_preset() -> None:
    res = CliRunner().invoke(main, ["platforms"])
    for name in (
        "tiktok",
        "youtube-shorts",
        "instagram-reels",
        "instagram-story",
        "facebook-reels",
        "instagram-feed",
        "instagram-carousel",
        "facebook-feed",
        "youtube-thumbnail",
    ):
        assert name in res.output


def test_every_command_has_help_with_an_example() -> None:
    runner = CliRunner()
    for command in main.commands:
        res = runner.invoke(main, [command, "--help"])
        assert res.exit_code == 0
        assert "Example" in res.output, command
        assert "--quiet" in res.output, command


def test_cli_import_is_lazy() -> None:
    code = "import sys, outreach.cli; print(sorted(m for m in ('moviepy', 'numpy', 'PIL') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_nfd_story_renders_byte_identical_to_its_nfc_twin(story_dir: Path, tmp_path: Path) -> None:
    import unicodedata

    nfc = write_story(story_dir, "twin.yaml", STORY_VI)
    other = story_dir / "nfd"
    other.mkdir()
    nfd = write_story(
        other,
        "twin.yaml",
        unicodedata.normalize("NFD", STORY_VI).replace("media/photo.jpg", "../media/photo.jpg"),
    )
    outs = []
    for i, story in enumerate((nfc, nfd)):
        out = tmp_path / f"out{i}"
        res = render_cards(story, out, "tiktok", "youtube-thumbnail")
        assert res.exit_code == 0, res.output
        outs.append(out)
    files = sorted(p.relative_to(outs[0]) for p in outs[0].rglob("*.jpg"))
    assert len(files) == 5  # tiktok: cover, quote, fact, cta; youtube: thumbnail
    for rel in files:
        assert (outs[0] / rel).read_bytes() == (outs[1] / rel).read_bytes(), rel


def test_sample_stories_check_clean_and_one_renders(tmp_path: Path) -> None:
    from tests.conftest import STORIES

    runner = CliRunner()
    checked = runner.invoke(main, ["check", "--strict", str(STORIES)])
    assert checked.exit_code == 0, checked.output
    assert "5 stories checked: 0 errors, 0 warnings" in checked.output
    out = tmp_path / "out"
    res = render_cards(STORIES / "startup-agrilink.yaml", out, "instagram-carousel")
    assert res.exit_code == 0, res.output
    files = json.loads((out / "manifest.json").read_text())["files"]
    assert {e["path"] for e in files} == {
        str(p.relative_to(out)) for p in out.rglob("*") if p.is_file() and p.name != "manifest.json"
    }
    for e in files:
        assert hashlib.sha256((out / e["path"]).read_bytes()).hexdigest() == e["sha256"]
    slides = sorted(e["path"] for e in files if e["output"] == "slide")
    assert (
        slides[0].endswith("instagram-carousel/slide-01.jpg") and len(slides) == 10
    )  # cover, 4 beats, quote, 3 facts (a slide each; no room left for a recap), CTA

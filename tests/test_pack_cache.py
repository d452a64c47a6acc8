"""Content keys: what changes an output's key, and what must not. No rendering here."""

from __future__ import annotations

import shutil
from pathlib import Path

from outreach.model.loader import load_story
from outreach.pack.cache import PackCache, output_key, theme_fingerprint
from outreach.platforms import get_platform
from outreach.themes import load_theme
from tests.conftest import write_story
from tests.test_pack import story_text

TIKTOK = [get_platform("tiktok")]


def keys(root: Path, text: str, theme_dirs: tuple[Path, ...] = ()) -> tuple[str, str]:
    path = write_story(root, "k.yaml", text)
    loaded = load_story(path, root)
    load_theme.cache_clear()
    fp = theme_fingerprint(load_theme(loaded.story.theme, (*theme_dirs, root / "themes")))
    return output_key(loaded, "cards", TIKTOK, fp), output_key(loaded, "video", TIKTOK, fp)


def test_what_changes_a_key(story_dir: Path) -> None:
    base = story_text("Một tiêu đề")
    cards, video = keys(story_dir, base)
    assert keys(story_dir, base) == (cards, video)  # stable
    # Pack-only fields change nothing.
    assert keys(story_dir, base + "publish: 2026-11-26\nweek: 2026-W48\n") == (cards, video)
    assert keys(story_dir, base.replace("status: approved", "status: draft")) == (cards, video)
    # A comment or a re-ordering changes nothing either: the key reads fields, not bytes.
    assert keys(story_dir, "# note\n" + base) == (cards, video)
    # Text changes both; a video-only field changes only the video.
    changed = keys(story_dir, base.replace("Một tiêu đề", "Hai tiêu đề"))
    assert changed[0] != cards and changed[1] != video
    timed = keys(story_dir, base.replace('Mù Cang Chải."\n', 'Mù Cang Chải."\n    duration: 3\n'))
    assert timed[0] == cards and timed[1] != video
    # The photo's bytes, not its name or mtime.
    photo = story_dir / "media" / "photo.jpg"
    data = photo.read_bytes()
    photo.write_bytes(data)
    assert keys(story_dir, base) == (cards, video)
    photo.write_bytes(data[:-2] + b"\x00\xd9")
    assert keys(story_dir, base)[0] != cards
    photo.write_bytes(data)
    # Another platform, or a user theme that overrides only a post template.
    loaded = load_story(story_dir / "k.yaml", story_dir)
    fp = theme_fingerprint(load_theme("default", (story_dir / "themes",)))
    assert output_key(loaded, "cards", [get_platform("youtube-shorts")], fp) != cards
    builtin = Path(load_theme("default").folders[0])
    user = story_dir / "themes" / "default"
    (user / "post").mkdir(parents=True)
    (user / "theme.yaml").write_text("extends: default\n")
    shutil.copy(builtin / "post" / "caption.txt.j2", user / "post" / "caption.txt.j2")
    first = keys(story_dir, base)[0]
    assert first != cards
    with open(user / "post" / "caption.txt.j2", "a", encoding="utf-8") as fh:
        fh.write("\n#thêm\n")
    assert keys(story_dir, base)[0] != first


def test_cache_records_need_their_files(tmp_path: Path) -> None:
    cache = PackCache(tmp_path)
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "x.jpg").write_bytes(b"12345")
    entry = {"path": "a/x.jpg", "bytes": 5}
    cache.store_outputs("a--cards--tiktok", "k1", [entry])
    assert cache.outputs("a--cards--tiktok", "k1") == [entry]
    assert cache.outputs("a--cards--tiktok", "k2") is None
    (tmp_path / "a" / "x.jpg").write_bytes(b"123")  # not the file the record made
    assert cache.outputs("a--cards--tiktok", "k1") is None
    (tmp_path / "a" / "x.jpg").unlink()
    assert cache.outputs("a--cards--tiktok", "k1") is None
    (tmp_path / ".cache" / "outputs" / "a--cards--tiktok.json").write_text("{broken")
    assert cache.outputs("a--cards--tiktok", "k1") is None

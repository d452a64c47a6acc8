"""The story reader: every bad input gets an exact, located error; NFD equals NFC."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from outreach.diagnostics import StoryError
from outreach.model.loader import load_story
from outreach.model.text import normalize_hashtag, slugify, strip_diacritics
from tests.conftest import write_story

GOOD = """\
kind: startup
lang: vi
title: "Từ Đồng Tháp đến Tokyo"
person: {name: "Trần Thị Mai", photo: media/photo.jpg}
"""


def errors_of(path: Path, root: Path | None = None) -> list[str]:
    with pytest.raises(StoryError) as info:
        load_story(path, root)
    return [d.format() for d in info.value.diagnostics]


def test_minimal_story_defaults(story_dir: Path) -> None:
    path = write_story(story_dir, "Từ Đồng Tháp.yaml", GOOD)
    loaded = load_story(path)
    assert loaded.id == "tu-dong-thap"
    assert loaded.story.status == "draft"
    assert loaded.story.platforms is None
    assert loaded.root == story_dir.resolve()


def test_malformed_yaml(story_dir: Path) -> None:
    path = write_story(story_dir, "bad.yaml", 'kind: startup\ntitle: "unclosed\nlang: vi\n')
    [msg] = errors_of(path)
    assert msg == (
        f'{path}:2:8: error: title: the quote " opened here is never closed — add the closing " '
        "at the end of the text on line 2"
    )


def test_unknown_field_did_you_mean(story_dir: Path) -> None:
    path = write_story(story_dir, "a.yaml", GOOD + "hok: oops\n")
    assert errors_of(path) == [f"{path}:5:1: error: hok: unknown field — did you mean `hook`?"]


def test_wrong_type_and_bad_choice(story_dir: Path) -> None:
    path = write_story(story_dir, "a.yaml", GOOD.replace("startup", "startp") + "beats: hello\n")
    assert errors_of(path) == [
        f"{path}:1:7: error: kind: must be one of startup, engineer, student, explainer "
        "(got `startp`) — did you mean `startup`?",
        f"{path}:5:8: error: beats: must be a list, got `hello` — write it as [a, b] or as "
        "lines starting with '- '",
    ]


def test_missing_required_and_empty_title(story_dir: Path) -> None:
    path = write_story(story_dir, "a.yaml", 'kind: student\ntitle: "  "\n')
    assert errors_of(path) == [
        f"{path}:1:1: error: lang: is required — add `lang:` to the story",
        f"{path}:2:8: error: title: must not be empty — write a short headline",
    ]


def test_missing_photo(story_dir: Path) -> None:
    path = write_story(story_dir, "a.yaml", GOOD.replace("media/photo.jpg", "media/nope.jpg"))
    assert errors_of(path) == [
        f"{path}:4:39: error: person.photo: file `media/nope.jpg` not found — check the "
        f"spelling; paths are relative to {story_dir}/"
    ]


def test_media_outside_root(story_dir: Path, tmp_path: Path) -> None:
    (tmp_path / "outside.jpg").write_bytes((story_dir / "media" / "photo.jpg").read_bytes())
    path = write_story(story_dir, "a.yaml", GOOD.replace("media/photo.jpg", "../outside.jpg"))
    [msg] = errors_of(path)
    assert f"{path}:4:39: error: person.photo: `../outside.jpg` is outside the stories root" in msg
    assert msg.endswith("— copy the file into the stories folder and point to it there")


def test_symlink_escaping_root_is_outside(story_dir: Path, tmp_path: Path) -> None:
    (tmp_path / "secret.jpg").write_bytes(b"x")
    (story_dir / "media" / "link.jpg").symlink_to(tmp_path / "secret.jpg")
    path = write_story(story_dir, "a.yaml", GOOD.replace("media/photo.jpg", "media/link.jpg"))
    [msg] = errors_of(path)
    assert "is outside the stories root" in msg


def test_hashtags_lose_diacritics_with_warning(story_dir: Path) -> None:
    path = write_story(story_dir, "a.yaml", GOOD + 'hashtags: ["#HộiNhập", NghiQuyet59]\n')
    loaded = load_story(path)
    assert loaded.story.hashtags == ["HoiNhap", "NghiQuyet59"]
    assert [w.format() for w in loaded.warnings] == [
        f"{path}:5:12: warning: hashtags[0]: `#HộiNhập` becomes `#HoiNhap` — write hashtags "
        "without diacritics or spaces"
    ]


def test_nfd_story_equals_nfc_twin(story_dir: Path) -> None:
    nfc = write_story(story_dir, "nfc.yaml", GOOD + 'quote: "Ấp ủ ước mơ Việt Nam"\n')
    nfd = write_story(story_dir, "nfd.yaml", unicodedata.normalize("NFD", nfc.read_text()))
    assert nfd.read_bytes() != nfc.read_bytes()
    a, b = load_story(nfc).story, load_story(nfd).story
    assert a.model_dump(exclude={"id"}) == b.model_dump(exclude={"id"})


def test_text_helpers() -> None:
    assert strip_diacritics("Đà Nẵng, Huế") == "Da Nang, Hue"
    assert slugify("Nghị quyết 59 — Hội nhập!") == "nghi-quyet-59-hoi-nhap"
    assert normalize_hashtag("#Hội Nhập") == "HoiNhap"


# --- property tests: the loader never crashes, it accepts or reports ----------------------

_scalars = st.one_of(
    st.text(max_size=30), st.integers(), st.floats(allow_nan=False), st.booleans(), st.none()
)
_values = st.recursive(
    _scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)
_fields = st.sampled_from(
    [
        "kind",
        "lang",
        "title",
        "hook",
        "beats",
        "facts",
        "person",
        "quote",
        "hashtags",
        "platforms",
        "status",
        "week",
        "publish",
        "id",
        "tittle",
    ]
)


@given(st.dictionaries(_fields, _values, max_size=8))
def test_loader_reports_or_accepts_any_mapping(tmp_path_factory, data) -> None:
    import yaml

    root = tmp_path_factory.mktemp("prop")
    path = root / "s.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    try:
        loaded = load_story(path, root)
    except StoryError as exc:
        assert exc.diagnostics
        for d in exc.diagnostics:
            text = d.format()
            assert text.startswith(str(path)) and ": error: " in text and " — " in text
    else:
        assert loaded.story.title.strip()


@given(st.text(max_size=200))
def test_loader_survives_arbitrary_text(tmp_path_factory, text) -> None:
    root = tmp_path_factory.mktemp("raw")
    path = root / "s.yaml"
    path.write_text(text, encoding="utf-8")
    try:
        load_story(path, root)
    except StoryError as exc:
        assert all(d.severity == "error" for d in exc.diagnostics)

"""The interface language: catalogs complete and compiled, LANG and ui_lang, both languages
on the command line. Story content is never translated."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from click.testing import CliRunner

from outreach import i18n
from outreach.cli import main

REPO = Path(__file__).resolve().parent.parent
FIELD = re.compile(r"\{(\w*)[^}]*\}")

BAD_STORY = """\
kind: startupp
lang: vi
title: ""
hook: "Nông sản Việt sang Nhật"
"""


def _extracted() -> set[str]:
    """Every message the code and templates mark, as `pybabel extract` finds them."""
    method_map = [("outreach/**.py", "python"), ("outreach/**.j2", "jinja2")]
    keywords = {"_": None, "N_": None, "ngettext": (1, 2)}
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(REPO), method_map=method_map, keywords=keywords
    ):
        found.add(message[0] if isinstance(message, tuple) else message)
    return found


def _catalog():
    with open(i18n.po_path("vi"), "rb") as fh:
        return read_po(fh, locale="vi")


def test_every_message_has_a_vietnamese_translation_with_the_same_fields() -> None:
    cat = _catalog()
    translated = {}
    for m in cat:
        if not m.id:
            continue
        key = m.id[0] if isinstance(m.id, tuple) else m.id
        value = m.string[0] if isinstance(m.string, tuple) else m.string
        assert value, f"untranslated: {key!r}"
        assert "fuzzy" not in m.flags, f"fuzzy: {key!r}"
        ids = m.id if isinstance(m.id, tuple) else (m.id,)
        wanted = set().union(*(set(FIELD.findall(i)) for i in ids))
        if isinstance(m.id, tuple):
            wanted.discard("n")  # Vietnamese has one form: the count may read as a word
        assert set(FIELD.findall(value)) - {"n"} <= wanted | {"n"}, key
        assert wanted <= set(FIELD.findall(value)) | {"n"}, (key, value)
        translated[key] = value
    missing = sorted(_extracted() - set(translated))
    assert not missing, f"run pybabel extract/update (README) and translate: {missing[:5]}"
    stale = sorted(set(translated) - _extracted())
    assert not stale, f"messages no code uses any more: {stale[:5]}"


def test_language_comes_from_lang_and_ui_lang_overrides_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert i18n.normalize("vi_VN.UTF-8") == "vi"
    assert i18n.normalize("en_US.UTF-8") == "en"
    assert i18n.normalize("C.UTF-8") == "en"
    assert i18n.normalize("") is None
    monkeypatch.setenv("LANG", "vi_VN.UTF-8")
    assert i18n.configure([tmp_path]) == "vi"
    assert i18n._("error") == "lỗi"
    (tmp_path / "outreach.toml").write_text('ui_lang = "en"\n')
    (tmp_path / "stories").mkdir()
    assert i18n.configure([tmp_path / "stories"]) == "en"
    assert i18n._("error") == "error"
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    (tmp_path / "outreach.toml").write_text('ui_lang = "vi"\n')
    assert i18n.configure([tmp_path / "stories"]) == "vi"
    assert i18n._("warning") == "cảnh báo"
    (tmp_path / "outreach.toml").write_text("ui_lang = [broken\n")
    assert i18n.configure([tmp_path / "stories"]) == "en"  # a broken file: LANG decides


def test_a_missing_or_stale_compiled_catalog_is_rebuilt_from_the_po(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    locale = tmp_path / "locale"
    po = locale / "vi" / "LC_MESSAGES" / "outreach.po"
    po.parent.mkdir(parents=True)
    po.write_bytes(i18n.po_path("vi").read_bytes())
    monkeypatch.setattr(i18n, "LOCALE_DIR", locale)
    monkeypatch.setattr(i18n, "_catalogs", {})
    assert i18n.catalog("vi").gettext("error") == "lỗi"
    mo = po.with_suffix(".mo")
    assert mo.is_file(), "the compiled catalog is written beside the .po"
    po.write_text(
        po.read_text(encoding="utf-8").replace('msgstr "lỗi"', 'msgstr "LỖI"'), encoding="utf-8"
    )
    monkeypatch.setattr(i18n, "_catalogs", {})
    assert i18n.catalog("vi").gettext("error") == "LỖI", "an edited .po is compiled again"
    mo.write_bytes(b"not a catalog")
    monkeypatch.setattr(i18n, "_catalogs", {})
    assert i18n.catalog("vi").gettext("error") == "LỖI"


def _check(story_dir: Path, lang: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["check", str(story_dir)], env={"LANG": lang})
    return result.exit_code, result.output


def test_check_speaks_vietnamese_or_english_and_never_translates_the_story(
    story_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (story_dir / "bad.yaml").write_text(BAD_STORY, encoding="utf-8")
    monkeypatch.chdir(story_dir)
    code, out = _check(Path("."), "vi_VN.UTF-8")
    assert code == 1
    assert out.splitlines() == [
        "bad.yaml:1:7: lỗi: kind: phải là một trong startup, engineer, student, explainer "
        "(đang là `startupp`) — ý bạn là `startup`?",
        "bad.yaml:3:8: lỗi: title: không được để trống — viết một tiêu đề ngắn",
        "đã kiểm tra 1 truyện: 2 lỗi, 0 cảnh báo",
    ]
    code, out = _check(Path("."), "en_US.UTF-8")
    assert code == 1
    assert out.splitlines() == [
        "bad.yaml:1:7: error: kind: must be one of startup, engineer, student, explainer "
        "(got `startupp`) — did you mean `startup`?",
        "bad.yaml:3:8: error: title: must not be empty — write a short headline",
        "1 stories checked: 2 errors, 0 warnings",
    ]
    (story_dir / "outreach.toml").write_text('ui_lang = "vi"\n')
    code, out = _check(Path("."), "en_US.UTF-8")
    assert out.splitlines()[-1] == "đã kiểm tra 1 truyện: 2 lỗi, 0 cảnh báo"


def test_the_command_line_starts_without_babel() -> None:
    code = (
        "import sys, outreach.cli, outreach.i18n as i; i.set_language('vi'); i._('error'); "
        "print(sorted(m for m in sys.modules if m.startswith('babel')))"
    )
    # The first run may compile the catalog (a fresh clone, an edited .po); then it is read.
    subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_new_writes_comments_in_the_interface_language_and_content_in_the_story_language(
    tmp_path: Path,
) -> None:
    runner = CliRunner()
    vi = tmp_path / "vi.yaml"
    res = runner.invoke(
        main, ["new", str(vi), "--kind", "startup", "--lang", "en"], env={"LANG": "vi_VN.UTF-8"}
    )
    assert res.exit_code == 0, res.output
    text = vi.read_text(encoding="utf-8")
    assert text.startswith("# Một truyện startup mới. Chạy `outreach check ")
    assert "# draft | approved — gói tuần chỉ lấy truyện đã duyệt" in text
    assert 'title: "A short headline, under 60 characters"' in text  # the story's language
    assert res.output.startswith("đã ghi ")
    en = tmp_path / "en.yaml"
    res = runner.invoke(
        main, ["new", str(en), "--kind", "startup", "--lang", "vi"], env={"LANG": "en_US.UTF-8"}
    )
    text = en.read_text(encoding="utf-8")
    assert text.startswith("# A new startup story.") and 'title: "Tiêu đề ngắn' in text
    # The comments never change what the file says.
    import yaml

    assert yaml.safe_load(vi.read_text(encoding="utf-8"))["status"] == "draft"

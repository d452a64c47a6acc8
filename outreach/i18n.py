"""The interface language: English or Vietnamese messages, from gettext catalogs.

Messages are written in English in the code and wrapped in `_()`; Vietnamese lives in
`outreach/locale/vi/LC_MESSAGES/outreach.po`, managed with Babel (`pybabel extract` /
`update`, see README). Story content is never translated: only what the tool says.

The language is `ui_lang` from the project's `outreach.toml` when set, else `LANG`
(`vi…` gives Vietnamese, anything else English). The CLI settles it once per run;
the pack's worker processes are started in it (`pack.executor.start_worker`).

The compiled catalog (`outreach.mo`, not in git) is rebuilt from the `.po` on first use
whenever it is missing or was compiled from another version of the `.po` (the `.po`'s
sha256 is stored inside the `.mo`), so an editable install and a fresh clone always speak
the current catalog. Babel is imported only then; the usual start costs one small read.
"""

from __future__ import annotations

import gettext
import io
import os
from pathlib import Path

DOMAIN = "outreach"
LANGUAGES = ("en", "vi")
SOURCE_LANGUAGE = "en"
LOCALE_DIR = Path(__file__).parent / "locale"
#: A message id no code uses: its translation is the sha256 of the `.po` compiled.
_DIGEST_KEY = "__outreach_po_sha256__"

_current: str | None = None
_catalogs: dict[str, gettext.NullTranslations] = {}


def normalize(value: str | None) -> str | None:
    """`vi_VN.UTF-8`, `vi`, `VI` -> "vi"; `en_US`, `C.UTF-8` -> "en"; empty -> None."""
    if not value or not value.strip():
        return None
    return "vi" if value.strip().lower().startswith("vi") else "en"


def language_from_env() -> str:
    """The language `LANG` asks for."""
    return normalize(os.environ.get("LANG")) or "en"


def project_language(root: Path) -> str | None:
    """`ui_lang` from `root/outreach.toml`, or None when the file or the key is absent
    (or the file cannot be read: a broken config never stops a run over messages)."""
    import tomllib

    try:
        data = tomllib.loads((root / "outreach.toml").read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return None
    value = data.get("ui_lang")
    return normalize(value) if isinstance(value, str) else None


def find_project_language(paths: list[Path]) -> str | None:
    """`ui_lang` of the nearest `outreach.toml` at or above the given paths (then the
    working folder)."""
    for given in [*paths, Path.cwd()]:
        try:
            start = given.resolve()
        except OSError:
            continue
        folder = start if start.is_dir() else start.parent
        for candidate in (folder, *folder.parents):
            if (candidate / "outreach.toml").is_file():
                found = project_language(candidate)
                if found is not None:
                    return found
                break
    return None


def configure(paths: list[Path] | None = None) -> str:
    """Settle the language for this run: `ui_lang` of the project, else `LANG`.
    Returns "en" or "vi"."""
    lang = find_project_language(list(paths or [])) or language_from_env()
    set_language(lang)
    return lang


def set_language(lang: str) -> None:
    global _current
    _current = normalize(lang) or "en"


def current_language() -> str:
    global _current
    if _current is None:
        _current = language_from_env()
    return _current


def _(message: str, /, **params: object) -> str:
    """`message` in the interface language, with `{name}` fields filled from `params`."""
    text = catalog(current_language()).gettext(message)
    return text.format(**params) if params else text


def ngettext(singular: str, plural: str, n: int, /, **params: object) -> str:
    """The singular or plural form for `n` (Vietnamese has one form), fields filled; `n`
    is available as `{n}`."""
    text = catalog(current_language()).ngettext(singular, plural, n)
    return text.format(n=n, **params)


def N_(message: str) -> str:
    """Marks a message for extraction where it is translated later (a table, a default)."""
    return message


def catalog(lang: str) -> gettext.NullTranslations:
    """The translations of `lang` (English: the messages as written)."""
    found = _catalogs.get(lang)
    if found is None:
        found = _load(lang) if lang != SOURCE_LANGUAGE else gettext.NullTranslations()
        _catalogs[lang] = found
    return found


def po_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def _load(lang: str) -> gettext.NullTranslations:
    import hashlib

    po = po_path(lang)
    try:
        po_bytes = po.read_bytes()
    except OSError:
        return gettext.NullTranslations()
    digest = hashlib.sha256(po_bytes).hexdigest()
    for mo in _compiled_candidates(lang, digest):
        try:
            with open(mo, "rb") as fh:
                translations = gettext.GNUTranslations(fh)
        except (OSError, ValueError):  # missing, or not a catalog
            continue
        if translations.gettext(_DIGEST_KEY) == digest:
            return translations
    mo_bytes = compile_po(po_bytes, lang, digest)
    for mo in _compiled_candidates(lang, digest):
        if _write_quietly(mo, mo_bytes):
            break
    return gettext.GNUTranslations(io.BytesIO(mo_bytes))


def _compiled_candidates(lang: str, digest: str) -> list[Path]:
    """Where a compiled catalog may live: beside the `.po` (an editable install or a
    clone), else in the user's cache (a read-only install)."""
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return [
        po_path(lang).with_suffix(".mo"),
        cache / "outreach" / "locale" / f"{lang}-{digest[:16]}.mo",
    ]


def compile_po(po_bytes: bytes, lang: str, digest: str) -> bytes:
    """The `.mo` bytes of a `.po` (Babel), with the `.po`'s digest stored inside."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    cat = read_po(io.BytesIO(po_bytes), locale=lang, domain=DOMAIN)
    cat.add(_DIGEST_KEY, digest)
    out = io.BytesIO()
    write_mo(out, cat, use_fuzzy=False)
    return out.getvalue()


def _write_quietly(path: Path, data: bytes) -> bool:
    """Write atomically; False (and nothing printed) when the folder is not writable."""
    import tempfile

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".mo")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError:
        return False
    return True

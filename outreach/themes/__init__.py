"""Themes and brand kits as data: colours, fonts, logo, and card layouts made of layers.

Lookup follows Pelican: user theme folders first, then the built-in ones, so a team can
override `default` by shipping its own `themes/default/theme.yaml`. A theme may `extends:`
another and override only what differs.
"""

from __future__ import annotations

import functools
import hashlib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from outreach.paths import builtin_themes_dir, fonts_dir

THEME_FILE = "theme.yaml"
ENV_THEME_PATH = "OUTREACH_THEME_PATH"
#: A theme is found by name in the theme folders, never by path (no `../`, no `/abs`).
THEME_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")
#: Theme files are small; a bigger one is the wrong file.
MAX_THEME_BYTES = 512 * 1024
#: Sections of theme.yaml that must be mappings.
_MAPPINGS = ("colors", "fonts", "layouts", "strings", "video")


class ThemeError(ValueError):
    def __init__(self, message: str, hint: str = "", diagnostics: list[Any] | None = None):
        self.message = message
        self.hint = hint
        #: Located problems in theme.yaml files (`Diagnostic`s), when the schema found any.
        self.diagnostics = diagnostics or []
        super().__init__(f"{message} — {hint}" if hint else message)


class UnknownTheme(ThemeError):
    def __init__(self, name: str, known: list[str]):
        self.name = name
        self.known = known
        super().__init__(f"unknown theme `{name}`", "use one of: " + ", ".join(known))


@dataclass(frozen=True)
class Theme:
    name: str
    label: str
    folders: tuple[Path, ...]  # this theme's folder first, then those it extends
    colors: dict[str, str]
    fonts: dict[str, str]  # role -> absolute font path
    logo: str | None
    keep_together: tuple[str, ...]
    layouts: dict[str, dict[str, list[dict[str, Any]]]]
    strings: dict[str, dict[str, str]]
    video: dict[str, Any]
    music: str | None
    digest: str = field(compare=False)
    photo: dict[str, Any] = field(default_factory=dict)
    #: language ("*" for any) -> role ("on_dark", "on_light") -> absolute logo path
    logo_variants: dict[str, dict[str, str]] = field(default_factory=dict)
    logo_ink: str = "text"
    #: The colour of the soft shade behind a logo on a busy photo.
    logo_shade: str = "deep"
    handle: dict[str, str] = field(default_factory=dict)
    #: Every file the theme names or ships (theme.yaml chain, templates, fonts, logos and
    #: layer variants, music): what `digest` hashes, and what a watcher should watch.
    files: tuple[str, ...] = field(default=(), compare=False)
    #: The built-in theme folder this (user) theme shadows, if any.
    overrides: str | None = field(default=None, compare=False)

    def color(self, value: str) -> tuple[int, int, int, int]:
        """A theme colour name or a #RRGGBB[AA] literal as RGBA."""
        raw = self.colors.get(value, value)
        return parse_color(raw)

    def font(self, role: str) -> str:
        if role not in self.fonts:
            raise ThemeError(
                f"theme `{self.name}` has no font role `{role}`",
                "add it under fonts: in theme.yaml",
            )
        return self.fonts[role]

    @property
    def emoji_font(self) -> str:
        return self.font("emoji")

    def variants(self, fmt: str, card: str) -> dict[str, dict[str, Any]]:
        """The named layouts of one card type for a format (`common` is the fallback).

        A card written as a plain list of layers (the older format) is one variant named
        after the card; a mapping gives several, each `{needs, max_chars, layers}`.
        """
        body = self.layouts.get(fmt, {}).get(card)
        if body is None:
            body = self.layouts.get("common", {}).get(card)
        if body is None:
            raise ThemeError(
                f"theme `{self.name}` has no `{card}` layout for {fmt} cards",
                f"add layouts.{fmt}.{card} (or layouts.common.{card}) to theme.yaml",
            )
        if isinstance(body, list):
            return {card: {"layers": body, "needs": [], "max_chars": {}}}
        out: dict[str, dict[str, Any]] = {}
        for name, v in body.items():
            if isinstance(v, list):
                v = {"layers": v}
            out[name] = {"needs": [], "max_chars": {}, **v}
        return out

    def layers(self, fmt: str, card: str, variant: str = "") -> list[dict[str, Any]]:
        """The layers of one layout: `variant` of `card`, or its first one."""
        variants = self.variants(fmt, card)
        if variant and variant in variants:
            return list(variants[variant]["layers"])
        return list(next(iter(variants.values()))["layers"])

    def logos_for(self, lang: str) -> list[tuple[str, str]]:
        """(role, path) of the declared logos for a language, this language's first."""
        out: list[tuple[str, str]] = []
        for key in (lang, "*"):
            for role, path in self.logo_variants.get(key, {}).items():
                if (role, path) not in out:
                    out.append((role, path))
        if not out and self.logo:
            out.append(("logo", self.logo))
        return out

    def handle_for(self, lang: str) -> str:
        return self.handle.get(lang) or self.handle.get("*", "")

    def string(self, key: str, lang: str) -> str:
        entry = self.strings.get(key, {})
        return entry.get(lang) or entry.get("en") or ""

    def find_file(self, relative: str) -> Path | None:
        """A file shipped with the theme (template, logo), searched through `extends`."""
        for folder in self.folders:
            candidate = folder / relative
            if candidate.is_file():
                return candidate
        return None


def parse_color(raw: str) -> tuple[int, int, int, int]:
    s = str(raw).strip().lstrip("#")
    if len(s) not in (6, 8) or any(c not in "0123456789abcdefABCDEF" for c in s):
        raise ThemeError(f"`{raw}` is not a colour", "write colours as #RRGGBB or #RRGGBBAA")
    r, g, b = (int(s[i : i + 2], 16) for i in (0, 2, 4))
    a = int(s[6:8], 16) if len(s) == 8 else 255
    return (r, g, b, a)


def search_path(user_dirs: tuple[Path, ...] = ()) -> tuple[Path, ...]:
    """User theme folders (command line, stories root, $OUTREACH_THEME_PATH), then built-ins."""
    env = tuple(Path(p) for p in os.environ.get(ENV_THEME_PATH, "").split(os.pathsep) if p)
    return (*user_dirs, *env, builtin_themes_dir())


def available_themes(user_dirs: tuple[Path, ...] = ()) -> list[str]:
    names: set[str] = set()
    for folder in search_path(user_dirs):
        if folder.is_dir():
            names.update(p.parent.name for p in folder.glob(f"*/{THEME_FILE}"))
    return sorted(names)


def check_name(name: Any) -> str:
    """A theme name, or ThemeError: names are looked up in the theme folders only."""
    if not isinstance(name, str) or not THEME_NAME.fullmatch(name):
        raise ThemeError(
            f"`{str(name)[:80]}` is not a theme name",
            "name a theme folder (e.g. `default`, `lotus`); paths are not accepted",
        )
    return name


def _find_theme_dir(name: str, dirs: tuple[Path, ...], skip: Path | None = None) -> Path | None:
    check_name(name)
    for folder in dirs:
        candidate = folder / name
        try:
            if (candidate / THEME_FILE).is_file() and candidate.resolve() != skip:
                return candidate.resolve()
        except OSError:  # an unreadable folder or a symlink loop is no theme
            continue
    return None


def _theme_bytes(path: Path) -> bytes:
    """theme.yaml's bytes; a plain error for an oversized or unreadable file."""
    try:
        if path.stat().st_size > MAX_THEME_BYTES:
            raise ThemeError(f"{path} is too large for a theme file", "check the file")
        return path.read_bytes()
    except OSError as exc:
        raise ThemeError(f"cannot read {path}: {exc.strerror or exc}", "check it") from None


def _merge(base: dict, override: dict) -> dict:
    out = dict(base)
    for key, value in override.items():
        if key in ("layouts", "colors", "fonts", "strings", "video", "photo") and isinstance(
            out.get(key), dict
        ):
            merged = dict(out[key])
            for k, v in value.items():
                if isinstance(v, dict) and isinstance(merged.get(k), dict) and key != "colors":
                    merged[k] = {**merged[k], **v}
                else:
                    merged[k] = v
            out[key] = merged
        else:
            out[key] = value
    return out


def _read(
    name: str, dirs: tuple[Path, ...], depth: int = 0, skip: Path | None = None
) -> tuple[dict, list[Path], list[bytes]]:
    if depth > 5:
        raise ThemeError(f"theme `{name}` extends itself in a loop", "check `extends:`")
    folder = _find_theme_dir(name, dirs, skip)
    if folder is None:
        raise UnknownTheme(name, available_themes(dirs[:-1]))
    raw_bytes = _theme_bytes(folder / THEME_FILE)
    data = _validated(folder / THEME_FILE, raw_bytes)
    parent_name = data.pop("extends", None)
    if parent_name is not None:
        check_name(parent_name)
    if parent_name:
        # A user theme may extend the built-in theme of the same name.
        parent, parent_dirs, parent_bytes = _read(
            parent_name, dirs, depth + 1, folder if parent_name == name else None
        )
        return _merge(parent, data), [folder, *parent_dirs], [raw_bytes, *parent_bytes]
    return data, [folder], [raw_bytes]


def _validated(path: Path, raw: bytes) -> dict[str, Any]:
    """theme.yaml checked against the schema; every problem is raised at once, located."""
    from outreach.themes.schema import validate_theme_file

    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ThemeError(f"{path}: is not valid UTF-8", "save the theme file as UTF-8") from exc
    data, diags = validate_theme_file(path, text)
    errors = [d for d in diags if d.severity == "error"]
    if errors:
        first = errors[0]
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        raise ThemeError(
            f"theme file {first.format()}{more}", "fix the theme file", diagnostics=errors
        )
    return dict(data)


def _resolve_font(value: str, folders: list[Path]) -> str:
    for folder in (*folders, fonts_dir()):
        candidate = folder / value
        if candidate.is_file():
            return str(candidate.resolve())
    raise ThemeError(
        f"font `{value}` not found in the theme or in assets/fonts",
        "bundle the font file with the theme; system fonts are never used",
    )


def _find_in(folders: list[Path], relative: str) -> str | None:
    """A file named relative to a theme folder, searched through `extends`."""
    for folder in folders:
        try:
            candidate = (folder / relative).resolve()
            if candidate.is_file():
                return str(candidate)
        except (OSError, RuntimeError, ValueError):
            continue
    return None


def _named_files(value: Any, folders: list[Path], out: set[str]) -> None:
    """Every string in the theme's data that names a file of the theme (logo variants,
    images of layers, anything a layer type may read), found through `extends`."""
    if isinstance(value, dict):
        for v in value.values():
            _named_files(v, folders, out)
    elif isinstance(value, list):
        for v in value:
            _named_files(v, folders, out)
    elif isinstance(value, str) and ("/" in value or "." in value) and len(value) < 512:
        found = _find_in(folders, value)
        if found:
            out.add(found)


def _library_files(music: str | None) -> set[str]:
    """The audio files a music library (`music: beds.yaml`) lists: a changed bed must
    change the theme's digest like a changed logo does."""
    if not music or Path(music).suffix.lower() not in (".yaml", ".yml"):
        return set()
    from outreach.model import yamlsafe

    try:
        data = yamlsafe.safe_load(Path(music).read_text(encoding="utf-8")) or {}
    except (OSError, UnicodeDecodeError, yamlsafe.YamlProblem):
        return set()
    found: set[str] = set()
    beds = data.get("beds") if isinstance(data, dict) else None
    for bed in (beds or {}).values() if isinstance(beds, dict) else ():
        if isinstance(bed, dict) and isinstance(bed.get("file"), str):
            path = (Path(music).parent / bed["file"]).resolve()
            if path.is_file():
                found.add(str(path))
    return found


def _theme_files(folders: list[Path]) -> set[str]:
    """Every file shipped inside the theme folders (templates, images, fonts)."""
    found: set[str] = set()
    for folder in folders:
        for dirpath, dirnames, filenames in os.walk(folder):
            dirnames[:] = [d for d in dirnames if not d.startswith(".")]
            found.update(
                str(Path(dirpath, n).resolve()) for n in filenames if not n.startswith(".")
            )
    return found


def _digest(raw: list[bytes], files: list[str]) -> str:
    from outreach.fingerprint import file_digest

    h = hashlib.sha256()
    for chunk in raw:
        h.update(hashlib.sha256(chunk).digest())
    for path in files:
        h.update(path.encode("utf-8", "surrogateescape"))
        h.update(file_digest(path).encode())
    return h.hexdigest()[:32]


@functools.lru_cache(maxsize=32)
def load_theme(name: str, user_dirs: tuple[Path, ...] = ()) -> Theme:
    dirs = search_path(user_dirs)
    data, folders, raw = _read(name, dirs)
    fonts = {role: _resolve_font(str(v), folders) for role, v in (data.get("fonts") or {}).items()}
    logo = None
    if isinstance(data.get("logo"), str):
        logo = _find_in(folders, data["logo"])
        if logo is None:
            raise ThemeError(f"logo `{data['logo']}` not found", "check `logo:` in theme.yaml")
    music = _find_in(folders, data["music"]) if data.get("music") else None
    if data.get("music") and music is None:
        raise ThemeError(f"music `{data['music']}` not found", "check `music:` in theme.yaml")
    logo_variants = _logo_variants(data.get("logo"), folders)
    if isinstance(data.get("logo"), dict):
        first = next((p for roles in logo_variants.values() for p in roles.values()), None)
        logo = first
    logo_files = {p for roles in logo_variants.values() for p in roles.values()}
    named: set[str] = {
        *fonts.values(),
        *([logo] if logo else []),
        *([music] if music else []),
        *logo_files,
    }
    _named_files(data.get("layouts") or {}, folders, named)
    _named_files(data.get("video") or {}, folders, named)
    named |= _library_files(music)
    files = sorted(named | _theme_files(folders))
    builtin = builtin_themes_dir().resolve() / name
    overrides = str(builtin) if folders[0] != builtin and (builtin / THEME_FILE).is_file() else None
    return Theme(
        name=name,
        label=data.get("label", name),
        folders=tuple(folders),
        colors={k: str(v) for k, v in (data.get("colors") or {}).items()},
        fonts=fonts,
        logo=logo,
        keep_together=tuple(data.get("keep_together") or ()),
        layouts=data.get("layouts") or {},
        strings=data.get("strings") or {},
        video=data.get("video") or {},
        music=music,
        digest=_digest(raw, files),
        photo=dict(data.get("photo") or {}),
        logo_variants=logo_variants,
        logo_ink=str(data.get("logo_ink") or "text"),
        logo_shade=str(data.get("logo_shade") or "deep"),
        handle=_handles(data.get("handle")),
        files=tuple(files),
        overrides=overrides,
    )


def _handles(raw: Any) -> dict[str, str]:
    if isinstance(raw, str):
        return {"*": raw}
    return {str(k): str(v) for k, v in (raw or {}).items()}


def _logo_variants(raw: Any, folders: list[Path]) -> dict[str, dict[str, str]]:
    """`logo:` as a file, or {on_dark, on_light, vi: {...}, en: {...}}, resolved to paths."""
    if not isinstance(raw, dict):
        return {}
    out: dict[str, dict[str, str]] = {}
    groups = {"*": {k: v for k, v in raw.items() if k in ("on_dark", "on_light")}}
    for lang in ("vi", "en"):
        if isinstance(raw.get(lang), dict):
            groups[lang] = raw[lang]
    for lang, roles in groups.items():
        for role, rel in roles.items():
            if not rel:
                continue
            found = _find_in(folders, rel)
            if found is None:
                raise ThemeError(f"logo `{rel}` not found", f"check `logo.{role}` in theme.yaml")
            out.setdefault(lang, {})[role] = found
    return out

"""Read a story file: YAML with line numbers -> validated `Story`, or every error at once.

This is the *reader* of the pipeline (as in Pelican): it knows files and YAML; the
renderer downstream only ever sees a `LoadedStory`.
"""

from __future__ import annotations

import difflib
import os
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from outreach.diagnostics import Diagnostic, Severity, StoryError, display_path
from outreach.i18n import _
from outreach.model import yamlsafe
from outreach.model.story import ControlCharacter, EmptyText, Story, safe_id
from outreach.model.text import mark_order_slips, nfc, normalize_hashtag

FieldPath = tuple[str | int, ...]
PROJECT_MARKER = "outreach.toml"
STORY_SUFFIXES = (".yaml", ".yml")
#: A story is a few kilobytes of text; anything this big is the wrong file (or an attack),
#: and is refused before it is parsed.
MAX_STORY_BYTES = 256 * 1024


@dataclass
class LoadedStory:
    """A validated story plus where it came from, so later stages can point at lines."""

    story: Story
    path: Path
    root: Path
    positions: dict[FieldPath, tuple[int, int]] = field(default_factory=dict)
    warnings: list[Diagnostic] = field(default_factory=list)
    #: Media paths as written -> the file as it is on disk (its name may be NFD).
    media: dict[str, Path] = field(default_factory=dict)
    #: The exact bytes this story was read from: caches key on what was rendered.
    source: bytes = b""

    @property
    def id(self) -> str:
        assert self.story.id is not None
        return self.story.id

    def locate(self, path: FieldPath) -> tuple[int, int]:
        """Line and column of a field, falling back to its nearest parent."""
        return _locate(self.positions, path)

    def diagnostic(
        self, severity: Severity, path: FieldPath, message: str, hint: str = ""
    ) -> Diagnostic:
        line, col = self.locate(path)
        return Diagnostic(
            display_path(self.path), line, col, severity, format_field(path), message, hint
        )

    def media_path(self, relative: str) -> Path:
        """The resolved media file as found on disk; validity was checked at load time."""
        found = self.media.get(relative)
        return found if found is not None else (self.path.parent / relative).resolve()


def format_field(path: FieldPath) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(story)"


def _locate(positions: dict[FieldPath, tuple[int, int]], path: FieldPath) -> tuple[int, int]:
    p = tuple(path)
    while p:
        if p in positions:
            return positions[p]
        p = p[:-1]
    return positions.get((), (1, 1))


def find_root(story_path: Path) -> Path:
    """The stories root for a single file: the nearest folder upwards with `outreach.toml`,
    else the file's own folder."""
    folder = story_path.resolve().parent
    for candidate in (folder, *folder.parents):
        if (candidate / PROJECT_MARKER).is_file():
            return candidate
    return folder


def project_root(folder: Path) -> Path:
    """The stories root of a folder of stories: the nearest folder at or above it with
    `outreach.toml` (so `outreach init`'s DIR/themes/ and DIR/media/ belong to
    DIR/stories/), else the folder itself."""
    resolved = folder.resolve()
    for candidate in (resolved, *resolved.parents):
        if (candidate / PROJECT_MARKER).is_file():
            return candidate
    return resolved


def discover_stories(paths: list[Path]) -> list[tuple[Path, Path]]:
    """(story file, stories root) pairs for files and folders given on the command line."""
    found: list[tuple[Path, Path]] = []
    for given in paths:
        if given.is_dir():
            root = project_root(given)
            for p in sorted(_walk(given)):
                rel = p.relative_to(given).parts
                if (
                    p.suffix in STORY_SUFFIXES
                    and not any(part.startswith(".") for part in rel)
                    and "themes" not in rel
                    and _is_file(p)
                ):
                    found.append((p, root))
        else:
            found.append((given, find_root(given)))
    return found


def _walk(folder: Path) -> list[Path]:
    """Every file below `folder`, following symlinked folders once (a loop ends the walk
    down that branch instead of raising)."""
    out: list[Path] = []
    seen: set[tuple[int, int]] = set()
    for dirpath, dirnames, filenames in os.walk(folder, followlinks=True, onerror=None):
        try:
            st = os.stat(dirpath)
        except OSError:
            dirnames[:] = []
            continue
        if (st.st_dev, st.st_ino) in seen:
            dirnames[:] = []
            continue
        seen.add((st.st_dev, st.st_ino))
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        out += [Path(dirpath) / name for name in filenames]
    return out


def _is_file(path: Path) -> bool:
    try:
        return path.is_file()
    except OSError:  # a symlink loop or an unreadable entry: the loader reports it
        return True


# --- YAML with positions --------------------------------------------------------------

#: (field path, line, col, severity, message, hint) found while reading the YAML.
Problem = tuple[FieldPath, int, int, Severity, str, str]


def _problem(
    path: FieldPath, node: yaml.Node, severity: Severity, message: str, hint: str
) -> Problem:
    return (path, node.start_mark.line + 1, node.start_mark.column + 1, severity, message, hint)


def _text_problem(value: str) -> tuple[str, str] | None:
    """Characters no text can hold: a lone surrogate (from a `\\ud800` escape) cannot even
    be written to a file. Control characters are the model's concern (`clean_text`)."""
    for ch in value:
        code = ord(ch)
        if 0xD800 <= code <= 0xDFFF:
            return (
                _(
                    "contains a broken character (a lone surrogate, U+{code})",
                    code=format(code, "04X"),
                ),
                _("remove the \\u escape or write the character itself"),
            )
    return None


class _Reader:
    """Turns a composed node tree into plain data, remembering every position."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.positions: dict[FieldPath, tuple[int, int]] = {}
        self.key_positions: dict[FieldPath, tuple[int, int]] = {}
        self.problems: list[Problem] = []
        self._constructor = yaml.SafeLoader("")

    def data(self, node: yaml.Node, path: FieldPath) -> Any:
        self.positions[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
        if isinstance(node, yaml.MappingNode):
            out: dict[Any, Any] = {}
            for key_node, value_node in node.value:
                if not isinstance(key_node, yaml.ScalarNode):
                    self.problems.append(
                        _problem(
                            path,
                            key_node,
                            "error",
                            _("a field name must be plain text"),
                            _("write `name: value`"),
                        )
                    )
                    continue
                key = key_node.value
                if key in out:
                    self.problems.append(
                        _problem(
                            path + (key,),
                            key_node,
                            "error",
                            _("`{key}` appears twice", key=key),
                            _("keep only one"),
                        )
                    )
                self.key_positions[path + (key,)] = (
                    key_node.start_mark.line + 1,
                    key_node.start_mark.column + 1,
                )
                out[key] = self.data(value_node, path + (key,))
            return out
        if isinstance(node, yaml.SequenceNode):
            return [self.data(item, path + (i,)) for i, item in enumerate(node.value)]
        return self._scalar(node, path)

    def _scalar(self, node: yaml.Node, path: FieldPath) -> Any:
        assert isinstance(node, yaml.ScalarNode)
        swallowed = yamlsafe.comment_swallowed(self.text, node)
        if swallowed:
            bare = swallowed.lstrip("#")
            self.problems.append(
                _problem(
                    path,
                    node,
                    "error",
                    _(
                        "is empty: `{text}` starts a comment (in YAML, # after a space starts a comment)",
                        text=swallowed,
                    ),
                    _(
                        'quote the hashtag ("{text}") or drop the # ({bare})',
                        text=swallowed,
                        bare=bare,
                    ),
                )
            )
            return None
        runs_on = yamlsafe.quote_runs_on(self.text, node)
        if runs_on is not None:
            self.problems.append(
                (path, runs_on.line, runs_on.col, "error", runs_on.message, runs_on.hint)
            )
        try:
            value = self._constructor.construct_object(node, deep=True)
        except (ValueError, OverflowError, yaml.YAMLError):
            # e.g. `publish: 2026-02-30` looks like a date but is not one: keep the text,
            # the schema says what is wrong with it.
            value = node.value
            if node.tag.endswith(":timestamp"):
                self.problems.append(
                    _problem(
                        path,
                        node,
                        "error",
                        _("`{value}` is not a real date", value=node.value),
                        _("check the day and the month; write it as YYYY-MM-DD"),
                    )
                )
                return None
        if isinstance(value, str):
            bad = _text_problem(value)
            if bad:
                self.problems.append(_problem(path, node, "error", *bad))
            elif node.style in (None, "") and '"' in value and (value.count('"') % 2 == 1):
                self.problems.append(
                    _problem(
                        path,
                        node,
                        "warning",
                        _('has a stray `"` that would be printed on the cards'),
                        _('add the missing opening quote, or remove the `"`'),
                    )
                )
        return value


def parse_yaml(text: str) -> tuple[Any, dict, dict, list[Problem]]:
    """Parse YAML keeping the line/column of every node; raises yamlsafe.YamlProblem."""
    node = yamlsafe.compose(text)
    reader = _Reader(text)
    if node is None:
        return None, reader.positions, reader.key_positions, reader.problems
    data = reader.data(node, ())
    return data, reader.positions, reader.key_positions, reader.problems


def _mark_order_warnings(
    value: Any, path: FieldPath, positions: dict, rel: str
) -> list[Diagnostic]:
    """A warning for each field where a tone mark was typed before the circumflex, breve or
    horn (`QUYÉ̂T`): NFC cannot fix that, `clean_text` reorders it."""
    out: list[Diagnostic] = []
    if isinstance(value, str):
        slips = mark_order_slips(value)
        if slips:
            line, col = _locate(positions, path)
            shown = ", ".join(
                _("`{typed}` is drawn as `{fixed}`", typed=typed, fixed=fixed)
                for typed, fixed in slips
            )
            out.append(
                Diagnostic(
                    rel,
                    line,
                    col,
                    "warning",
                    format_field(path),
                    _("tone mark typed before the vowel mark: {shown}", shown=shown),
                    _("retype the word; set the keyboard (Unikey, EVKey) to Unicode dựng sẵn"),
                )
            )
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += _mark_order_warnings(v, (*path, i), positions, rel)
    elif isinstance(value, dict):
        for k, v in value.items():
            out += _mark_order_warnings(v, (*path, k), positions, rel)
    return out


def _nfc_tree(value: Any) -> Any:
    if isinstance(value, str):
        return nfc(value)
    if isinstance(value, list):
        return [_nfc_tree(v) for v in value]
    if isinstance(value, dict):
        return {nfc(k) if isinstance(k, str) else k: _nfc_tree(v) for k, v in value.items()}
    return value


# --- validation errors -> diagnostics ----------------------------------------------------


def _model_at(path: FieldPath, root: type[BaseModel] = Story) -> type[BaseModel] | None:
    """The pydantic model that owns the mapping at `path` (for 'did you mean')."""
    model: Any = root
    for part in path:
        if isinstance(part, int):
            continue
        info = model.model_fields.get(part)
        if info is None:
            return None
        ann = info.annotation
        for candidate in (ann, *getattr(ann, "__args__", ())):
            inner = getattr(candidate, "__args__", None)
            for c in (candidate, *(inner or ())):
                if isinstance(c, type) and issubclass(c, BaseModel):
                    model = c
                    break
            else:
                continue
            break
        else:
            return None
    return model


def _describe(value: Any) -> str:
    if isinstance(value, dict):
        return _("a mapping")
    if isinstance(value, list):
        return _("a list")
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if value is None:
        return _("nothing")
    return f"`{value}`"


def _number_problem(etype: str, err: Mapping[str, Any]) -> str:
    """A number's constraint in plain words (pydantic's own message is English only)."""
    ctx = err.get("ctx", {})
    if etype.startswith("greater_than_equal"):
        return _("must be at least {limit}", limit=ctx.get("ge"))
    if etype.startswith("greater_than"):
        return _("must be more than {limit}", limit=ctx.get("gt"))
    if etype.startswith("less_than_equal"):
        return _("must be at most {limit}", limit=ctx.get("le"))
    if etype.startswith("less_than"):
        return _("must be less than {limit}", limit=ctx.get("lt"))
    if etype.startswith("int"):
        return _("must be a whole number")
    return _("must be a number")


def _error_to_diag(
    err: Mapping[str, Any],
    rel: str,
    positions: dict,
    key_positions: dict,
    model_at: Callable[[FieldPath], type[BaseModel] | None] | None = None,
) -> Diagnostic:
    loc: FieldPath = tuple(
        p for p in err["loc"] if not isinstance(p, str) or not p.startswith("function-")
    )
    # pydantic adds union branch names like 'tuple[...]'; drop anything that is not a field
    loc = tuple(p for p in loc if isinstance(p, int) or "[" not in p)
    etype = err["type"]
    name = format_field(loc)
    given = err.get("input")
    hint = ""
    if etype == "extra_forbidden":
        line, col = _locate(key_positions, loc) if loc in key_positions else _locate(positions, loc)
        model = (model_at or _model_at)(loc[:-1])
        allowed = sorted(model.model_fields) if model else []
        close = difflib.get_close_matches(str(loc[-1]) if loc else "", allowed, n=1, cutoff=0.6)
        message = _("unknown field")
        hint = (
            _("did you mean `{name}`?", name=close[0])
            if close
            else _("remove it; allowed fields: {names}", names=", ".join(allowed))
        )
        return Diagnostic(rel, line, col, "error", name, message, hint)
    line, col = _locate(positions, loc)
    if etype == "missing" and loc and isinstance(loc[-1], int):
        name = format_field(loc[:-1])
        message = _("has too few items")
        hint = (
            _("give exactly two numbers, e.g. [0.5, 0.3]")
            if "focus" in loc
            else _("add the missing items")
        )
    elif etype == "missing":
        message = _("is required")
        hint = _("add `{name}:` to the story", name=loc[-1]) if loc else ""
        if loc and len(loc) == 1:
            line, col = positions.get((), (1, 1))
    elif etype == "literal_error":
        expected = err.get("ctx", {}).get("expected", "")
        options = [o.strip(" '") for o in expected.replace(" or ", ", ").split(",")]
        message = _(
            "must be one of {options} (got {given})",
            options=", ".join(options),
            given=_describe(given),
        )
        close = difflib.get_close_matches(str(given), options, n=1, cutoff=0.5)
        hint = (
            _("did you mean `{name}`?", name=close[0])
            if close
            else _("use one of the listed values")
        )
    elif etype in ("string_type",):
        message = _("must be text, got {given}", given=_describe(given))
        hint = _("put the text in quotes")
    elif etype in ("list_type", "tuple_type"):
        message = _("must be a list, got {given}", given=_describe(given))
        hint = _("write it as [a, b] or as lines starting with '- '")
    elif etype in ("model_type", "dict_type", "model_attributes_type"):
        message = _("must be a mapping of fields, got {given}", given=_describe(given))
        hint = _("write it as `key: value` lines indented under the field")
    elif etype.startswith(("float", "int", "greater", "less")):
        message = _(
            "{problem} (got {given})",
            problem=_number_problem(etype, err),
            given=_describe(given),
        )
        hint = _("use a number")
    elif etype in ("date_from_datetime_parsing", "date_parsing", "date_type"):
        message = _("must be a date like 2026-11-27 (got {given})", given=_describe(given))
        hint = _("write the date as YYYY-MM-DD")
    elif etype == "value_error":
        message = err["msg"].removeprefix("Value error, ")
        field_hints = {
            "title": _("write a short headline"),
            "id": _(
                "use something like `{id}`, or leave it out to use the file name",
                id=safe_id(str(given)),
            ),
            "week": _("write it as YYYY-Www, e.g. 2026-W48"),
            "publish": _(
                "write it like 2026-11-27 19:30 (Vietnam time), or with a zone: "
                "2026-11-27 19:30 +07:00 or 2026-11-27 19:30 Europe/Paris"
            ),
            "link": _("write an address such as https://hoinhap.vn/agrilink or hoinhap.vn"),
            "theme": _("write a theme's name, e.g. `default`, `lotus` or a folder under themes/"),
        }
        field_name = str(loc[-1]) if loc else ""
        hint = field_hints.get(field_name, _("fix the value"))
        cause = err.get("ctx", {}).get("error")
        if isinstance(cause, EmptyText) and field_name not in ("title", "week", "link", "theme"):
            hint = _("write some text or remove the field")
        if isinstance(cause, ControlCharacter):
            hint = _("delete it (it often comes with pasted text)")
    elif etype == "string_too_long":
        limit = err.get("ctx", {}).get("max_length", 0)
        length = len(given) if isinstance(given, str) else 0
        message = _(
            "is {length} characters long; at most {limit} are accepted",
            length=format(length, ","),
            limit=format(limit, ","),
        )
        hint = _("shorten it: cards and captions hold far less")
    elif etype == "too_long" and isinstance(given, list):
        limit = err.get("ctx", {}).get("max_length", 0)
        message = _(
            "has {count} items; at most {limit} are accepted",
            count=format(len(given), ","),
            limit=format(limit, ","),
        )
        hint = _("split the story into several stories")
    elif etype == "too_long" or etype == "too_short":
        ctx = err.get("ctx", {})
        if etype == "too_long":
            message = _("must have at most {n} items", n=ctx.get("max_length", 0))
        else:
            message = _("must have at least {n} items", n=ctx.get("min_length", 0))
        hint = (
            _("give exactly two numbers, e.g. [0.5, 0.3]")
            if "focus" in loc
            else _("fix the number of items")
        )
    else:
        message = err["msg"]
        hint = _("fix the value")
    return Diagnostic(rel, line, col, "error", name, message, hint)


# --- the reader ---------------------------------------------------------------------------


def find_on_disk(folder: Path, relative: str) -> Path:
    """`folder/relative` as it is on disk: the name as typed, else the entry whose name has
    the same NFC form (macOS and many zip tools store Vietnamese names decomposed)."""
    direct = folder / relative
    if os.path.lexists(direct):
        return direct
    current = folder
    for part in Path(relative).parts:
        nxt = current / part
        if not os.path.lexists(nxt) and part not in (".", ".."):
            for form in (unicodedata.normalize("NFC", part), unicodedata.normalize("NFD", part)):
                if os.path.lexists(current / form):
                    nxt = current / form
                    break
            else:
                want = unicodedata.normalize("NFC", part)
                try:
                    names = os.listdir(current)
                except OSError:
                    return direct
                match = next((n for n in names if unicodedata.normalize("NFC", n) == want), None)
                if match is None:
                    return direct
                nxt = current / match
        current = nxt
    return current


def _media_problem(value: str, story_path: Path, root: Path) -> tuple[str, str] | None:
    """(message, hint) when a media path is absolute, escapes the root or is missing."""
    candidate = Path(value)
    try:
        resolved = find_on_disk(story_path.parent, value).resolve(strict=False)
    except (OSError, RuntimeError):  # a symlink loop
        return (
            _("`{value}` is a symbolic link that points to itself (a loop)", value=value),
            _("replace the link with the file itself"),
        )
    if candidate.is_absolute():
        return (
            _("`{value}` is an absolute path", value=value),
            _("write the path relative to the story file, e.g. photos/field.jpg"),
        )
    if not resolved.is_relative_to(root):
        return (
            _("`{value}` is outside the stories root {root}", value=value, root=display_path(root)),
            _("copy the file into the stories folder and point to it there"),
        )
    try:
        exists, is_file = resolved.exists(), resolved.is_file()
    except OSError:
        exists = is_file = False
    if not exists:
        return (
            _("file `{value}` not found", value=value),
            _(
                "check the spelling; paths are relative to {folder}/",
                folder=display_path(story_path.parent),
            ),
        )
    if not is_file:
        return _("`{value}` is not a file", value=value), _("point to a file, not a folder")
    if not os.access(resolved, os.R_OK):
        return (
            _("`{value}` cannot be read (permission denied)", value=value),
            _("make the file readable (chmod a+r) or copy it again"),
        )
    return None


def _check_media(
    story: Story, story_path: Path, root: Path, rel: str, positions: dict
) -> tuple[list[Diagnostic], dict[str, Path]]:
    """Every media path must exist and, after symlinks, stay inside the stories root.
    Returns the diagnostics and where each path is on disk."""
    diags: list[Diagnostic] = []
    found: dict[str, Path] = {}
    for fpath, value in story.media_fields():
        problem = _media_problem(value, story_path, root.resolve())
        if problem:
            line, col = _locate(positions, fpath)
            diags.append(Diagnostic(rel, line, col, "error", format_field(fpath), *problem))
        else:
            found[value] = find_on_disk(story_path.parent, value).resolve()
    return diags, found


def _file_error(rel: str, message: str, hint: str, line: int = 0, col: int = 0) -> StoryError:
    return StoryError([Diagnostic(rel, line, col, "error", "(file)", message, hint)])


def _read_source(path: Path, rel: str) -> bytes:
    try:
        size = path.stat().st_size
        if size > MAX_STORY_BYTES:
            raise _file_error(
                rel,
                _(
                    "is {size} MB; a story file is a few kilobytes of text (at most {limit} kB)",
                    size=format(size / 1e6, ".1f"),
                    limit=MAX_STORY_BYTES // 1024,
                ),
                _("check that this is the right file; put long documents elsewhere"),
            )
        with open(path, "rb") as fh:
            data = fh.read(MAX_STORY_BYTES + 1)
    except StoryError:
        raise
    except RuntimeError:
        raise _file_error(
            rel,
            _("is a symbolic link that points to itself (a loop)"),
            _("replace it with the file"),
        ) from None
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise _file_error(
            rel,
            _("cannot read the story: {reason}", reason=reason.lower()),
            _("check the path and permissions"),
        ) from None
    if len(data) > MAX_STORY_BYTES:
        raise _file_error(
            rel, _("is too large for a story file"), _("check that this is the right file")
        )
    return data


def _hashtag_warnings(raw_tags: Any, rel: str, positions: dict) -> list[Diagnostic]:
    warnings: list[Diagnostic] = []
    for i, tag in enumerate(raw_tags if isinstance(raw_tags, list) else []):
        if not isinstance(tag, str):
            continue
        line, col = _locate(positions, ("hashtags", i))
        normal = normalize_hashtag(tag)
        if not normal:
            warnings.append(
                Diagnostic(
                    rel,
                    line,
                    col,
                    "warning",
                    f"hashtags[{i}]",
                    _(
                        "`{tag}` has no letters or digits a hashtag can keep, so it is left out",
                        tag=tag,
                    ),
                    _("write the hashtag in plain letters and digits, e.g. VietNam"),
                )
            )
        elif normal != tag.lstrip("#"):
            warnings.append(
                Diagnostic(
                    rel,
                    line,
                    col,
                    "warning",
                    f"hashtags[{i}]",
                    _("`#{tag}` becomes `#{normal}`", tag=tag.lstrip("#"), normal=normal),
                    _("write hashtags without diacritics or spaces"),
                )
            )
    return warnings


def load_story(path: Path, root: Path | None = None, source: bytes | None = None) -> LoadedStory:
    """Load and validate one story; raise `StoryError` with every problem found.

    `source` gives the file's bytes when the caller already read them (the pack passes the
    exact bytes it keyed its cache on, so a story edited mid-run cannot slip in).
    """
    rel = display_path(path)
    root = root if root is not None else find_root(path)
    raw_bytes = source if source is not None else _read_source(path, rel)
    try:
        text = raw_bytes.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw_bytes[: exc.start].count(b"\n") + 1
        raise _file_error(
            rel, _("is not valid UTF-8 text"), _("save the file as UTF-8 (plain text)"), line, 1
        ) from None
    try:
        data, positions, key_positions, problems = parse_yaml(text)
    except yamlsafe.YamlProblem as exc:
        raise StoryError(
            [Diagnostic(rel, exc.line, exc.col, "error", exc.field, exc.message, exc.hint)]
        ) from None
    diags: list[Diagnostic] = []
    warnings: list[Diagnostic] = []
    for ppath, line, col, severity, message, hint in problems:
        d = Diagnostic(rel, line, col, severity, format_field(ppath), message, hint)
        (diags if severity == "error" else warnings).append(d)
    if data is None:
        raise StoryError(
            diags
            or [
                Diagnostic(
                    rel,
                    1,
                    1,
                    "error",
                    "(story)",
                    _("the file is empty"),
                    _("start from `outreach new` or add kind, lang and title"),
                )
            ]
        )
    if not isinstance(data, dict):
        raise StoryError(
            [
                Diagnostic(
                    rel,
                    1,
                    1,
                    "error",
                    "(story)",
                    _("must be a mapping of fields, got {given}", given=_describe(data)),
                    _("write `field: value` lines at the top level"),
                )
            ]
        )
    if diags:  # unreadable characters, dates that do not exist, swallowed values
        raise StoryError(sorted(diags, key=lambda d: (d.line, d.col)))
    data = _nfc_tree(data)
    warnings += _mark_order_warnings(data, (), positions, rel)
    warnings += _hashtag_warnings(data.get("hashtags"), rel, positions)
    if "id" not in data:
        data["id"] = safe_id(path.stem)
    try:
        story = Story.model_validate(data)
    except ValidationError as exc:
        for err in exc.errors():
            diags.append(_error_to_diag(err, rel, positions, key_positions))
        raise StoryError(sorted(diags, key=lambda d: (d.line, d.col))) from None
    media_diags, media = _check_media(story, path, root, rel, positions)
    diags.extend(media_diags)
    if diags:
        raise StoryError(diags)
    from outreach.model.placeholders import placeholder_warnings

    loaded = LoadedStory(
        story=story,
        path=path.resolve(),
        root=root.resolve(),
        positions=positions,
        warnings=warnings,
        media=media,
        source=raw_bytes,
    )
    loaded.warnings += placeholder_warnings(loaded)
    loaded.warnings.sort(key=lambda d: (d.line, d.col))
    return loaded

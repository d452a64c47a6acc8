"""Read a story file: YAML with line numbers -> validated `Story`, or every error at once.

This is the *reader* of the pipeline (as in Pelican): it knows files and YAML; the
renderer downstream only ever sees a `LoadedStory`.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from outreach.diagnostics import Diagnostic, Severity, StoryError, display_path
from outreach.model.story import Story
from outreach.model.text import mark_order_slips, nfc, normalize_hashtag, slugify

FieldPath = tuple[str | int, ...]
PROJECT_MARKER = "outreach.toml"
STORY_SUFFIXES = (".yaml", ".yml")


@dataclass
class LoadedStory:
    """A validated story plus where it came from, so later stages can point at lines."""

    story: Story
    path: Path
    root: Path
    positions: dict[FieldPath, tuple[int, int]] = field(default_factory=dict)
    warnings: list[Diagnostic] = field(default_factory=list)

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
        """The resolved media file; validity was checked at load time."""
        return (self.path.parent / relative).resolve()


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


def discover_stories(paths: list[Path]) -> list[tuple[Path, Path]]:
    """(story file, stories root) pairs for files and folders given on the command line."""
    found: list[tuple[Path, Path]] = []
    for given in paths:
        if given.is_dir():
            root = given.resolve()
            for p in sorted(given.rglob("*")):
                if (
                    p.suffix in STORY_SUFFIXES
                    and p.is_file()
                    and not any(part.startswith(".") for part in p.relative_to(given).parts)
                    and "themes" not in p.relative_to(given).parts
                ):
                    found.append((p, root))
        else:
            found.append((given, find_root(given)))
    return found


# --- YAML with positions --------------------------------------------------------------


def _node_to_data(
    node: yaml.Node, path: FieldPath, positions: dict, key_positions: dict, problems: list
) -> Any:
    positions[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if isinstance(node, yaml.MappingNode):
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = key_node.value
            if not isinstance(key_node, yaml.ScalarNode):
                problems.append((path, key_node, "a field name must be plain text"))
                continue
            if key in out:
                problems.append((path + (key,), key_node, f"`{key}` appears twice"))
            key_positions[path + (key,)] = (
                key_node.start_mark.line + 1,
                key_node.start_mark.column + 1,
            )
            out[key] = _node_to_data(value_node, path + (key,), positions, key_positions, problems)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [
            _node_to_data(item, path + (i,), positions, key_positions, problems)
            for i, item in enumerate(node.value)
        ]
    loader = yaml.SafeLoader("")
    return loader.construct_object(node, deep=True)


def parse_yaml(text: str) -> tuple[Any, dict, dict, list]:
    """Parse YAML keeping the line/column of every node."""
    node = yaml.compose(text, Loader=yaml.SafeLoader)
    positions: dict[FieldPath, tuple[int, int]] = {}
    key_positions: dict[FieldPath, tuple[int, int]] = {}
    problems: list = []
    if node is None:
        return None, positions, key_positions, problems
    data = _node_to_data(node, (), positions, key_positions, problems)
    return data, positions, key_positions, problems


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
            shown = ", ".join(f"`{typed}` is drawn as `{fixed}`" for typed, fixed in slips)
            out.append(
                Diagnostic(
                    rel,
                    line,
                    col,
                    "warning",
                    format_field(path),
                    f"tone mark typed before the vowel mark: {shown}",
                    "retype the word; set the keyboard (Unikey, EVKey) to Unicode dựng sẵn",
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
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if value is None:
        return "nothing"
    return f"`{value}`"


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
        message = "unknown field"
        hint = (
            f"did you mean `{close[0]}`?"
            if close
            else "remove it; allowed fields: " + ", ".join(allowed)
        )
        return Diagnostic(rel, line, col, "error", name, message, hint)
    line, col = _locate(positions, loc)
    if etype == "missing" and loc and isinstance(loc[-1], int):
        name = format_field(loc[:-1])
        message = "has too few items"
        hint = (
            "give exactly two numbers, e.g. [0.5, 0.3]"
            if "focus" in loc
            else "add the missing items"
        )
    elif etype == "missing":
        message = "is required"
        hint = f"add `{loc[-1]}:` to the story" if loc else ""
        if loc and len(loc) == 1:
            line, col = positions.get((), (1, 1))
    elif etype == "literal_error":
        expected = err.get("ctx", {}).get("expected", "")
        options = [o.strip(" '") for o in expected.replace(" or ", ", ").split(",")]
        message = f"must be one of {', '.join(options)} (got {_describe(given)})"
        close = difflib.get_close_matches(str(given), options, n=1, cutoff=0.5)
        hint = f"did you mean `{close[0]}`?" if close else "use one of the listed values"
    elif etype in ("string_type",):
        message = f"must be text, got {_describe(given)}"
        hint = "put the text in quotes"
    elif etype in ("list_type", "tuple_type"):
        message = f"must be a list, got {_describe(given)}"
        hint = "write it as [a, b] or as lines starting with '- '"
    elif etype in ("model_type", "dict_type", "model_attributes_type"):
        message = f"must be a mapping of fields, got {_describe(given)}"
        hint = "write it as `key: value` lines indented under the field"
    elif etype.startswith(("float", "int", "greater", "less")):
        message = (
            err["msg"].lower().replace("input should be", "must be") + f" (got {_describe(given)})"
        )
        hint = "use a number"
    elif etype in ("date_from_datetime_parsing", "date_parsing", "date_type"):
        message = f"must be a date like 2026-11-27 (got {_describe(given)})"
        hint = "write the date as YYYY-MM-DD"
    elif etype == "value_error":
        message = err["msg"].removeprefix("Value error, ")
        hint = {
            "title": "write a short headline",
            "id": "use something like `agrilink-japan`, or leave it out to use the file name",
            "week": "write it as YYYY-Www, e.g. 2026-W48",
        }.get(str(loc[-1]) if loc else "", "fix the value")
        if "empty" in message and not hint.startswith("write"):
            hint = "write some text or remove the field"
        if "control character" in message:
            hint = "delete it (it often comes with pasted text)"
    elif etype == "too_long" or etype == "too_short":
        message = (
            err["msg"]
            .lower()
            .replace("tuple should have", "must have")
            .replace("list should have", "must have")
        )
        hint = (
            "give exactly two numbers, e.g. [0.5, 0.3]"
            if "focus" in loc
            else "fix the number of items"
        )
    else:
        message = err["msg"]
        hint = "fix the value"
    return Diagnostic(rel, line, col, "error", name, message, hint)


# --- the reader ---------------------------------------------------------------------------


def _media_problem(value: str, story_path: Path, root: Path) -> tuple[str, str] | None:
    """(message, hint) when a media path is absolute, escapes the root or is missing."""
    candidate = Path(value)
    resolved = (story_path.parent / candidate).resolve()
    if candidate.is_absolute():
        return (
            f"`{value}` is an absolute path",
            "write the path relative to the story file, e.g. photos/field.jpg",
        )
    if not resolved.is_relative_to(root):
        return (
            f"`{value}` is outside the stories root {display_path(root)}",
            "copy the file into the stories folder and point to it there",
        )
    if not resolved.exists():
        return (
            f"file `{value}` not found",
            f"check the spelling; paths are relative to {display_path(story_path.parent)}/",
        )
    if not resolved.is_file():
        return f"`{value}` is not a file", "point to a file, not a folder"
    return None


def _check_media(
    story: Story, story_path: Path, root: Path, rel: str, positions: dict
) -> list[Diagnostic]:
    """Every media path must exist and, after symlinks, stay inside the stories root."""
    diags: list[Diagnostic] = []
    for fpath, value in story.media_fields():
        problem = _media_problem(value, story_path, root.resolve())
        if problem:
            line, col = _locate(positions, fpath)
            diags.append(Diagnostic(rel, line, col, "error", format_field(fpath), *problem))
    return diags


def load_story(path: Path, root: Path | None = None) -> LoadedStory:
    """Load and validate one story; raise `StoryError` with every problem found."""
    rel = display_path(path)
    root = root if root is not None else find_root(path)
    try:
        raw_bytes = path.read_bytes()
    except OSError as exc:
        raise StoryError(
            [
                Diagnostic(
                    rel,
                    0,
                    0,
                    "error",
                    "(file)",
                    f"cannot read the story: {exc.strerror or exc}",
                    "check the path",
                )
            ]
        ) from exc
    try:
        text = raw_bytes.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw_bytes[: exc.start].count(b"\n") + 1
        raise StoryError(
            [
                Diagnostic(
                    rel, line, 1, "error", "(file)", "is not valid UTF-8", "save the file as UTF-8"
                )
            ]
        ) from exc
    try:
        data, positions, key_positions, problems = parse_yaml(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line, col = (mark.line + 1, mark.column + 1) if mark else (0, 0)
        problem = getattr(exc, "problem", None) or str(exc)
        raise StoryError(
            [
                Diagnostic(
                    rel,
                    line,
                    col,
                    "error",
                    "(yaml)",
                    f"malformed YAML: {problem}",
                    "check the indentation and quote text that contains ':' or '#'",
                )
            ]
        ) from exc
    diags: list[Diagnostic] = []
    for ppath, node, message in problems:
        diags.append(
            Diagnostic(
                rel,
                node.start_mark.line + 1,
                node.start_mark.column + 1,
                "error",
                format_field(ppath),
                message,
                "keep only one",
            )
        )
    if data is None:
        raise StoryError(
            [
                Diagnostic(
                    rel,
                    1,
                    1,
                    "error",
                    "(story)",
                    "the file is empty",
                    "start from `outreach new` or add kind, lang and title",
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
                    f"must be a mapping of fields, got {_describe(data)}",
                    "write `field: value` lines at the top level",
                )
            ]
        )
    data = _nfc_tree(data)
    warnings: list[Diagnostic] = _mark_order_warnings(data, (), positions, rel)
    raw_tags = data.get("hashtags")
    for i, tag in enumerate(raw_tags if isinstance(raw_tags, list) else []):
        if (
            isinstance(tag, str)
            and normalize_hashtag(tag) != tag.lstrip("#")
            and normalize_hashtag(tag)
        ):
            line, col = _locate(positions, ("hashtags", i))
            warnings.append(
                Diagnostic(
                    rel,
                    line,
                    col,
                    "warning",
                    f"hashtags[{i}]",
                    f"`#{tag.lstrip('#')}` becomes `#{normalize_hashtag(tag)}`",
                    "write hashtags without diacritics or spaces",
                )
            )
    if "id" not in data:
        data["id"] = slugify(path.stem)
    try:
        story = Story.model_validate(data)
    except ValidationError as exc:
        for err in exc.errors():
            diags.append(_error_to_diag(err, rel, positions, key_positions))
        raise StoryError(sorted(diags, key=lambda d: (d.line, d.col))) from None
    diags.extend(_check_media(story, path, root, rel, positions))
    if diags:
        raise StoryError(diags)
    return LoadedStory(
        story=story,
        path=path.resolve(),
        root=root.resolve(),
        positions=positions,
        warnings=warnings,
    )

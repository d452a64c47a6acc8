"""Approve a story from the preview: `status: approved` written into the story file,
everything else in it (comments, quotes, order, indentation, blank lines) kept as it was.

The file is edited with ruamel.yaml's round-trip loader and dumper. A round trip can
still re-flow a line the person wrote (a long flow list, an odd indentation), so the
result is checked against the original line by line: when anything but the status line
changed, the status line alone is rewritten where ruamel.yaml found it. Either way the
new text must load as the same story with `status: approved`, or nothing is written.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from pathlib import Path

from outreach.i18n import _

STATUS = "status"
APPROVED = "approved"


class ApproveError(Exception):
    def __init__(self, message: str):
        self.message = message
        super().__init__(message)


@dataclass(frozen=True)
class Approved:
    path: Path
    changed: bool  # False: it was approved already
    text: str


def approved_text(text: str) -> str:
    """`text` with `status: approved` at the top level (added after `lang:` when absent)."""
    from ruamel.yaml import YAML
    from ruamel.yaml.comments import CommentedMap
    from ruamel.yaml.error import YAMLError

    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096  # never re-wrap a long line
    try:
        data = yaml.load(text)
    except YAMLError:
        # ruamel.yaml is stricter than the story reader in a few corners (a tab before a
        # comment); edit the one line where the story reader's own parser found it.
        return _edit_by_position(text)
    if not isinstance(data, CommentedMap):
        raise ApproveError(_("the story file is not a mapping of fields; fix it first"))
    if data.get(STATUS) == APPROVED:
        return text
    if STATUS not in data:
        # A new line right under `lang:` (a round trip would put it after the blank line
        # or comment that follows, which ruamel.yaml keeps with `lang`).
        return _line_edit(text, data)
    mapping, sequence, offset = _indentation(text)
    yaml.indent(mapping=mapping, sequence=sequence, offset=offset)
    data[STATUS] = APPROVED
    out = io.StringIO()
    yaml.dump(data, out)
    dumped = out.getvalue()
    if _only_status_changed(text, dumped):
        return dumped
    return _line_edit(text, data)


def _indentation(text: str) -> tuple[int, int, int]:
    """The mapping indent and the sequence indent/offset the file uses (ruamel's defaults
    when it has no nested block)."""
    mapping = 2
    for m in re.finditer(r"^([A-Za-z_][\w-]*):[ \t]*(?:#.*)?\n( +)[A-Za-z_\"']", text, re.M):
        mapping = len(m.group(2))
        break
    sequence, offset = mapping, 0
    seq = re.search(r"^([A-Za-z_][\w-]*):[ \t]*(?:#.*)?\n( *)- ", text, re.M)
    if seq:
        offset = len(seq.group(2))
        sequence = offset + 2
    return mapping, sequence, offset


def _only_status_changed(before: str, after: str) -> bool:
    import difflib

    old, new = before.splitlines(), after.splitlines()
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=old, b=new).get_opcodes():
        if tag == "equal":
            continue
        touched = [*old[i1:i2], *new[j1:j2]]
        if not all(re.match(rf"^{STATUS}\s*:", line) for line in touched):
            return False
    return before.endswith("\n") == after.endswith("\n")


def _line_edit(text: str, data: object) -> str:
    """Rewrite only the status value (or add one line) at the position ruamel.yaml read."""
    lines = text.splitlines(keepends=True)
    lc = getattr(data, "lc", None)
    if lc is not None and STATUS in getattr(data, "keys", lambda: [])():
        row, col = lc.value(STATUS)
        line = lines[row]
        m = re.match(r"(\"[^\"]*\"|'[^']*'|[^\s#]+)", line[col:])
        end = col + (m.end() if m else 0)
        lines[row] = line[:col] + APPROVED + line[end:]
        return "".join(lines)
    row = lc.key("lang")[0] + 1 if lc is not None and "lang" in data else len(lines)  # type: ignore[operator]
    if row > 0 and row <= len(lines) and not lines[row - 1].endswith("\n"):
        lines[row - 1] += "\n"
    lines.insert(row, f"{STATUS}: {APPROVED}\n")
    return "".join(lines)


def _edit_by_position(text: str) -> str:
    """The status value replaced (or a line added under `lang:`) at the position PyYAML
    reads: the parser `outreach check` uses."""
    import yaml

    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        raise ApproveError(
            _("the story file cannot be read as YAML; fix it first (see the checks)")
        ) from None
    if not isinstance(node, yaml.MappingNode):
        raise ApproveError(_("the story file is not a mapping of fields; fix it first"))
    lines = text.splitlines(keepends=True)
    keys = {k.value: (k, v) for k, v in node.value if isinstance(k, yaml.ScalarNode)}
    if STATUS in keys:
        value = keys[STATUS][1]
        if value.start_mark.line != value.end_mark.line:
            raise ApproveError(_("the story could not be approved safely; edit `status:` by hand"))
        row, start, end = value.start_mark.line, value.start_mark.column, value.end_mark.column
        lines[row] = lines[row][:start] + APPROVED + lines[row][end:]
        return "".join(lines)
    row = keys["lang"][0].start_mark.line + 1 if "lang" in keys else len(lines)
    if row > 0 and not lines[row - 1].endswith("\n"):
        lines[row - 1] += "\n"
    lines.insert(row, f"{STATUS}: {APPROVED}\n")
    return "".join(lines)


def approve_story(path: Path) -> Approved:
    """Write `status: approved` into the story at `path`; raise ApproveError in plain words
    when it cannot be done safely (the file is then left exactly as it was)."""
    from outreach.atomic import write_bytes

    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ApproveError(
            _("cannot read {path}: {reason}", path=path.name, reason=exc.strerror or exc)
        ) from None
    bom = raw.startswith(b"\xef\xbb\xbf")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ApproveError(_("the story file is not UTF-8 text; fix it first")) from None
    crlf = "\r\n" in text
    new = approved_text(text.replace("\r\n", "\n"))
    if new == text.replace("\r\n", "\n"):
        return Approved(path, False, text)
    _check_same_story(path, text, new)
    if crlf:
        new = new.replace("\n", "\r\n")
    try:
        write_bytes(path, (b"\xef\xbb\xbf" if bom else b"") + new.encode("utf-8"))
    except OSError as exc:
        raise ApproveError(
            _("cannot write {path}: {reason}", path=path.name, reason=exc.strerror or exc)
        ) from None
    return Approved(path, True, new)


def _check_same_story(path: Path, before: str, after: str) -> None:
    """The edited text must be the same story, approved: the edit never loses a field."""
    import yaml

    try:
        old, new = yaml.safe_load(before), yaml.safe_load(after)
    except yaml.YAMLError:
        raise ApproveError(
            _("the story could not be approved safely; edit `status:` by hand")
        ) from None
    if not isinstance(old, dict) or not isinstance(new, dict) or new.get(STATUS) != APPROVED:
        raise ApproveError(_("the story could not be approved safely; edit `status:` by hand"))
    old[STATUS] = APPROVED
    if old != new:
        raise ApproveError(_("the story could not be approved safely; edit `status:` by hand"))

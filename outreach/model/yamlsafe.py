"""YAML written by people, read safely and explained in plain words.

Story and theme files come from anyone on the team, so the reader refuses what YAML
allows but nobody needs (aliases: the "billion laughs" bomb; very deep nesting: a
RecursionError) and turns every parser failure into a message about the *line the
person wrote*: an unclosed quote names the line where it opens, a tab says to indent
with spaces, a `#` inside `[...]` says it starts a comment. No message repeats the
parser's own wording (`expected <block end>`, `<scalar>`, `found character`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import yaml

from outreach.i18n import N_, _

#: Nesting deeper than this is refused before it can exhaust the stack.
MAX_DEPTH = 40


@dataclass(frozen=True)
class YamlProblem(Exception):
    """A located, plain-words problem in a YAML file (1-based line and column)."""

    line: int
    col: int
    message: str
    hint: str
    field: str = "(yaml)"

    def __str__(self) -> str:
        return f"{self.line}:{self.col}: {self.message} — {self.hint}"


try:  # libyaml parses 7x faster; the composing (and our guards) stays in Python
    from yaml._yaml import CParser as _Parser

    class _Base(
        yaml.composer.Composer, _Parser, yaml.constructor.SafeConstructor, yaml.resolver.Resolver
    ):
        def __init__(self, stream: str) -> None:
            _Parser.__init__(self, stream)
            yaml.composer.Composer.__init__(self)
            yaml.constructor.SafeConstructor.__init__(self)
            yaml.resolver.Resolver.__init__(self)

except ImportError:  # pragma: no cover — PyYAML built without libyaml
    _Base = yaml.SafeLoader  # type: ignore[assignment,misc]


class SafeComposer(_Base):
    """A YAML composer that refuses aliases and deep nesting."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def _where(self) -> tuple[int, int]:
        event: Any = self.peek_event()
        mark = getattr(event, "start_mark", None)
        return (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            line, col = self._where()
            raise YamlProblem(
                line,
                col,
                _("uses a YAML alias (`*name`), which story and theme files do not allow"),
                _("write the value out in full instead of repeating it with & and *"),
            )
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                line, col = self._where()
                raise YamlProblem(
                    line,
                    col,
                    _("nests lists and fields more than {n} levels deep", n=MAX_DEPTH),
                    _("a story is a few fields with short lists; check the brackets"),
                )
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def compose(text: str) -> yaml.Node | None:
    """The node tree of one YAML document; raises YamlProblem in plain words."""
    try:
        loader = SafeComposer(text)
    except yaml.YAMLError as exc:  # the reader checks every character up front
        raise explain(exc, text) from None
    try:
        return loader.get_single_node()
    except YamlProblem:
        raise
    except yaml.YAMLError as exc:
        raise explain(exc, text) from None
    except RecursionError:
        raise YamlProblem(
            1, 1, _("nests too deeply to read"), _("check the brackets and the indentation")
        ) from None
    finally:
        if hasattr(loader, "dispose"):
            loader.dispose()


def safe_load(text: str) -> Any:
    """Like yaml.safe_load (for theme files), with the same guards and messages."""
    node = compose(text)
    if node is None:
        return None
    constructor = yaml.SafeLoader("")
    try:
        return constructor.construct_document(node)
    except yaml.YAMLError as exc:
        raise explain(exc, text) from None
    except ValueError as exc:  # e.g. a date like 2026-02-30
        mark = node.start_mark
        raise YamlProblem(
            mark.line + 1,
            mark.column + 1,
            _("has a value that cannot be read ({reason})", reason=exc),
            _("fix it"),
        ) from None


# --- explaining parser errors ---------------------------------------------------------------


@dataclass(frozen=True)
class _Line:
    """What a tiny per-line scan of the source finds (no YAML semantics beyond quotes,
    comments and flow brackets)."""

    number: int  # 1-based
    key: str  # the `field:` on this line, if any
    unclosed_quote: int  # column (1-based) of a quote never closed on this line, or 0
    quote_char: str
    comment_in_flow: int  # column of a `#` that starts a comment inside [...] or {...}, or 0
    comment_word: str  # the word that follows that `#`
    flow_open: int  # brackets opened and not closed on this line
    tab_indent: bool


_KEY = re.compile(r"^\s*(?:-\s+)?([A-Za-z_][\w-]*)\s*:(?:\s|$)")


def _scan_line(number: int, raw: str) -> _Line:
    key_match = _KEY.match(raw)
    key = key_match.group(1) if key_match else ""
    tab_indent = "\t" in raw[: len(raw) - len(raw.lstrip(" \t"))]
    quote = ""
    quote_col = 0
    depth = 0
    comment_in_flow = 0
    comment_word = ""
    i = 0
    prev = " "  # what precedes a token start: a quote only opens a scalar at a token start
    n = len(raw)
    while i < n:
        c = raw[i]
        if quote:
            if quote == '"' and c == "\\":
                i += 2
                continue
            if c == quote:
                if quote == "'" and i + 1 < n and raw[i + 1] == "'":
                    i += 2
                    continue
                quote = ""
                quote_col = 0
            i += 1
            prev = c
            continue
        if c == "#" and (prev in " \t" or (depth > 0 and prev in "[{,")):
            if depth > 0:
                comment_in_flow = i + 1
                comment_word = raw[i:].split(",")[0].split("]")[0].split("}")[0].strip()
            break
        if c in "\"'" and (prev in " \t[{,:" or i == 0 or raw[:i].strip() in ("-", "")):
            # `: "x` or `- "x` or `[ "x`: a quoted scalar starts here
            before = raw[:i].rstrip()
            if not before or before[-1] in ":-[{,":
                quote, quote_col = c, i + 1
        elif c in "[{":
            depth += 1
        elif c in "]}":
            depth = max(0, depth - 1)
        prev = c
        i += 1
    return _Line(number, key, quote_col, quote, comment_in_flow, comment_word, depth, tab_indent)


def scan(text: str) -> list[_Line]:
    return [_scan_line(i + 1, raw) for i, raw in enumerate(text.splitlines())]


def _mark(exc: yaml.YAMLError) -> tuple[int, int]:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    if mark is None:
        return 1, 1
    return mark.line + 1, mark.column + 1


def _reader_problem(exc: yaml.reader.ReaderError, text: str) -> YamlProblem:
    pos = exc.position
    char = exc.character
    if not (0 <= pos < len(text) and (text[pos] == char or ord(text[pos]) == char)):
        # libyaml counts bytes of the UTF-8 text, the pure-Python reader characters
        pos = len(text.encode("utf-8")[:pos].decode("utf-8", "ignore"))
    before = text[:pos]
    line = before.count("\n") + 1
    col = pos - (before.rfind("\n") + 1) + 1
    code = f"U+{ord(char):04X}" if isinstance(char, str) else _("byte {value}", value=repr(char))
    message = (
        _("contains a NUL ({code}) that cannot be in a text file", code=code)
        if char in ("\0", 0)
        else _("contains a control character ({code}) that cannot be in a text file", code=code)
    )
    return YamlProblem(
        line,
        col,
        message,
        _("delete it; it usually comes from copying out of a PDF or a damaged file"),
        _field(scan(text), line),
    )


#: Parser problems -> (message, hint), by a fragment of the parser's text.
_GENERIC: tuple[tuple[str, str, str], ...] = (
    (
        "nesting depth",
        N_("nests lists and fields more than {n} levels deep"),
        N_("a story is a few fields with short lists; check the brackets"),
    ),
    (
        "invalid Unicode character escape",
        N_("a \\u escape in double-quoted text names no real character (a lone surrogate)"),
        N_("remove the \\u escape or write the character itself"),
    ),
    (
        "mapping values are not allowed",
        N_("a `: ` inside a value makes it look like a new field"),
        N_("put the whole text in double quotes"),
    ),
    (
        "could not find expected ':'",
        N_("this line is neither `field: value` nor a list item"),
        N_("check the indentation, and put text that contains : or # in quotes"),
    ),
    (
        "unknown escape character",
        N_(
            "a backslash in double-quoted text starts an escape like \\n, and this one is not valid"
        ),
        N_("write two backslashes (\\\\) or use single quotes"),
    ),
    (
        "expected a single document",
        N_("the file holds more than one document (a line with ---)"),
        N_("keep one story per file"),
    ),
    (
        "expected ',' or ']'",
        N_("a list written as [a, b] is not closed with ]"),
        N_("close the list with ] on the same line"),
    ),
    (
        "expected ',' or '}'",
        N_("a mapping written as {a: b} is not closed with }"),
        N_("close it with } on the same line"),
    ),
    (
        "found unexpected end of stream",
        N_("the file ends in the middle of a value"),
        N_("look for an unclosed quote or bracket"),
    ),
    (
        "cannot start any token",
        N_("a value starts with a character YAML reserves (` @ % or a tab)"),
        N_("put the value in quotes"),
    ),
)


def explain(exc: yaml.YAMLError, text: str) -> YamlProblem:
    """Turn a PyYAML error into what the person did wrong, at the line where they did it."""
    if isinstance(exc, yaml.reader.ReaderError):
        return _reader_problem(exc, text)
    line, col = _mark(exc)
    problem = f"{getattr(exc, 'problem', '') or ''} {getattr(exc, 'context', '') or ''}"
    lines = scan(text)
    upto = [ln for ln in lines if ln.number <= max(line, 1)]
    # 1. A tab in the indentation (the parser says "found character '\t'...").
    tabbed = next((ln for ln in upto if ln.tab_indent), None)
    if tabbed is not None or "\\t" in problem or "tab" in problem:
        where = tabbed.number if tabbed else line
        return YamlProblem(
            where,
            1,
            _("is indented with a tab; YAML only accepts spaces for indentation"),
            _("indent with spaces (most editors can turn tabs into spaces)"),
            _field(lines, where),
        )
    # 2. A `#` inside [...]: the rest of the line is a comment and the list never closes.
    flow = next((ln for ln in upto if ln.comment_in_flow), None)
    if flow is not None:
        word = flow.comment_word
        bare = word.lstrip("#")
        return YamlProblem(
            flow.number,
            flow.comment_in_flow,
            _(
                "`{text}` starts a comment here (in YAML, # after a space starts a comment), "
                "so the rest of the line is ignored and the list is never closed",
                text=word,
            ),
            _('quote the hashtag ("{text}") or drop the # ({bare})', text=word, bare=bare),
            _field(lines, flow.number),
        )
    # 3. A quote opened and never closed on its line.
    unclosed = [ln for ln in upto if ln.unclosed_quote]
    if unclosed:
        first = unclosed[0]
        q = first.quote_char
        return YamlProblem(
            first.number,
            first.unclosed_quote,
            _("the quote {quote} opened here is never closed", quote=q),
            _(
                "add the closing {quote} at the end of the text on line {line}",
                quote=q,
                line=first.number,
            ),
            _field(lines, first.number),
        )
    # 4. A bracket opened and never closed: point at the line that opens it.
    opened = [ln for ln in upto if ln.flow_open]
    if (
        opened
        and "nesting depth" not in problem
        and any(f in problem for f in ("expected ','", "end of stream", "flow"))
    ):
        first = opened[-1]
        raw = text.splitlines()[first.number - 1]
        col = max(raw.find("["), raw.find("{")) + 1 or 1
        closer = "]" if "[" in raw else "}"
        return YamlProblem(
            first.number,
            col,
            _("the list opened here with {bracket} is never closed", bracket=raw[col - 1]),
            _(
                "close it with {closer} on line {line}, and put text that contains "
                "commas or brackets in quotes",
                closer=closer,
                line=first.number,
            ),
            _field(lines, first.number),
        )
    for fragment, message, hint in _GENERIC:
        if fragment in problem:
            shown = _(message, n=MAX_DEPTH) if "{n}" in message else _(message)
            return YamlProblem(line, col, shown, _(hint), _field(lines, line))
    return YamlProblem(
        line,
        col,
        _("the lines around here do not line up as `field: value` pairs"),
        _(
            "indent fields under the same parent by the same number of spaces, and quote text "
            "that contains : or # or starts with a quote or a bracket"
        ),
        _field(lines, line),
    )


def _field(lines: list[_Line], number: int) -> str:
    """The nearest `field:` at or above a line, for the diagnostic's field column."""
    for ln in reversed(lines[:number]):
        if ln.key:
            return ln.key
    return "(yaml)"


def quote_runs_on(text: str, node: yaml.ScalarNode) -> YamlProblem | None:
    """A quoted value that swallowed the next field's line (`title: "abc` + `hook: x"`)."""
    if (
        node.style not in ('"', "'") or node.end_mark.line == node.start_mark.line
    ):  # plain: None or ""
        return None
    source = text.splitlines()
    for number in range(node.start_mark.line + 1, min(node.end_mark.line, len(source) - 1) + 1):
        m = _KEY.match(source[number])
        if m:
            return YamlProblem(
                node.start_mark.line + 1,
                node.start_mark.column + 1,
                _(
                    "the quote {quote} opened here is not closed on this line, so the text "
                    "runs on into line {line} (`{name}:`)",
                    quote=node.style,
                    line=number + 1,
                    name=m.group(1),
                ),
                _(
                    "add the closing {quote} at the end of the text on line {line}",
                    quote=node.style,
                    line=node.start_mark.line + 1,
                ),
            )
    return None


def comment_swallowed(text: str, node: yaml.ScalarNode) -> str | None:
    """The `#word` that made an empty value (`- #HoiNhap` or `hashtags: #HoiNhap`)."""
    if node.style not in (None, "") or node.value not in ("", "~", "null"):
        return None
    source = text.splitlines()
    row = node.start_mark.line
    if row >= len(source):
        return None
    rest = source[row][node.start_mark.column :].lstrip()
    if rest.startswith("#") and len(rest) > 1 and not rest[1].isspace():
        return rest.split()[0]
    return None

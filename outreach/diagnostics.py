"""Diagnostics: one error or warning about one field of one story file.

Every problem a user can cause is reported in the same compiler-like form,
`path:line:col: error|warning: field: message — what to do`, so editors can jump to it.
"""

from __future__ import annotations

import errno
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from outreach.i18n import N_, _

#: `note` is information (e.g. a user theme overriding a built-in one): never counted as
#: a problem, never made an error by --strict.
Severity = Literal["error", "warning", "note"]
#: How each severity is printed (translated when printed: editors' problem matchers see
#: `error`/`warning` in English, `lỗi`/`cảnh báo` in Vietnamese, as with gcc).
SEVERITY_LABELS: dict[str, str] = {
    "error": N_("error"),
    "warning": N_("warning"),
    "note": N_("note"),
}


@dataclass(frozen=True)
class Diagnostic:
    path: str
    line: int
    col: int
    severity: Severity
    field: str
    message: str
    hint: str = ""

    def format(self) -> str:
        where = f"{self.path}:{self.line}:{self.col}" if self.line else f"{self.path}"
        text = f"{where}: {_(SEVERITY_LABELS[self.severity])}: {self.field}: {self.message}"
        if self.hint:
            text += f" — {self.hint}"
        return text

    def __str__(self) -> str:
        return self.format()

    def as_error(self) -> Diagnostic:
        if self.severity == "note":
            return self
        return Diagnostic(
            self.path, self.line, self.col, "error", self.field, self.message, self.hint
        )


@dataclass
class DiagnosticList:
    """Collects diagnostics so that one run can report every problem at once."""

    items: list[Diagnostic] = field(default_factory=list)

    def add(self, diag: Diagnostic) -> None:
        if diag not in self.items:
            self.items.append(diag)

    def extend(self, diags: list[Diagnostic] | DiagnosticList) -> None:
        for d in diags:
            self.add(d)

    def __iter__(self) -> Iterator[Diagnostic]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.items if d.severity == "error"]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.items if d.severity == "warning"]


class StoryError(Exception):
    """Raised when a story cannot be loaded or rendered; carries every diagnostic found."""

    def __init__(self, diagnostics: list[Diagnostic]):
        self.diagnostics = diagnostics
        super().__init__("\n".join(d.format() for d in diagnostics))


def explain_os_error(exc: OSError) -> tuple[str, str]:
    """(message, hint) in plain words for a failed file operation, naming the path."""
    where = exc.filename or ""
    shown = display_path(where) if where else _("a file")
    folder = display_path(Path(where).parent) if where else _("the output folder")
    code = exc.errno
    if code in (errno.ENOSPC, getattr(errno, "EDQUOT", -1)):
        return (
            _("the disk is full: {path} could not be written", path=shown),
            _("free some space, or write the pack to another disk with -o"),
        )
    if code == errno.EFBIG:
        return (
            _(
                "{path} is too large for this disk or for this account's file-size limit",
                path=shown,
            ),
            _("free some space or raise the limit (ulimit -f), or use another disk with -o"),
        )
    if code == errno.EROFS:
        return (
            _("cannot write {path}: {folder} is on a read-only disk", path=shown, folder=folder),
            _("choose a writable folder with -o"),
        )
    if code in (errno.EACCES, errno.EPERM):
        return (
            _("no permission to write {path}", path=shown),
            _("make {folder} writable (chmod u+w) or choose another folder with -o", folder=folder),
        )
    if code == errno.ENOTDIR:
        return (
            _("cannot create {path}: part of that path is a file, not a folder", path=shown),
            _("choose an output folder that is not inside a file (-o)"),
        )
    if code == errno.ENAMETOOLONG:
        return (
            _("the file name {path} is too long", path=shown),
            _("use a shorter id or output folder"),
        )
    if code == errno.EISDIR:
        return (
            _("{path} is a folder where a file is expected", path=shown),
            _("move that folder away"),
        )
    reason = (exc.strerror or str(exc)).lower()
    return (
        _("could not write {path}: {reason}", path=shown, reason=reason),
        _("check the output folder and the disk"),
    )


def display_path(path: Path | str) -> str:
    """Paths relative to the working directory when possible: shorter and clickable."""
    p = Path(path)
    try:
        return str(p.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(p)

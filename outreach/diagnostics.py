"""Diagnostics: one error or warning about one field of one story file.

Every problem a user can cause is reported in the same compiler-like form,
`path:line:col: error|warning: field: message — what to do`, so editors can jump to it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

Severity = Literal["error", "warning"]


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
        text = f"{where}: {self.severity}: {self.field}: {self.message}"
        if self.hint:
            text += f" — {self.hint}"
        return text

    def __str__(self) -> str:
        return self.format()

    def as_error(self) -> Diagnostic:
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


def display_path(path: Path | str) -> str:
    """Paths relative to the working directory when possible: shorter and clickable."""
    p = Path(path)
    try:
        return str(p.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(p)

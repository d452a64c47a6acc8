"""Boxes in canvas pixels: the only geometry the layout and the checks need."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Box:
    x: float
    y: float
    w: float
    h: float

    @property
    def right(self) -> float:
        return self.x + self.w

    @property
    def bottom(self) -> float:
        return self.y + self.h

    def contains(self, other: Box, tolerance: float = 0.0) -> bool:
        return (
            other.x >= self.x - tolerance
            and other.y >= self.y - tolerance
            and other.right <= self.right + tolerance
            and other.bottom <= self.bottom + tolerance
        )

    def intersects(self, other: Box) -> bool:
        return (
            self.x < other.right
            and other.x < self.right
            and self.y < other.bottom
            and other.y < self.bottom
        )

    def union(self, other: Box) -> Box:
        x0, y0 = min(self.x, other.x), min(self.y, other.y)
        x1, y1 = max(self.right, other.right), max(self.bottom, other.bottom)
        return Box(x0, y0, x1 - x0, y1 - y0)

    def inset(self, dx: float, dy: float | None = None) -> Box:
        dy = dx if dy is None else dy
        return Box(self.x + dx, self.y + dy, self.w - 2 * dx, self.h - 2 * dy)

    def scaled(self, factor: float) -> Box:
        return Box(self.x * factor, self.y * factor, self.w * factor, self.h * factor)

    def rounded(self) -> tuple[int, int, int, int]:
        """Integer pixel bounds (x0, y0, x1, y1), growing outwards."""
        import math

        return (
            math.floor(self.x),
            math.floor(self.y),
            math.ceil(self.right),
            math.ceil(self.bottom),
        )

    def as_dict(self) -> dict[str, int]:
        x0, y0, x1, y1 = self.rounded()
        return {"x": x0, "y": y0, "w": x1 - x0, "h": y1 - y0}

    @classmethod
    def from_rect(cls, rect: tuple[float, float, float, float]) -> Box:
        return cls(*rect)

    def within(self, frac: tuple[float, float, float, float]) -> Box:
        """A sub-box given as fractions (x, y, w, h) of this box."""
        fx, fy, fw, fh = frac
        return Box(self.x + fx * self.w, self.y + fy * self.h, fw * self.w, fh * self.h)


def text_allowed(
    box: Box,
    safe: Box,
    keep_clear: tuple[tuple[int, int, int, int], ...] = (),
    tolerance: float = 0.5,
) -> bool:
    """True when text in `box` stays inside the safe zone and clear of keep-clear areas."""
    if not safe.contains(box, tolerance):
        return False
    return not any(box.intersects(Box.from_rect(k)) for k in keep_clear)

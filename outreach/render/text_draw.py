"""Paint a laid-out `TextBlock`: text and fallback runs with Raqm, emoji in colour from the strike."""

from __future__ import annotations

import functools

from PIL import Image, ImageDraw, ImageFilter

from outreach.layout.fonts import EMOJI_STRIKE, load_font
from outreach.layout.text import TextBlock, emoji_scale, run_font, run_width, split_runs

RGBA = tuple[int, int, int, int]


@functools.lru_cache(maxsize=512)
def _emoji_bitmap(run: str, emoji_font: str) -> tuple[Image.Image, int]:
    """The run drawn in colour at the font's only strike, and its baseline offset."""
    font = load_font(emoji_font, EMOJI_STRIKE)
    probe = ImageDraw.Draw(Image.new("RGBA", (1, 1)))
    left, top, right, bottom = probe.textbbox(
        (0, 0), run, font=font, anchor="ls", embedded_color=True
    )
    left, top, right, bottom = (int(v) for v in (left, top, right, bottom))
    img = Image.new("RGBA", (max(1, right - left), max(1, bottom - top)), (0, 0, 0, 0))
    ImageDraw.Draw(img).text((-left, -top), run, font=font, anchor="ls", embedded_color=True)
    return img, -top


def draw_block(
    canvas: Image.Image,
    block: TextBlock,
    color: RGBA,
    scale: float = 1.0,
    shadow: RGBA | None = None,
) -> None:
    """Draw `block` (laid out at full scale) onto `canvas` rendered at `scale`."""
    if not block.lines:
        return
    if shadow is not None:
        layer = Image.new("RGBA", canvas.size, (0, 0, 0, 0))
        _draw_lines(layer, block, shadow, scale, emoji=False)
        radius = max(1.0, block.size * scale * 0.06)
        layer = layer.filter(ImageFilter.GaussianBlur(radius))
        canvas.alpha_composite(layer)
    _draw_lines(canvas, block, color, scale, emoji=True)


def _draw_lines(
    canvas: Image.Image, block: TextBlock, color: RGBA, scale: float, emoji: bool
) -> None:
    style = block.style
    draw = ImageDraw.Draw(canvas)
    for line in block.lines:
        x = line.x
        for run in split_runs(line.text, style.emoji_font, style.font):
            width = run_width(run, style.emoji_font, block.size)
            if run.emoji:
                if emoji and run.text.strip():
                    bitmap, baseline = _emoji_bitmap(run.text, style.emoji_font)
                    k = emoji_scale(block.size) * scale
                    w = max(1, round(bitmap.width * k))
                    h = max(1, round(bitmap.height * k))
                    scaled = bitmap.resize((w, h), Image.Resampling.LANCZOS)
                    canvas.alpha_composite(
                        scaled, (round(x * scale), round(line.baseline * scale - baseline * k))
                    )
            else:
                font = run_font(run, block.size * scale)
                draw.text(
                    (x * scale, line.baseline * scale),
                    run.text,
                    font=font,
                    fill=color,
                    anchor="ls",
                    stroke_width=run.stroke * block.size * scale,
                    stroke_fill=color,
                )
            x += width

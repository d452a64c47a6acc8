"""Post text: caption, hashtags, credits and alt text per platform, from Jinja2 templates.

Templates live in the theme's `post/` folder, so a theme (or a user theme) can override
them. Text over a platform limit is shortened at a word boundary with "…" and reported
as a warning; `check --strict` makes that an error.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

import jinja2

from outreach.model.story import Story
from outreach.platforms import Platform
from outreach.render.cards import CardSpec
from outreach.themes import Theme

ELLIPSIS = "…"


@dataclass(frozen=True)
class PostIssue:
    field: str
    message: str
    hint: str


@dataclass
class PostText:
    text: str
    caption: str
    title: str = ""
    issues: list[PostIssue] = field(default_factory=list)


def shorten(text: str, limit: int, measure: Callable[[str], int] = len) -> str:
    """Cut `text` at a word boundary so that it plus '…' fits `limit` (by `measure`)."""
    if measure(text) <= limit:
        return text
    cut = text
    while cut and measure(cut.rstrip() + ELLIPSIS) > limit:
        cut = cut[: max(0, len(cut) - max(1, (measure(cut) - limit) // 4))]
    if " " in cut.strip():
        cut = cut[: cut.rstrip().rfind(" ")] if not text[len(cut) : len(cut) + 1].isspace() else cut
    cut = re.sub(r"[\s,;:.\-–—]+$", "", cut)
    return cut + ELLIPSIS


def _env(theme: Theme) -> jinja2.Environment:
    loader = jinja2.FileSystemLoader([str(f / "post") for f in theme.folders])
    env = jinja2.Environment(
        loader=loader,
        autoescape=False,
        keep_trailing_newline=True,
        trim_blocks=False,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["prepend"] = lambda value, prefix: f"{prefix}{value}"
    return env


def _template(env: jinja2.Environment, *names: str) -> jinja2.Template:
    return env.select_template(list(names))


def build_post(story: Story, platform: Platform, theme: Theme, cards: list[CardSpec]) -> PostText:
    limits = platform.limits
    issues: list[PostIssue] = []
    hashtags = list(dict.fromkeys(story.hashtags))
    if limits.hashtags is not None and len(hashtags) > limits.hashtags:
        issues.append(
            PostIssue(
                "hashtags",
                f"{len(hashtags)} hashtags, {platform.label} allows {limits.hashtags}",
                f"only the first {limits.hashtags} are used; remove the rest",
            )
        )
        hashtags = hashtags[: limits.hashtags]
    env = _env(theme)
    context = {
        "story_id": story.id,
        "lang": story.lang,
        "title": story.title,
        "hook": story.hook,
        "beats": [b.text for b in story.beats if b.text],
        "quote": story.quote,
        "quote_by": story.speaker,
        "facts": story.facts,
        "cta": story.cta,
        "link": story.link,
        "hashtags": hashtags,
        "credits": story.credits,
        "platform": platform.name,
        "platform_label": platform.label,
        "network": platform.network,
    }
    caption = _template(env, f"caption-{platform.network}.txt.j2", "caption.txt.j2").render(context)
    caption = re.sub(r"\n{3,}", "\n\n", caption).strip()
    if limits.caption_chars is not None and len(caption) > limits.caption_chars:
        issues.append(
            PostIssue(
                "caption",
                f"caption is {len(caption)} characters, {platform.label} allows {limits.caption_chars}",
                "it was shortened with '…'; shorten the beats or the quote",
            )
        )
        caption = shorten(caption, limits.caption_chars)
    if limits.description_bytes is not None and len(caption.encode()) > limits.description_bytes:
        issues.append(
            PostIssue(
                "caption",
                f"description is {len(caption.encode())} bytes, {platform.label} allows {limits.description_bytes}",
                "it was shortened with '…'; shorten the beats or the quote",
            )
        )
        caption = shorten(caption, limits.description_bytes, lambda s: len(s.encode()))
    title = ""
    if limits.title_chars is not None:
        raw_title = story.youtube_title or story.title
        title = raw_title
        if limits.title_forbidden and any(c in title for c in limits.title_forbidden):
            title = "".join(c for c in title if c not in limits.title_forbidden).strip()
            issues.append(
                PostIssue(
                    "youtube_title" if story.youtube_title else "title",
                    f"contains {' or '.join(repr(c) for c in limits.title_forbidden)}, which {platform.label} rejects",
                    "they were removed; write the title without them",
                )
            )
        if len(title) > limits.title_chars:
            issues.append(
                PostIssue(
                    "youtube_title" if story.youtube_title else "title",
                    f"title is {len(title)} characters, {platform.label} allows {limits.title_chars}",
                    "it was shortened with '…'; set a shorter `youtube_title:`",
                )
            )
            title = shorten(title, limits.title_chars)
    alt = [(c.filename, c.alt) for c in cards if c.alt]
    text = _template(env, f"post-{platform.network}.txt.j2", "post.txt.j2").render(
        {**context, "caption": caption, "youtube_title": title, "alt": alt}
    )
    return PostText(re.sub(r"\n{3,}", "\n\n", text).strip() + "\n", caption, title, issues)

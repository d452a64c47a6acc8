"""Post text: caption, hashtags, credits and alt text per platform, from Jinja2 templates.

Templates live in the theme's `post/` folder, so a theme (or a user theme) can override
them. Each platform's caption is its own template, found by name: `caption-<preset>.txt.j2`
(e.g. `caption-instagram-story`), then `caption-<network>.txt.j2`, then `caption.txt.j2`,
in the first theme folder (user themes first) that has any of them. That is data, not a
branch per platform. Text over a platform limit is shortened at a word boundary with "…"
and reported as a warning; `check --strict` makes that an error.

What a run writes per platform folder: `caption.txt`, exactly the text to paste (on
YouTube the title, a blank line and the description); `alt.txt` where the network has an
alt-text field (preset `alt_text: true`); and `post.txt`, the reviewer's full sheet.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

import jinja2
from jinja2.sandbox import SandboxedEnvironment

from outreach.i18n import _
from outreach.model.story import Story
from outreach.platforms import Platform
from outreach.render.cards import CardSpec
from outreach.themes import Theme, ThemeError

ELLIPSIS = "…"


@dataclass(frozen=True)
class PostIssue:
    field: str
    message: str
    hint: str


@dataclass
class PostText:
    text: str  # post.txt: the reviewer's sheet
    caption: str  # the caption (on YouTube: the description)
    title: str = ""
    issues: list[PostIssue] = field(default_factory=list)
    #: (image file name, alt text) for the network's alt-text field; empty where it has none.
    alt: list[tuple[str, str]] = field(default_factory=list)

    @property
    def paste(self) -> str:
        """caption.txt: exactly what is pasted, no headers. Where the network has a title
        field (YouTube), the title comes first, then a blank line, then the description."""
        return (f"{self.title}\n\n{self.caption}" if self.title else self.caption) + "\n"

    @property
    def alt_file(self) -> str | None:
        """alt.txt: each image's name on a line, its alt text on the next, a blank line
        between images; None where the network takes no alt text."""
        if not self.alt:
            return None
        return "\n".join(f"{name}\n{text}\n" for name, text in self.alt)


def fit_line(candidates: list[str], limit: int) -> tuple[str, bool]:
    """The first candidate that fits `limit` characters on one line, else the first one
    shortened with '…': (line, shortened?)."""
    lines = [" ".join(c.split()) for c in candidates if c and c.strip()]
    for line in lines:
        if len(line) <= limit:
            return line, False
    if not lines:
        return "", False
    return shorten(lines[0], limit), True


def upto(texts: list[str], limit: int) -> list[str]:
    """The leading texts whose total length stays within `limit` characters (at least the
    first, shortened if it alone is longer): a short body for a short-form caption."""
    out: list[str] = []
    total = 0
    for text in texts:
        if not text:
            continue
        if out and total + len(text) + 1 > limit:
            break
        if not out and len(text) > limit:
            return [shorten(text, limit)]
        out.append(text)
        total += len(text) + 1
    return out


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
    """Post templates come from user themes too: they run sandboxed, so a template can
    format the story but never reach Python internals (no `__globals__`, no `os`)."""
    loader = jinja2.FileSystemLoader([str(f / "post") for f in theme.folders])
    env = SandboxedEnvironment(
        loader=loader,
        autoescape=False,
        keep_trailing_newline=True,
        trim_blocks=False,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["prepend"] = lambda value, prefix: f"{prefix}{value}"
    env.filters["upto"] = lambda value, limit: upto(list(value), int(limit))
    return env


def _template(env: jinja2.Environment, theme: Theme, *names: str) -> jinja2.Template:
    """The most specific of `names` in the first theme folder that has any of them, so a
    user theme's `caption.txt.j2` still wins over the built-in `caption-tiktok.txt.j2`."""
    for folder in theme.folders:
        for name in names:
            if (folder / "post" / name).is_file():
                return env.get_template(name)
    return env.select_template(list(names))


def _render(env: jinja2.Environment, theme: Theme, names: list[str], context: dict) -> str:
    """Render the first template found; any template fault becomes a ThemeError that
    names the template file and line."""
    try:
        template = _template(env, theme, *names)
    except jinja2.TemplateSyntaxError as exc:
        raise ThemeError(
            f"theme `{theme.name}`: post template {exc.filename or exc.name}:{exc.lineno}: "
            f"{exc.message}",
            "fix the Jinja2 syntax of the template",
        ) from None
    except jinja2.TemplateNotFound:
        raise ThemeError(
            f"theme `{theme.name}` has no post template ({' or '.join(names)})",
            "add post/post.txt.j2 and post/caption.txt.j2 to the theme, or extend `default`",
        ) from None
    try:
        return template.render(context)
    except jinja2.exceptions.SecurityError as exc:
        raise ThemeError(
            f"theme `{theme.name}`: post template {template.filename} tried something "
            f"templates may not do ({exc})",
            "templates can only format the story's fields; remove the offending expression",
        ) from None
    except jinja2.TemplateError as exc:
        line = _template_line(exc)
        raise ThemeError(
            f"theme `{theme.name}`: post template {template.filename}{line}: {exc}",
            "use only the fields the post context provides (title, hook, beats, …)",
        ) from None
    except (TypeError, ValueError, AttributeError, ArithmeticError) as exc:
        raise ThemeError(
            f"theme `{theme.name}`: post template {template.filename} failed ({exc})",
            "check the expressions in the template",
        ) from None


def _template_line(exc: BaseException) -> str:
    import traceback

    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if frame.filename.endswith(".j2"):
            return f":{frame.lineno}"
    return ""


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
    hook_chars = limits.hook_chars
    hook_line, cut = fit_line([story.hook, story.title], hook_chars or 10**6)
    if cut:
        issues.append(
            PostIssue(
                "hook",
                _(
                    "the hook and the title are both over {limit} characters, the part "
                    '{platform} shows before "more"',
                    limit=hook_chars,
                    platform=platform.label,
                ),
                _("the caption opens with the hook shortened with '…'; write a shorter hook"),
            )
        )
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
        "hook_line": hook_line,
        "alt_field": platform.alt_text,
    }
    caption = _render(
        env,
        theme,
        [f"caption-{platform.name}.txt.j2", f"caption-{platform.network}.txt.j2", "caption.txt.j2"],
        context,
    )
    caption = "\n".join(line.rstrip() for line in caption.splitlines())
    caption = re.sub(r"\n{3,}", "\n\n", caption).strip()
    first = caption.split("\n", 1)[0]
    if hook_chars is not None and len(first) > hook_chars:
        issues.append(
            PostIssue(
                "hook",
                _(
                    "the caption's first line is {n} characters; {platform} shows {limit} "
                    'before "more"',
                    n=len(first),
                    platform=platform.label,
                    limit=hook_chars,
                ),
                _("shorten the hook, or the theme's caption template's first line"),
            )
        )
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
    described = [(c.filename, c.alt) for c in cards if c.alt]
    # The preset's `alt_text` flag decides where alt text goes: into the platform's alt-text
    # field (an ALT TEXT section per image), or, where the platform has no such field, into
    # IMAGE DESCRIPTIONS to add to the caption or the first comment.
    alt = described if platform.alt_text else []
    descriptions = [] if platform.alt_text else described
    text = _render(
        env,
        theme,
        [f"post-{platform.network}.txt.j2", "post.txt.j2"],
        {
            **context,
            "caption": caption,
            "youtube_title": title,
            "alt": alt,
            "descriptions": descriptions,
            "alt_field": platform.alt_text,
        },
    )
    return PostText(re.sub(r"\n{3,}", "\n\n", text).strip() + "\n", caption, title, issues, alt)

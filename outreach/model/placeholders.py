"""Unedited placeholders from `outreach new`: a story that still says "Bước hai." or
"Ảnh: ..." is not ready to publish, so each one left is a warning (an error with --strict).

The placeholder texts are read from the template itself, so they never drift apart.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

from outreach.diagnostics import Diagnostic
from outreach.i18n import _

if TYPE_CHECKING:
    from outreach.model.loader import FieldPath, LoadedStory

KINDS = ("startup", "engineer", "student", "explainer")
LANGS = ("vi", "en")
#: Fields whose template text is only an example; facts and hashtags are real examples.
_FIELDS = ("title", "hook", "quote", "cta", "credits")
_PERSON = ("name",)  # a role such as "Founder" is a real value, not a placeholder


def new_story_text(kind: str, lang: str, filename: str) -> str:
    """The commented story `outreach new` writes: example content in the story's `lang`,
    comments in the interface language."""
    from jinja2 import PackageLoader
    from jinja2.sandbox import SandboxedEnvironment

    env = SandboxedEnvironment(
        loader=PackageLoader("outreach", "templates"), keep_trailing_newline=True
    )
    env.globals["_"] = _
    return env.get_template("new-story.yaml.j2").render(kind=kind, lang=lang, filename=filename)


@functools.cache
def template_placeholders() -> frozenset[str]:
    """Every example text the `outreach new` template writes, for every kind and language."""
    import yaml

    found: set[str] = set()
    for kind in KINDS:
        for lang in LANGS:
            text = new_story_text(kind, lang, "x.yaml")
            data: dict[str, Any] = yaml.safe_load(text) or {}
            found.update(str(data[f]) for f in _FIELDS if data.get(f))
            person = data.get("person") or {}
            found.update(str(person[f]) for f in _PERSON if person.get(f))
            found.update(str(b["text"]) for b in data.get("beats") or [] if b.get("text"))
    return frozenset(s.strip() for s in found if s.strip())


def placeholder_warnings(loaded: LoadedStory) -> list[Diagnostic]:
    story = loaded.story
    known = template_placeholders()
    values: list[tuple[FieldPath, str]] = [(tuple([f]), getattr(story, f)) for f in _FIELDS]
    if story.person:
        values += [(("person", f), getattr(story.person, f)) for f in _PERSON]
    values += [(("beats", i, "text"), b.text) for i, b in enumerate(story.beats)]
    out = []
    for path, value in values:
        if value and (value in known or value.rstrip().endswith(": ...")):
            out.append(
                loaded.diagnostic(
                    "warning",
                    path,
                    _("still has the template's example text `{value}`", value=value),
                    _("write the story's own text, or remove the field"),
                )
            )
    return out

"""`outreach init DIR`: a clean project for a team, with none of the bundled samples.

    DIR/outreach.toml        marks the project (media paths stay inside DIR)
    DIR/stories/example.yaml one commented draft (drafts never join a pack)
    DIR/themes/              the team's own themes, searched before the built-in ones

Nothing that exists is overwritten: a second `init` only adds what is missing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from outreach.atomic import write_text
from outreach.model.loader import PROJECT_MARKER

EXAMPLE_NAME = "example.yaml"

CONFIG = """\
# An outreach project. Stories live in stories/ (one YAML file each), your own themes in
# themes/<name>/theme.yaml (searched before the built-in `default` and `lotus`).
# Photos and audio a story names must stay inside this folder.
#
#   outreach check stories/
#   outreach pack stories/ -o output/
#
# ui_lang = "vi"   # language of outreach's messages: "vi" or "en" (default: from LANG)
"""

THEMES_README = """\
Your own themes go here, one folder each: themes/<name>/theme.yaml.
Start from the built-in one and change only what you need:

    # themes/brand/theme.yaml
    extends: default
    colors: {accent: "#E4572E"}

then write `theme: brand` in a story. `outreach themes` lists what it finds.
"""


@dataclass
class InitReport:
    created: list[Path] = field(default_factory=list)
    kept: list[Path] = field(default_factory=list)


def init_project(folder: Path, lang: str = "vi") -> InitReport:
    """Create the project's files and folders that are missing; keep every existing one."""
    from outreach.model.placeholders import new_story_text

    report = InitReport()
    stories = folder / "stories"
    example = stories / EXAMPLE_NAME
    # The same commented story `outreach new` writes (one template, one renderer).
    text = new_story_text("startup", lang, str(example))
    files = [
        (folder / PROJECT_MARKER, CONFIG),
        (example, text),
        (folder / "themes" / "README.txt", THEMES_README),
    ]
    for path, content in files:
        if path.exists() or path.is_symlink():
            report.kept.append(path)
            continue
        if path == example and stories.is_dir() and any(stories.glob("*.y*ml")):
            report.kept.append(stories)  # the team has stories already: no example
            continue
        write_text(path, content)
        report.created.append(path)
    return report

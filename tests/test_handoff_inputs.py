"""Issue 12's inputs: `publish:` with a time and a zone (plain located errors),
`outreach init`, the bundled samples kept out of a team's pack, caption templates as data."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from outreach.diagnostics import StoryError
from outreach.model.loader import load_story
from outreach.model.publish import parse_publish
from tests.conftest import STORIES, write_story

BASE = "kind: engineer\nlang: vi\ntitle: Kỹ sư trẻ\n"


def load(root: Path, extra: str):  # type: ignore[no-untyped-def]
    return load_story(write_story(root, "p.yaml", BASE + extra), root)


@pytest.mark.parametrize(
    ("value", "canonical", "utc"),
    [
        ("2026-11-27 19:30", "2026-11-27 19:30 Asia/Ho_Chi_Minh", "12:30"),
        ('"2026-11-27 19:30"', "2026-11-27 19:30 Asia/Ho_Chi_Minh", "12:30"),
        ("2026-11-27T19:30", "2026-11-27 19:30 Asia/Ho_Chi_Minh", "12:30"),
        ("2026-11-27 19:30:00", "2026-11-27 19:30 Asia/Ho_Chi_Minh", "12:30"),
        ("2026-11-27 19:30 +09:00", "2026-11-27 19:30 +09:00", "10:30"),
        ("2026-11-27 19:30 +0530", "2026-11-27 19:30 +05:30", "14:00"),
        ("2026-11-27T19:30:00+07:00", "2026-11-27 19:30 +07:00", "12:30"),
        ("2026-11-27 19:30 Europe/Paris", "2026-11-27 19:30 Europe/Paris", "18:30"),
        ("2026-11-27 08:05 UTC", "2026-11-27 08:05 UTC", "08:05"),
        ("2026-11-27", "2026-11-27", None),
    ],
)
def test_publish_takes_a_date_a_time_and_a_zone(
    story_dir: Path, value: str, canonical: str, utc: str | None
) -> None:
    story = load(story_dir, f"publish: {value}\n").story
    assert story.publish == canonical
    assert story.iso_week() == "2026-W48"
    when = story.when()
    assert when is not None and when.date == dt.date(2026, 11, 27)
    moment = when.moment()
    if utc is None:
        assert moment is None and when.time is None
        assert when.moment(dt.time(20, 0)) == dt.datetime(
            2026, 11, 27, 13, 0, tzinfo=dt.UTC
        )  # a platform's default time, in Vietnam
    else:
        assert moment is not None and moment.astimezone(dt.UTC).strftime("%H:%M") == utc
    assert parse_publish(canonical).text() == canonical  # canonical text reads back as itself


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2026-11-27 25:00", "25:00 is not a time of day (00:00 to 23:59)"),
        ("2026-11-27 19:75", "19:75 is not a time of day (00:00 to 23:59)"),
        ("2026-02-30 10:00", "2026-02-30 is not a real date (check the day and the month)"),
        ("2026-11-27 19:30 Mars/Olympus", "`Mars/Olympus` is not a time zone this computer knows"),
        ("2026-11-27 19:30 +15:00", "`+15:00` is not a time-zone offset"),
        ("tomorrow", "`tomorrow` is not a date and time like 2026-11-27 19:30"),
        ("2026-11-27 +07:00", "gives a time zone but no time"),
        ("19:30", "must start with a date, like 2026-11-27 19:30"),
    ],
)
def test_a_bad_publish_value_is_a_plain_located_error(
    story_dir: Path, value: str, message: str
) -> None:
    with pytest.raises(StoryError) as err:
        load(story_dir, f"status: draft\npublish: {value}\n")
    (d,) = err.value.diagnostics
    assert (d.path.endswith("p.yaml"), d.line, d.col, d.field) == (True, 5, 10, "publish")
    assert message in d.message
    assert "write it like 2026-11-27 19:30" in d.hint
    text = d.format()
    assert "Value error" not in text and "pydantic" not in text.lower()


def test_publish_and_week_must_agree(story_dir: Path) -> None:
    with pytest.raises(StoryError) as err:
        load(story_dir, "week: 2026-W49\npublish: 2026-11-27 19:30\n")
    (d,) = err.value.diagnostics
    assert d.field == "publish" and d.line == 5
    assert "2026-11-27 falls in 2026-W48, but `week:` says 2026-W49" in d.message
    assert load(story_dir, "week: 2026-W48\npublish: 2026-11-27\n").story.iso_week() == "2026-W48"


# --- outreach init, and the samples kept out of a team's pack --------------------------------


def outreach(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "outreach", *args],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=cwd,
        check=False,
    )


def test_init_makes_a_clean_project_that_packs_no_sample(tmp_path: Path) -> None:
    project = tmp_path / "team"
    res = outreach("init", str(project))
    assert res.returncode == 0, res.stderr
    assert (project / "outreach.toml").is_file()
    assert (project / "themes").is_dir()
    stories = sorted(p.name for p in (project / "stories").iterdir())
    assert stories == ["example.yaml"]
    example = (project / "stories" / "example.yaml").read_text(encoding="utf-8")
    assert "\nstatus: draft" in example and example.count("\n#") >= 3  # a commented draft
    assert "sample: true" not in example
    check = outreach("check", str(project / "stories"))
    assert check.returncode == 0, check.stderr

    again = outreach("init", str(project))  # nothing is overwritten
    assert again.returncode == 0 and "created" not in again.stderr
    assert (project / "stories" / "example.yaml").read_text(encoding="utf-8") == example

    res = outreach("pack", "-o", "output", "--week", "2026-W48", cwd=project)
    assert res.returncode == 0, res.stderr
    pack = project / "output" / "2026-W48"
    rendered = [p for p in pack.rglob("*.jpg")]
    assert rendered == [] and "drafts left out" in res.stderr and "example" in res.stderr
    assert (pack / "schedule.csv").read_text(encoding="utf-8").count("\n") == 1  # the header


def test_a_file_is_not_a_project_folder(tmp_path: Path) -> None:
    (tmp_path / "f").write_text("x")
    res = outreach("init", str(tmp_path / "f"))
    assert res.returncode == 2 and "is a file" in res.stderr


def sample_ids() -> set[str]:
    return {load_story(p, STORIES).id for p in STORIES.glob("*.yaml")}


def packed(out: Path) -> set[str]:
    pack = out / "2026-W48"
    return {p.name for p in pack.iterdir() if p.is_dir() and not p.name.startswith(".")}


@pytest.mark.slow
def test_samples_join_only_a_folder_of_samples(tmp_path: Path) -> None:
    """The README's sample command still packs the samples; once a team's story sits
    beside them they stay out (and say so), unless --samples."""
    stories = tmp_path / "stories"
    shutil.copytree(STORIES, stories)
    args = ["-p", "youtube-thumbnail", "--only", "cards", "--week", "2026-W48"]
    alone = outreach("pack", str(stories), "-o", str(tmp_path / "a"), *args)
    assert alone.returncode == 0, alone.stderr
    assert packed(tmp_path / "a") == sample_ids() and len(sample_ids()) == 5
    write_story(
        stories,
        "team.yaml",
        BASE + "status: approved\nhook: Một câu mở đầu\nweek: 2026-W48\n",
    )
    team = outreach("pack", str(stories), "-o", str(tmp_path / "b"), *args)
    assert team.returncode == 0, team.stderr
    assert packed(tmp_path / "b") == {"team"}
    assert "5 sample stories left out" in team.stderr and "--samples" in team.stderr
    both = outreach("pack", str(stories), "-o", str(tmp_path / "c"), "--samples", *args)
    assert both.returncode == 0, both.stderr
    assert len(packed(tmp_path / "c")) == 6


# --- caption templates are data ----------------------------------------------------------------


def test_a_user_themes_caption_template_wins_over_the_built_in_network_one(
    story_dir: Path,
) -> None:
    """Templates are found by name (caption-<preset>, caption-<network>, caption) in the
    first theme folder that has any: a user theme's caption.txt.j2 serves every network."""
    from outreach.pack.story import load_and_validate
    from outreach.platforms import get_platform
    from outreach.render.post import build_post

    user = story_dir / "themes" / "default"
    (user / "post").mkdir(parents=True)
    (user / "theme.yaml").write_text("extends: default\n")
    (user / "post" / "caption.txt.j2").write_text("{{ hook_line }}\n\nRiêng của đội.\n")
    path = write_story(story_dir, "t.yaml", BASE + "hook: Một câu mở đầu\n")
    validated = load_and_validate(path, story_dir, ["tiktok", "facebook-feed"], layout_pass=False)
    for name in ("tiktok", "facebook-feed"):
        post = build_post(validated.loaded.story, get_platform(name), validated.theme, [])
        assert post.paste == "Một câu mở đầu\n\nRiêng của đội.\n"
    (user / "post" / "caption-tiktok.txt.j2").write_text("TikTok {{ title }}\n")
    post = build_post(validated.loaded.story, get_platform("tiktok"), validated.theme, [])
    assert post.paste == "TikTok Kỹ sư trẻ\n"


def test_a_long_hook_is_fitted_to_the_line_before_more(story_dir: Path) -> None:
    from outreach.pack.story import load_and_validate
    from outreach.platforms import get_platform
    from outreach.render.post import build_post

    hook = "Một câu mở đầu rất dài " * 8
    path = write_story(story_dir, "h.yaml", BASE + f'hook: "{hook.strip()}"\n')
    validated = load_and_validate(path, story_dir, ["tiktok"], layout_pass=False)
    post = build_post(validated.loaded.story, get_platform("tiktok"), validated.theme, [])
    assert post.paste.split("\n", 1)[0] == "Kỹ sư trẻ"  # the title fits: it opens instead
    long_title = BASE.replace("Kỹ sư trẻ", "Kỹ sư trẻ " * 20)
    path = write_story(story_dir, "h.yaml", long_title + f'hook: "{hook.strip()}"\n')
    validated = load_and_validate(path, story_dir, ["tiktok"], layout_pass=False)
    post = build_post(validated.loaded.story, get_platform("tiktok"), validated.theme, [])
    first = post.paste.split("\n", 1)[0]
    assert len(first) <= 125 and first.endswith("…") and first.startswith("Một câu mở đầu")
    assert any('before "more"' in i.message and i.field == "hook" for i in post.issues)


# --- the schedule keeps a broken story's posts ---------------------------------------------------


def test_a_story_that_breaks_keeps_its_schedule_rows(story_dir: Path, tmp_path: Path) -> None:
    """Its files stay in the pack (stale), so its rows stay in the schedule."""
    import csv
    import io

    from tests.test_pack import WEEK, story_text, verify_pack

    path = write_story(
        story_dir, "lan.yaml", story_text("Lan đi Tokyo", extra="publish: 2026-11-26 07:45\n")
    )
    write_story(story_dir, "minh.yaml", story_text("Minh"))
    out = tmp_path / "out"
    args = ["pack", str(story_dir), "--week", WEEK, "-o", str(out), "--only", "cards"]
    first = outreach(*args, "-p", "tiktok", "-p", "instagram-feed")
    assert first.returncode == 0, first.stderr
    schedule = out / WEEK / "schedule.csv"

    def rows() -> list[dict[str, str]]:
        text = schedule.read_text(encoding="utf-8")
        return list(csv.DictReader(io.StringIO(text, newline="")))

    before = [r for r in rows() if r["story"] == "lan"]
    assert [(r["platform"], r["date"], r["time"]) for r in before] == [
        ("tiktok", "2026-11-26", "07:45"),
        ("instagram-feed", "2026-11-26", "07:45"),
    ]
    # minh has no date: Monday of the pack's week, at each platform's default time.
    minh = {r["platform"]: (r["date"], r["time"]) for r in rows() if r["story"] == "minh"}
    assert minh == {"tiktok": ("2026-11-23", "19:00"), "instagram-feed": ("2026-11-23", "11:30")}
    path.write_text(path.read_text(encoding="utf-8").replace("kind: engineer", "kind: [oops"))
    broken = outreach(*args, "-p", "tiktok", "-p", "instagram-feed")
    assert broken.returncode == 1
    assert [r for r in rows() if r["story"] == "lan"] == before
    verify_pack(out / WEEK)

"""`outreach pack`: build one week's content pack, in parallel and incrementally.

Which stories join the pack for ISO week W:
- a story with `week: W`, or a `publish:` date inside week W, joins W's pack only;
- a story with neither joins every week's pack;
- only `status: approved` stories are rendered, unless `include_drafts`; the report lists
  every draft it left out, so that nothing unapproved is published by accident.

The run: take the folder's lock, load each story (cheap), compute each output unit's
content key (one story x platform x cards/video), skip units whose key and files are
unchanged, validate changed stories and render changed units on an executor, then write
`index.html`, `manifest.json` and finally `<week>.zip`. Every file is written through
`outreach.atomic`.

What a run never does (issue 8): a run narrowed by `-p`, `--only` or `--story` rebuilds
only its selection and keeps every other output of the week on disk, in the manifest and
in the zip. Files are removed only when the pack itself wrote them (its ledger in
`.cache/outputs/` says so, with their hash) and their story or platform has left the
week's pack; each removal is reported by name. Files a person put in the folder, or
edited after the pack wrote them, are never deleted or overwritten (an edited output is
moved aside). Before the first byte changes, `manifest.json` and the zip are retired to
`.cache/pack/`, so a killed run never leaves a manifest that disagrees with the files.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import re
import sys
import time
from concurrent.futures import FIRST_COMPLETED, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from outreach.atomic import remove_stale_temp_files
from outreach.diagnostics import Diagnostic, StoryError, display_path
from outreach.pack.cache import PackCache, output_key
from outreach.pack.executor import LazyExecutor
from outreach.pack.jobs import (
    CARDS,
    SEGMENTS,
    VIDEO,
    CheckJob,
    JobResult,
    OutputJob,
    StoryRef,
    run,
)

#: Manifest outputs made by a video job (the rest are made by a cards job).
VIDEO_OUTPUTS = ("video", "cover", "subtitles", "platform-video")
WEEK_RE = re.compile(r"(\d{4})-W(\d{2})")
INDEX_NAME = "index.html"


def current_week(today: dt.date | None = None) -> str:
    year, week, _ = (today or dt.date.today()).isocalendar()
    return f"{year}-W{week:02d}"


def parse_week(text: str) -> str:
    """Normalise `2026-W48` / `2026-w48`; raise ValueError for anything else."""
    m = WEEK_RE.fullmatch(text.strip().upper())
    if not m:
        raise ValueError(f"`{text}` is not an ISO week; write it like 2026-W48")
    year, week = int(m.group(1)), int(m.group(2))
    try:
        dt.date.fromisocalendar(year, week, 1)
    except ValueError:
        raise ValueError(f"{year} has no ISO week {week}") from None
    return f"{year}-W{week:02d}"


def video_available() -> bool:
    """The video renderer plugs in as jobs when its module exists."""
    import importlib.util

    try:
        return importlib.util.find_spec("outreach.pack.video") is not None
    except (ImportError, ValueError):
        return False


class PackUsageError(Exception):
    """The run cannot start (output folder unusable, another pack running): exit 2."""

    def __init__(self, message: str, hint: str):
        self.message = message
        self.hint = hint
        super().__init__(f"{message} — {hint}")


@dataclass
class StoryStatus:
    """What happened to one story in this run."""

    id: str
    path: str
    outputs: int = 0  # story x platform x kind units planned
    rendered: int = 0
    skipped: int = 0
    failed: int = 0
    diagnostics: list[Diagnostic] = field(default_factory=list)
    platforms: list[str] = field(default_factory=list)
    entries: list[dict[str, Any]] = field(default_factory=list)
    kept: int = 0  # units outside this run's selection, kept as they were
    title: str = ""  # for the schedule; empty when the story did not load
    publish: str | None = None  # `publish:` as canonical text

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "warning"]

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "error"]


@dataclass
class PackReport:
    week: str
    pack_dir: Path
    stories: dict[str, StoryStatus] = field(default_factory=dict)
    drafts: list[tuple[str, str]] = field(default_factory=list)  # (id, path) left out
    samples: list[tuple[str, str]] = field(default_factory=list)  # bundled samples left out
    other_weeks: int = 0
    discovered: int = 0  # story files found, whichever week they belong to
    files: int = 0
    pruned: int = 0
    removed: list[tuple[str, str]] = field(default_factory=list)  # (path, why)
    kept_edits: list[tuple[str, str]] = field(default_factory=list)  # (path, what happened)
    missing: list[str] = field(default_factory=list)  # kept outputs whose file is gone
    temp_removed: int = 0
    wall: float = 0.0
    started: float = field(default_factory=time.time)  # epoch seconds, to tell stale files
    where: str = ""
    zip_path: Path | None = None
    problems: list[str] = field(default_factory=list)  # closing failures (disk full…)

    def total(self, attr: str) -> int:
        return sum(getattr(s, attr) for s in self.stories.values())

    @property
    def warnings(self) -> int:
        return sum(len(s.warnings) for s in self.stories.values())

    @property
    def ok(self) -> bool:
        return (
            self.total("failed") == 0
            and not any(s.errors for s in self.stories.values())
            and not self.problems
        )


@dataclass
class _Planned:
    status: StoryStatus
    ref: StoryRef
    check_key: str
    pending: list[OutputJob]
    check_cached: bool
    units: dict[str, dict[str, Any]] = field(default_factory=dict)  # record -> meta
    previous: dict[str, dict[str, Any]] = field(default_factory=dict)  # its old records
    cache: PackCache | None = None


@dataclass
class _Selection:
    """What this run was asked to rebuild."""

    kinds: list[str]
    platforms: list[str] | None
    stories: set[str] | None  # ids or file stems; None: all

    def story(self, story_id: str, path: Path) -> bool:
        return self.stories is None or story_id in self.stories or path.stem in self.stories


def _group_platforms(platforms: list[Any]) -> list[list[Any]]:
    """Platforms whose cards are pixel-identical before encoding share one job."""
    groups: dict[tuple, list[Any]] = {}
    for p in platforms:
        sig = (p.canvas, p.safe_rect, p.keep_clear, p.format, p.outputs, p.max_slides)
        groups.setdefault(sig, []).append(p)
    return list(groups.values())


def _preflight(stories_dir: Path, out_root: Path, pack_dir: Path) -> None:
    """Refuse an output folder that would mix with the stories, or cannot be written."""
    stories = stories_dir.resolve()
    if stories == pack_dir or stories.is_relative_to(pack_dir):
        raise PackUsageError(
            f"the pack folder {display_path(pack_dir)} contains the stories folder "
            f"{display_path(stories)}",
            "choose an output folder outside the stories, e.g. -o output/",
        )
    if pack_dir.is_relative_to(stories):
        raise PackUsageError(
            f"the pack folder {display_path(pack_dir)} is inside the stories folder "
            f"{display_path(stories)}",
            "choose an output folder outside the stories, e.g. -o output/",
        )
    for parent in (out_root, *out_root.parents):
        if parent.exists() and not parent.is_dir():
            raise PackUsageError(
                f"cannot use {display_path(out_root)} as the output folder: "
                f"{display_path(parent)} is a file",
                "choose another folder with -o",
            )
        if parent.exists():
            break
    from outreach.pack.render import probe_writable

    probe_writable(pack_dir, PackUsageError)


def build_pack(
    stories_dir: Path,
    week: str,
    out_root: Path,
    *,
    jobs: int,
    force: bool = False,
    only: str | None = None,
    platforms: list[str] | None = None,
    stories: list[str] | None = None,
    include_drafts: bool = False,
    include_samples: bool = False,
    scheduler: str | None = None,
    themes_dirs: tuple[Path, ...] = (),
    quality: str = "fast",
    highlight: bool = True,
    clean: bool = False,
    console: Any = None,
) -> PackReport:
    """Build `<out_root>/<week>/`; never raises for a broken story, only reports it.

    Raises PackUsageError when the run cannot start (exit 2); KeyboardInterrupt passes
    through after the workers are stopped.
    """
    from outreach.pack.lock import PackBusy, pack_lock

    start = time.perf_counter()
    pack_dir = (out_root / week).resolve()
    _preflight(stories_dir, out_root.resolve(), pack_dir)
    report = PackReport(week, pack_dir)
    cache = PackCache(pack_dir)
    try:
        with pack_lock(cache.root):
            _build(
                report,
                cache,
                stories_dir,
                _Selection(
                    [k for k in (CARDS, VIDEO) if only in (None, k)],
                    platforms,
                    set(stories) if stories else None,
                ),
                jobs=jobs,
                force=force,
                include_drafts=include_drafts,
                include_samples=include_samples,
                scheduler=scheduler,
                themes_dirs=themes_dirs,
                quality=quality,
                highlight=highlight,
                clean=clean,
                console=console,
            )
    except PackBusy as exc:
        raise PackUsageError(
            str(exc), "wait for it to finish, or write this pack to another folder with -o"
        ) from None
    report.wall = time.perf_counter() - start
    return report


def _build(
    report: PackReport,
    cache: PackCache,
    stories_dir: Path,
    selection: _Selection,
    *,
    jobs: int,
    force: bool,
    include_drafts: bool,
    include_samples: bool,
    scheduler: str | None,
    themes_dirs: tuple[Path, ...],
    quality: str,
    highlight: bool,
    clean: bool,
    console: Any,
) -> None:
    pack_dir = report.pack_dir
    report.temp_removed = remove_stale_temp_files(pack_dir)
    if VIDEO in selection.kinds and not video_available():
        selection.kinds.remove(VIDEO)
        _info(console, "video rendering is not available in this installation")

    executor = LazyExecutor(jobs, scheduler)
    report.where = executor.where
    if scheduler:
        executor.connect()  # an unreachable cluster is a usage error: say so before any work
    previous = cache.records()
    planned, keep = _plan(
        stories_dir,
        report,
        cache,
        selection,
        previous,
        force=force,
        include_drafts=include_drafts,
        include_samples=include_samples,
        themes_dirs=themes_dirs,
        quality=quality,
        highlight=highlight,
        clean=clean,
        console=console,
    )
    gone = _gone_units(previous, keep, planned)
    if any(p.pending or not p.check_cached for p in planned) or gone or _retired(cache):
        _retire_closing_files(report, cache)
    try:
        _execute(planned, executor, cache, report, console)
    except BaseException:  # Ctrl-C: stop the workers; every finished file is already whole
        executor.close(cancel=True)
        raise
    executor.close()
    _remove_gone(report, cache, previous, gone, planned, stories_dir, console)
    _finish(report, cache, console)
    _settle_journals(cache)


def _info(console: Any, msg: str) -> None:
    if console is not None:
        console.info(msg)


def _diag(console: Any, d: Diagnostic) -> None:
    if console is not None:
        console.diag(d)


# --- planning: cheap, in this process ---------------------------------------------------


def _unit_meta(story_id: str, source: Path, kind: str, platform: str) -> dict[str, Any]:
    return {"story": story_id, "source": str(source), "kind": kind, "platform": platform}


def _plan(
    stories_dir: Path,
    report: PackReport,
    cache: PackCache,
    selection: _Selection,
    previous: dict[str, dict[str, Any]],
    *,
    force: bool,
    include_drafts: bool,
    include_samples: bool,
    themes_dirs: tuple[Path, ...],
    quality: str,
    highlight: bool,
    clean: bool,
    console: Any,
) -> tuple[list[_Planned], set[str]]:
    """The jobs to run, and the names of every previous record that stays in the pack."""
    from outreach.model.loader import discover_stories, load_story
    from outreach.themes import ThemeError, load_theme

    planned: list[_Planned] = []
    keep: set[str] = set()
    kinds = selection.kinds
    scale = _video_scale()
    video_inputs = _video_inputs(quality, highlight, scale, clean) if VIDEO in kinds else None
    owned_all = _owned_files(previous, cache)
    found = discover_stories([stories_dir])
    report.discovered = len(found)
    by_source: dict[str, list[str]] = {}
    for name, rec in previous.items():
        by_source.setdefault(str(rec.get("source", "")), []).append(name)
    loads: list[tuple[Path, Path, Any]] = []
    for story_path, root in found:
        story_path = story_path.resolve()
        try:
            loads.append((story_path, root, load_story(story_path, root)))
        except StoryError as exc:
            loads.append((story_path, root, exc))
    # The bundled samples (`sample: true`) join only a folder of nothing but samples: once
    # a team's own story (or a file that does not load) sits beside them, they stay out.
    team_stories = any(isinstance(x, StoryError) or not x.story.sample for _, _, x in loads)
    for story_path, root, result in loads:
        try:
            if isinstance(result, StoryError):
                raise result
            loaded = result
        except StoryError as exc:
            status = StoryStatus(
                story_path.stem,
                display_path(story_path),
                1,
                failed=1,
                diagnostics=list(exc.diagnostics),
            )
            _keep_stale(status, previous, by_source.get(str(story_path), []), keep, cache)
            _add_status(report, status, story_path)
            continue
        story = loaded.story
        joins = story.iso_week()
        if joins is not None and joins != report.week:
            report.other_weeks += 1
            continue
        if story.sample and not include_samples and team_stories:
            report.samples.append((loaded.id, display_path(story_path)))
            continue
        if story.status != "approved" and not include_drafts:
            report.drafts.append((loaded.id, display_path(story_path)))
            continue
        status = StoryStatus(loaded.id, display_path(story_path))
        status.title, status.publish = story.title, story.publish
        if loaded.id in report.stories:
            other = report.stories[loaded.id].path
            status.diagnostics.append(
                loaded.diagnostic(
                    "error",
                    ("id",),
                    f"story id `{loaded.id}` is also used by {other}",
                    "give each story its own `id:` or file name",
                )
            )
            status.outputs = status.failed = 1
            _add_status(report, status, story_path)
            continue
        report.stories[loaded.id] = status
        chosen = _choose_platforms(loaded, selection.platforms)
        every = _choose_platforms(loaded, None)
        # Outputs of this story outside the run's selection stay as they are.
        live_units = {
            record_name(loaded.id, kind, p.name)
            for p in {x.name: x for x in [*every, *chosen]}.values()
            for kind in (CARDS, VIDEO)
            if kind == CARDS or p.video is not None
        }
        selected = selection.story(loaded.id, story_path)
        if not selected:
            chosen = []
        picked = {
            record_name(loaded.id, kind, p.name)
            for p in chosen
            for kind in kinds
            if kind == CARDS or p.video is not None
        }
        for name in sorted(live_units - picked):
            kept_rec = previous.get(name)
            if kept_rec is None:
                continue
            rec = kept_rec
            keep.add(name)
            status.kept += 1
            for entry in rec["entries"]:
                if cache.intact(entry, rec):
                    status.entries.append(entry)
                elif entry["path"] not in report.missing:
                    report.missing.append(entry["path"])
        # In the story's own order, whichever part this run renders: a narrow run lists
        # (and so writes index.html) exactly as a full run does.
        shown = {p.name for p in chosen} | {e["platform"] for e in status.entries}
        status.platforms = [p.name for p in every if p.name in shown] + sorted(
            shown - {p.name for p in every}
        )
        if not chosen:
            continue
        ref = StoryRef(
            str(story_path),
            str(Path(root).resolve()),
            tuple(str(Path(p).resolve()) for p in themes_dirs),
            tuple(p.name for p in chosen),
            loaded.source,
        )
        try:
            theme_fp = load_theme(story.theme, (*themes_dirs, loaded.root / "themes")).digest
        except ThemeError as exc:  # the check job reports it with a line number
            theme_fp = f"unavailable: {exc}"
        check_key = output_key(loaded, "check", chosen, theme_fp, [highlight])
        groups: list[tuple[str, list[Any]]] = []
        if CARDS in kinds:
            groups += [(CARDS, g) for g in _group_platforms(chosen)]
        if VIDEO in kinds:
            with_video = [p for p in chosen if p.video is not None]
            if with_video:
                groups.append((VIDEO, with_video))
        pending: list[OutputJob] = []
        units: dict[str, dict[str, Any]] = {}
        for kind, group in groups:
            status.outputs += len(group)
            dirty: list[tuple[Any, str]] = []
            for p in group:
                name = record_name(loaded.id, kind, p.name)
                units[name] = _unit_meta(loaded.id, story_path, kind, p.name)
                extra = video_inputs if kind == VIDEO else None
                key = output_key(loaded, kind, [p], theme_fp, extra)
                hit = None if force else cache.outputs(name, key)
                if hit is None:
                    dirty.append((p, key))
                else:
                    keep.add(name)
                    status.entries += hit
                    status.skipped += 1
            if dirty:
                pending.append(
                    OutputJob(
                        ref,
                        loaded.id,
                        kind,
                        tuple(p.name for p, _ in dirty),
                        str(report.pack_dir),
                        tuple(k for _, k in dirty),
                        quality,
                        highlight,
                        scale,
                        tuple(v for v in owned_all if v[0].startswith(f"{loaded.id}/")),
                        clean,
                    )
                )
        cached_check = None if force else cache.check(loaded.id, check_key)
        plan = _Planned(
            status,
            ref,
            check_key,
            pending,
            cached_check is not None,
            units,
            {n: previous[n] for n in units if n in previous},
            cache,
        )
        if cached_check is not None:
            ok, diags = cached_check
            status.diagnostics += diags
            if not ok:  # unchanged and still broken: report it again, render nothing
                _fail_story(plan)
                keep.update(units)
                continue
        planned.append(plan)
    for status in report.stories.values():
        for d in status.diagnostics:
            _diag(console, d)
    return planned, keep


def _owned_files(
    previous: dict[str, dict[str, Any]], cache: PackCache
) -> list[tuple[str, int, str]]:
    """(path, bytes, sha256) of every file the pack wrote: its ledger, else (when the cache
    was deleted) the last manifest."""
    from outreach.pack.manifest import MANIFEST_NAME, read_manifest

    seen: dict[tuple[str, str], tuple[str, int, str]] = {}
    entries = [e for rec in previous.values() for e in rec["entries"]]
    if not entries:
        for candidate in (
            cache.pack_dir / MANIFEST_NAME,
            cache.root / "pack" / "previous-manifest.json",
        ):
            entries = read_manifest(candidate)
            if entries:
                break
    for e in entries:
        try:
            seen[(e["path"], e["sha256"])] = (str(e["path"]), int(e["bytes"]), str(e["sha256"]))
        except (KeyError, TypeError, ValueError):
            continue
    # Writes of a run that was killed before it could record them.
    from outreach.atomic import read_journals

    for path, size, sha in read_journals(cache.root / "journal"):
        try:
            rel = Path(path).resolve().relative_to(cache.pack_dir).as_posix()
        except ValueError:
            continue
        seen.setdefault((rel, sha), (rel, size, sha))
    return list(seen.values())


def _settle_journals(cache: PackCache) -> None:
    """After a finished run, keep journal lines only for files no record covers (written
    by an interrupted run and not rebuilt since): they stay known as the pack's own."""
    from outreach.atomic import read_journals, write_text

    folder = cache.root / "journal"
    lines = read_journals(folder)
    if not lines:
        return
    recorded = {e["path"] for rec in cache.records().values() for e in rec["entries"]}
    left = []
    for path, size, sha in lines:
        try:
            rel = Path(path).resolve().relative_to(cache.pack_dir).as_posix()
        except ValueError:
            continue
        if rel not in recorded and os.path.isfile(path):
            left.append(f"{path}\t{size}\t{sha}\n")
    for log in folder.glob("*.log"):
        log.unlink()
    if left:
        write_text(folder / "earlier.log", "".join(dict.fromkeys(left)))


def _keep_stale(
    status: StoryStatus,
    previous: dict[str, dict[str, Any]],
    names: list[str],
    keep: set[str],
    cache: PackCache,
) -> None:
    """A story that fails now keeps the outputs it had (nothing is lost), marked stale in
    the manifest so nobody mistakes them for this run's."""
    for name in names:
        rec = previous.get(name)
        if rec is None or name in keep:
            continue
        keep.add(name)
        for entry in rec["entries"]:
            if cache.intact(entry, rec):
                status.entries.append({**entry, "stale": True})


def _fail_story(plan: _Planned) -> None:
    """The story did not validate: nothing of it is rendered; the outputs it had before
    stay, marked stale (its units stay in the ledger, so nothing is removed)."""
    status = plan.status
    status.failed, status.skipped = status.outputs, 0
    picked = set(plan.units)
    status.entries = [
        e
        for e in status.entries
        if record_name(status.id, _kind_of(e), e.get("platform", "")) not in picked
    ]
    _stale_from(plan, picked)
    plan.pending = []


def _stale_from(plan: _Planned, units: set[str]) -> None:
    for name in sorted(units):
        rec = plan.previous.get(name)
        if rec is None:
            continue
        for entry in rec["entries"]:
            if plan.cache is not None and plan.cache.intact(entry, rec):
                plan.status.entries.append({**entry, "stale": True})


def _kind_of(entry: dict[str, Any]) -> str:
    return VIDEO if entry.get("output") in VIDEO_OUTPUTS else CARDS


def record_name(story_id: str, kind: str, platform: str | None) -> str:
    return f"{story_id}--{kind}--{platform}" if platform else f"{story_id}--{kind}"


def _store(cache: PackCache, plan: _Planned, job: OutputJob, result: JobResult) -> None:
    """Record what a job made, one record per platform: the cache and the ledger."""
    for name in job.platforms:
        unit = record_name(job.story_id, job.kind, name)
        key = result.keys.get(name, job.key_for(name)) if result.keys else job.key_for(name)
        cache.store_outputs(
            unit,
            key,
            [e for e in result.entries if e["platform"] == name],
            **plan.units.get(unit, {}),
        )


def _choose_platforms(loaded: Any, requested: list[str] | None) -> list[Any]:
    """The presets a story renders (the same rule as `render`), without importing the
    renderer: a warm run must start fast."""
    from outreach.platforms import choose

    return choose(requested, loaded.story.platforms)


def _video_scale() -> float:
    """The test-only reduced video size, read here once and passed to workers."""
    try:
        return min(1.0, max(0.1, float(os.environ.get("OUTREACH_VIDEO_SCALE", "1") or 1)))
    except ValueError:
        return 1.0


def _video_inputs(quality: str, highlight: bool, scale: float, clean: bool = False) -> list[Any]:
    """What a video depends on beyond its story and platform: the encoder preset, every
    video preset (captions sit in their common safe zone), the highlight switch and the
    render scale (all passed to the workers as arguments)."""
    from outreach.pack.cache import platform_fingerprint
    from outreach.platforms import load_presets

    presets = [platform_fingerprint(p) for p in load_presets().values() if p.video is not None]
    return [quality, presets, bool(highlight), scale, bool(clean)]


def _add_status(report: PackReport, status: StoryStatus, path: Path) -> None:
    key = status.id if status.id not in report.stories else f"{status.id} ({path.name})"
    status.id = key
    report.stories[key] = status


# --- removals: only the pack's own files, only when their story or platform left ----------


def _gone_units(
    previous: dict[str, dict[str, Any]], keep: set[str], planned: list[_Planned]
) -> dict[str, str]:
    """Previous records that no longer belong to the week's pack, with the reason."""
    live: set[str] = set(keep)
    for plan in planned:
        live.update(plan.units)
    gone: dict[str, str] = {}
    for name, rec in previous.items():
        if name in live:
            continue
        story = rec.get("story") or name.split("--")[0]
        platform = rec.get("platform", "")
        gone[name] = f"{story} {platform}".strip()
    return gone


def _retired(cache: PackCache) -> bool:
    return not (cache.pack_dir / "manifest.json").is_file()


def _retire_closing_files(report: PackReport, cache: PackCache) -> None:
    """Before the first byte changes: move manifest.json and the zip into the cache, so a
    run killed halfway leaves no manifest or zip that disagrees with the files."""
    from outreach.pack.manifest import MANIFEST_NAME

    store = cache.root / "pack"
    store.mkdir(parents=True, exist_ok=True)
    for name, kept in (
        (MANIFEST_NAME, "previous-manifest.json"),
        (f"{report.week}.zip", "previous.zip"),
    ):
        src = report.pack_dir / name
        if src.is_file() and not src.is_symlink():
            os.replace(src, store / kept)


def _remove_gone(
    report: PackReport,
    cache: PackCache,
    previous: dict[str, dict[str, Any]],
    gone: dict[str, str],
    planned: list[_Planned],
    stories_dir: Path,
    console: Any,
) -> None:
    """Delete the files of units that left the pack, and files a rebuilt unit no longer
    makes, when (and only when) they are still exactly what the pack wrote."""
    claimed = {e["path"] for s in report.stories.values() for e in s.entries}
    candidates: list[tuple[str, dict[str, Any], dict[str, Any], str]] = []
    for name, why in gone.items():
        rec = previous[name]
        for entry in rec["entries"]:
            candidates.append((entry["path"], entry, rec, f"{why} left the week's pack"))
    rebuilt = {u for p in planned for u in p.units}
    for name in rebuilt:
        old = previous.get(name)
        if old is None:
            continue
        rec = old
        for entry in rec["entries"]:
            candidates.append((entry["path"], entry, rec, "no longer made by its story"))
    protected = [stories_dir.resolve()]
    dirs: set[Path] = set()
    for rel, entry, rec, why in candidates:
        if rel in claimed or rel in {r for r, _ in report.removed}:
            continue
        path = (cache.pack_dir / rel).resolve()
        if (
            not path.is_relative_to(cache.pack_dir)
            or path.is_relative_to(cache.root)
            or any(path.is_relative_to(p) for p in protected)
            or not os.path.lexists(path)
        ):
            continue
        if not cache.intact(entry, rec):
            report.kept_edits.append((rel, "changed since the pack wrote it, so it was kept"))
            continue
        try:
            path.unlink()
        except OSError:
            continue
        report.removed.append((rel, why))
        dirs.add(path.parent)
    for name in gone:
        cache.forget(name)
    for folder in sorted(dirs, key=lambda p: -len(p.parts)):
        while folder != cache.pack_dir and folder.is_relative_to(cache.pack_dir):
            try:
                folder.rmdir()  # only when empty
            except OSError:
                break
            folder = folder.parent
    report.pruned = len(report.removed)


# --- running: jobs on the executor ---------------------------------------------------------


class _NoBar:
    """Stands in for the progress bar under -q: click's hidden bar still prints its label."""

    def __enter__(self) -> _NoBar:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def update(self, n: int, current_item: Any = None) -> None:
        return None


def _execute(
    planned: list[_Planned],
    executor: LazyExecutor,
    cache: PackCache,
    report: PackReport,
    console: Any,
) -> None:
    import click

    total = sum(s.outputs for s in report.stories.values())
    quiet = console is None or console.quiet
    bar: Any = (
        _NoBar()
        if quiet
        else click.progressbar(
            length=max(total, 1),
            label=f"pack {report.week}",
            file=sys.stderr,
            show_pos=True,
            item_show_func=lambda s: s or "",
        )
    )
    futures: dict[Any, tuple[str, _Planned, Any]] = {}

    videos = sum(j.kind == VIDEO for p in planned for j in p.pending)
    workers = max(1, int(getattr(executor, "jobs", 1) or 1))

    def submit_outputs(plan: _Planned) -> None:
        # The long job first (a video encode), so it does not finish the pack alone.
        for job in sorted(plan.pending, key=lambda j: j.kind != VIDEO):
            futures[executor.submit(run, job)] = ("output", plan, job)
            if job.kind == VIDEO and videos < workers:
                # Fewer videos than workers: the idle ones encode segments of this one.
                for _ in range(min(workers - videos, 3)):
                    helper = dataclasses.replace(job, kind=SEGMENTS)
                    futures[executor.submit(run, helper)] = ("helper", plan, helper)

    with bar:
        bar.update(total - sum(len(j.platforms) for p in planned for j in p.pending))
        for plan in planned:
            if plan.check_cached:
                submit_outputs(plan)
            else:
                job = CheckJob(plan.ref, plan.status.id, plan.check_key)
                futures[executor.submit(run, job)] = ("check", plan, job)
        while futures:
            done, _ = wait(list(futures), return_when=FIRST_COMPLETED)
            for fut in done:
                what, plan, job = futures.pop(fut)
                status = plan.status
                if what == "helper":
                    continue  # a share of a video: its own job reports the video
                try:
                    result: JobResult = fut.result()
                except Exception as exc:  # noqa: BLE001 — a lost worker fails its job only
                    result = JobResult(
                        False,
                        [],
                        [
                            Diagnostic(
                                status.path,
                                0,
                                0,
                                "error",
                                "(pack)",
                                f"the job was lost ({type(exc).__name__})",
                                "run the pack again; it resumes where it stopped",
                            )
                        ],
                    )
                if console is not None:
                    what_ran = (
                        "check" if what == "check" else f"{job.kind} {'+'.join(job.platforms)}"
                    )
                    console.debug(
                        f"{status.id}: {what_ran}: {'ok' if result.ok else 'failed'} "
                        f"in {result.seconds:.2f} s"
                    )
                    if result.trace:
                        console.debug(result.trace)
                for old, aside in result.moved_aside:
                    report.kept_edits.append(
                        (
                            _rel(report.pack_dir, old),
                            f"was not the pack's own file; kept as {_rel(report.pack_dir, aside)}",
                        )
                    )
                if what == "check":
                    cache.store_check(status.id, plan.check_key, result.ok, result.diagnostics)
                    status.diagnostics += result.diagnostics
                    for d in result.diagnostics:
                        _diag(console, d)
                    if result.ok:
                        submit_outputs(plan)
                    else:
                        n = sum(len(j.platforms) for j in plan.pending)
                        _fail_story(plan)
                        bar.update(n, status.id)
                    continue
                n = len(job.platforms)
                if result.ok:
                    _store(cache, plan, job, result)
                    status.entries += result.entries
                    status.rendered += n
                else:
                    status.failed += n
                    status.diagnostics += result.diagnostics
                    _stale_from(
                        plan, {record_name(job.story_id, job.kind, p) for p in job.platforms}
                    )
                    for d in result.diagnostics:
                        _diag(console, d)
                bar.update(n, f"{status.id} {job.kind}")


def _rel(pack_dir: Path, path: str) -> str:
    try:
        return Path(path).resolve().relative_to(pack_dir).as_posix()
    except ValueError:
        return path


# --- closing: index, manifest, zip -------------------------------------------------------------


def _finish(report: PackReport, cache: PackCache, console: Any) -> None:
    """Write index.html, then manifest.json (after everything it lists), then the zip.
    A failure here (a full disk) is reported, never raised."""
    from outreach.diagnostics import explain_os_error

    for status in report.stories.values():
        _canonical_order(status)
    try:
        _write_closing(report, cache)
    except OSError as exc:
        message, hint = explain_os_error(exc)
        report.problems.append(f"the pack could not be finished: {message} — {hint}")


def _canonical_order(status: StoryStatus) -> None:
    """A story's entries by platform (in the story's order), cards before video, each unit
    as it was made: whichever units a run rebuilt and whichever it kept, the contact sheet
    and the schedule list them the same way (so an unchanged pack rewrites nothing)."""
    order = {name: i for i, name in enumerate(status.platforms)}
    status.entries.sort(
        key=lambda e: (order.get(e.get("platform", ""), len(order)), _kind_of(e) == VIDEO)
    )


def _write_closing(report: PackReport, cache: PackCache) -> None:
    import json

    from outreach.atomic import write_text
    from outreach.pack.contact_sheet import render_index
    from outreach.pack.manifest import MANIFEST_NAME, sha256_bytes

    pack_dir = report.pack_dir
    zip_name = f"{report.week}.zip"
    entries = [e for s in report.stories.values() for e in s.entries]
    # The schedule first (the contact sheet links it), then index.html; each is rewritten
    # only when its bytes change, so an unchanged pack (or narrow run) rewrites nothing.
    from outreach.pack.handoff import (
        SCHEDULE_CSV,
        SCHEDULE_ICS,
        schedule_csv,
        schedule_ics,
        schedule_posts,
    )

    posts = schedule_posts(report)
    entries.append(
        _closing_file(pack_dir, SCHEDULE_CSV, schedule_csv(posts), "schedule", posts=len(posts))
    )
    entries.append(
        _closing_file(
            pack_dir, SCHEDULE_ICS, schedule_ics(posts, report.week), "schedule", events=len(posts)
        )
    )
    entries.append(_closing_file(pack_dir, INDEX_NAME, render_index(report), "index"))
    files = sorted(entries, key=lambda e: (e["path"], e.get("platform", "")))
    text = json.dumps({"week": report.week, "files": files}, ensure_ascii=False, indent=2) + "\n"
    data = text.encode("utf-8")
    manifest = pack_dir / MANIFEST_NAME
    retired = cache.root / "pack"
    previous = retired / "previous-manifest.json"
    if not manifest.is_file() and previous.is_file() and previous.read_bytes() == data:
        os.replace(previous, manifest)  # the same manifest as before: put it back as it was
    elif not manifest.is_file() or manifest.read_bytes() != data:
        write_text(manifest, text)  # after everything it lists
    report.files = len(files)
    zip_path = pack_dir / zip_name
    state = cache.pack_state()
    manifest_sha = sha256_bytes(data)
    old_zip = retired / "previous.zip"
    if (
        not zip_path.is_file()
        and old_zip.is_file()
        and state.get("manifest") == manifest_sha
        and old_zip.stat().st_size == state.get("zip_bytes")
    ):
        os.replace(old_zip, zip_path)
    if (
        state.get("manifest") != manifest_sha
        or not zip_path.is_file()
        or zip_path.stat().st_size != state.get("zip_bytes")
    ):
        paths = list(
            dict.fromkeys(e["path"] for e in files)
        )  # a shared video is listed per platform
        _write_zip(zip_path, pack_dir, [*paths, MANIFEST_NAME])
        cache.store_pack_state({"manifest": manifest_sha, "zip_bytes": zip_path.stat().st_size})
    for leftover in (old_zip, previous):
        if leftover.is_file():
            leftover.unlink()
    report.zip_path = zip_path


def _closing_file(
    pack_dir: Path, name: str, text: str, output: str, **extra: Any
) -> dict[str, Any]:
    """Write one of the pack's own files at its root (when its bytes changed) and return
    its manifest entry."""
    from outreach.atomic import write_bytes
    from outreach.pack.manifest import sha256_bytes

    data = text.encode("utf-8")
    target = pack_dir / name
    if not target.is_file() or target.is_symlink() or target.read_bytes() != data:
        write_bytes(target, data)
    sha = sha256_bytes(data)
    return {
        "path": name,
        "story": "",
        "platform": "",
        "output": output,
        "width": None,
        "height": None,
        "bytes": len(data),
        "sha256": sha,
        "text_boxes": [],
        "key": sha,
        **extra,
    }


#: Files inside the zip get this timestamp, so that an unchanged pack zips byte-identically.
ZIP_DATE = (2000, 1, 1, 0, 0, 0)
STORED_SUFFIXES = {".jpg", ".jpeg", ".png", ".mp4", ".m4a", ".webm", ".zip"}


def _write_zip(target: Path, pack_dir: Path, paths: list[str]) -> None:
    """The pack, same layout as the folder; already-compressed media is stored as is."""
    import shutil
    import zipfile

    from outreach.atomic import atomic_path

    with atomic_path(target) as tmp, zipfile.ZipFile(tmp, "w") as zf:
        for rel in paths:
            info = zipfile.ZipInfo(rel, ZIP_DATE)
            info.external_attr = 0o644 << 16
            info.compress_type = (
                zipfile.ZIP_STORED
                if Path(rel).suffix.lower() in STORED_SUFFIXES
                else zipfile.ZIP_DEFLATED
            )
            with open(pack_dir / rel, "rb") as src, zf.open(info, "w") as dst:
                shutil.copyfileobj(src, dst, 1 << 20)

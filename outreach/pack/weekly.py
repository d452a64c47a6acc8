"""`outreach pack`: build one week's content pack, in parallel and incrementally.

Which stories join the pack for ISO week W:
- a story with `week: W`, or a `publish:` date inside week W, joins W's pack only;
- a story with neither joins every week's pack;
- only `status: approved` stories are rendered, unless `include_drafts`; the report lists
  every draft it left out, so that nothing unapproved is published by accident.

The run: load each story (cheap), compute each output group's content key, skip groups
whose key and files are unchanged, validate changed stories and render changed groups on
an executor, then prune stale files and write `index.html`, `manifest.json` and finally
`<week>.zip`. Every file is written through `outreach.atomic`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import sys
import time
from concurrent.futures import FIRST_COMPLETED, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from outreach.atomic import remove_stale_temp_files
from outreach.diagnostics import Diagnostic, StoryError, display_path
from outreach.pack.cache import CACHE_DIR, PackCache, output_key, theme_fingerprint
from outreach.pack.executor import LazyExecutor
from outreach.pack.jobs import CARDS, VIDEO, CheckJob, JobResult, OutputJob, StoryRef, run

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
    other_weeks: int = 0
    discovered: int = 0  # story files found, whichever week they belong to
    files: int = 0
    pruned: int = 0
    temp_removed: int = 0
    wall: float = 0.0
    started: float = field(default_factory=time.time)  # epoch seconds, to tell stale files
    where: str = ""
    zip_path: Path | None = None

    def total(self, attr: str) -> int:
        return sum(getattr(s, attr) for s in self.stories.values())

    @property
    def warnings(self) -> int:
        return sum(len(s.warnings) for s in self.stories.values())

    @property
    def ok(self) -> bool:
        return self.total("failed") == 0 and not any(s.errors for s in self.stories.values())


@dataclass
class _Planned:
    status: StoryStatus
    ref: StoryRef
    check_key: str
    pending: list[OutputJob]
    check_cached: bool


def _group_platforms(platforms: list[Any]) -> list[list[Any]]:
    """Platforms whose cards are pixel-identical before encoding share one job."""
    groups: dict[tuple, list[Any]] = {}
    for p in platforms:
        sig = (p.canvas, p.safe_rect, p.keep_clear, p.format, p.outputs, p.max_slides)
        groups.setdefault(sig, []).append(p)
    return list(groups.values())


def build_pack(
    stories_dir: Path,
    week: str,
    out_root: Path,
    *,
    jobs: int,
    force: bool = False,
    only: str | None = None,
    platforms: list[str] | None = None,
    include_drafts: bool = False,
    scheduler: str | None = None,
    themes_dirs: tuple[Path, ...] = (),
    quality: str = "fast",
    console: Any = None,
) -> PackReport:
    """Build `<out_root>/<week>/`; never raises for a broken story, only reports it."""
    start = time.perf_counter()
    pack_dir = (out_root / week).resolve()
    pack_dir.mkdir(parents=True, exist_ok=True)
    report = PackReport(week, pack_dir)
    report.temp_removed = remove_stale_temp_files(pack_dir)
    cache = PackCache(pack_dir)
    kinds = [k for k in (CARDS, VIDEO) if only in (None, k)]
    if VIDEO in kinds and not video_available():
        kinds.remove(VIDEO)
        if only == VIDEO:
            _info(console, "video rendering is not available in this installation")

    executor = LazyExecutor(jobs, scheduler)
    report.where = executor.where
    if scheduler:
        executor.connect()  # an unreachable cluster is a usage error: say so before any work
    planned = _plan(
        stories_dir,
        week,
        pack_dir,
        kinds,
        force,
        platforms,
        include_drafts,
        themes_dirs,
        quality,
        cache,
        report,
        console,
    )
    try:
        _execute(planned, executor, cache, report, console)
    except BaseException:  # Ctrl-C: drop queued jobs; every finished file is already whole
        executor.close(cancel=True)
        raise
    executor.close()
    _finish(report, cache, console)
    report.wall = time.perf_counter() - start
    return report


def _info(console: Any, msg: str) -> None:
    if console is not None:
        console.info(msg)


def _diag(console: Any, d: Diagnostic) -> None:
    if console is not None:
        console.diag(d)


# --- planning: cheap, in this process ---------------------------------------------------


def _plan(
    stories_dir: Path,
    week: str,
    pack_dir: Path,
    kinds: list[str],
    force: bool,
    platforms: list[str] | None,
    include_drafts: bool,
    themes_dirs: tuple[Path, ...],
    quality: str,
    cache: PackCache,
    report: PackReport,
    console: Any,
) -> list[_Planned]:
    from outreach.model.loader import discover_stories, load_story
    from outreach.themes import ThemeError, load_theme

    planned: list[_Planned] = []
    video_inputs = _video_inputs(quality) if VIDEO in kinds else None
    found = discover_stories([stories_dir])
    report.discovered = len(found)
    for story_path, root in found:
        story_path = story_path.resolve()
        try:
            loaded = load_story(story_path, root)
        except StoryError as exc:
            status = StoryStatus(
                story_path.stem,
                display_path(story_path),
                1,
                failed=1,
                diagnostics=list(exc.diagnostics),
            )
            _add_status(report, status, story_path)
            continue
        story = loaded.story
        joins = story.iso_week()
        if joins is not None and joins != week:
            report.other_weeks += 1
            continue
        if story.status != "approved" and not include_drafts:
            report.drafts.append((loaded.id, display_path(story_path)))
            continue
        status = StoryStatus(loaded.id, display_path(story_path))
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
        ref = StoryRef(
            str(story_path),
            str(Path(root).resolve()),
            tuple(str(Path(p).resolve()) for p in themes_dirs),
            tuple(platforms) if platforms else None,
        )
        chosen = _choose_platforms(loaded, platforms)
        status.platforms = [p.name for p in chosen]
        ref = dataclasses.replace(ref, requested=tuple(status.platforms))
        try:
            theme_fp = theme_fingerprint(
                load_theme(story.theme, (*themes_dirs, loaded.root / "themes"))
            )
        except ThemeError as exc:  # the check job reports it with a line number
            theme_fp = f"unavailable: {exc}"
        check_key = output_key(loaded, "check", chosen, theme_fp)
        groups: list[tuple[str, list[Any]]] = []
        if CARDS in kinds:
            groups += [(CARDS, g) for g in _group_platforms(chosen)]
        if VIDEO in kinds:
            with_video = [p for p in chosen if p.video is not None]
            if with_video:
                groups.append((VIDEO, with_video))
        pending: list[OutputJob] = []
        for kind, group in groups:
            status.outputs += len(group)
            if kind == CARDS:  # one record per platform: -p may regroup them next time
                units = [
                    (
                        record_name(loaded.id, kind, p.name),
                        [p],
                        output_key(loaded, kind, [p], theme_fp),
                    )
                    for p in group
                ]
            else:  # the shared encode serves the whole group: one record
                units = [
                    (
                        record_name(loaded.id, kind, None),
                        group,
                        output_key(loaded, kind, group, theme_fp, video_inputs),
                    )
                ]
            dirty: list[tuple[Any, str]] = []
            for name, members, key in units:
                hit = None if force else cache.outputs(name, key)
                if hit is None:
                    dirty += [(p, key) for p in members]
                else:
                    status.entries += hit
                    status.skipped += len(members)
            if dirty:
                keys = (
                    tuple(dict.fromkeys(k for _, k in dirty))
                    if kind == VIDEO
                    else tuple(k for _, k in dirty)
                )
                pending.append(
                    OutputJob(
                        ref,
                        loaded.id,
                        kind,
                        tuple(p.name for p, _ in dirty),
                        str(pack_dir),
                        keys,
                        quality,
                    )
                )
        cached_check = None if force else cache.check(loaded.id, check_key)
        if cached_check is not None:
            ok, diags = cached_check
            status.diagnostics += diags
            if not ok:  # unchanged and still broken: report it again, render nothing
                status.failed, status.skipped, status.entries = status.outputs, 0, []
                continue
        planned.append(_Planned(status, ref, check_key, pending, cached_check is not None))
    for status in report.stories.values():
        for d in status.diagnostics:
            _diag(console, d)
    return planned


def record_name(story_id: str, kind: str, platform: str | None) -> str:
    return f"{story_id}--{kind}--{platform}" if platform else f"{story_id}--{kind}"


def _store(cache: PackCache, job: OutputJob, entries: list[dict[str, Any]]) -> None:
    """Cache what a job made: per platform for cards, once for a story's videos."""
    if job.kind == VIDEO:
        cache.store_outputs(record_name(job.story_id, VIDEO, None), job.keys[0], entries)
        return
    for name in job.platforms:
        cache.store_outputs(
            record_name(job.story_id, CARDS, name),
            job.key_for(name),
            [e for e in entries if e["platform"] == name],
        )


def _choose_platforms(loaded: Any, requested: list[str] | None) -> list[Any]:
    """The presets a story renders (the same rule as `render`), without importing the
    renderer: a warm run must start fast."""
    from outreach.platforms import choose

    return choose(requested, loaded.story.platforms)


def _video_inputs(quality: str) -> list[Any]:
    """What a video depends on beyond its story and platforms: the encoder preset, every
    video preset (captions sit in their common safe zone) and the OUTREACH_VIDEO_* switches."""
    import os

    from outreach.pack.cache import platform_fingerprint
    from outreach.platforms import load_presets

    presets = [platform_fingerprint(p) for p in load_presets().values() if p.video is not None]
    switches = {k: v for k, v in sorted(os.environ.items()) if k.startswith("OUTREACH_VIDEO_")}
    return [quality, presets, switches]


def _add_status(report: PackReport, status: StoryStatus, path: Path) -> None:
    key = status.id if status.id not in report.stories else f"{status.id} ({path.name})"
    status.id = key
    report.stories[key] = status


# --- running: jobs on the executor ---------------------------------------------------------


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
    bar = click.progressbar(
        length=max(total, 1),
        label=f"pack {report.week}",
        file=sys.stderr,
        show_pos=True,
        item_show_func=lambda s: s or "",
    )
    if quiet:
        bar.hidden = True
    futures: dict[Any, tuple[str, _Planned, Any]] = {}

    def submit_outputs(plan: _Planned) -> None:
        # The long job first (a video encode), so it does not finish the pack alone.
        for job in sorted(plan.pending, key=lambda j: j.kind != VIDEO):
            futures[executor.submit(run, job)] = ("output", plan, job)

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
                                f"the job was lost: {exc}",
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
                if what == "check":
                    cache.store_check(status.id, plan.check_key, result.ok, result.diagnostics)
                    status.diagnostics += result.diagnostics
                    for d in result.diagnostics:
                        _diag(console, d)
                    if result.ok:
                        submit_outputs(plan)
                    else:
                        n = sum(len(j.platforms) for j in plan.pending)
                        status.failed = status.outputs
                        status.skipped = 0
                        status.entries = []
                        bar.update(n, status.id)
                    continue
                n = len(job.platforms)
                if result.ok:
                    _store(cache, job, result.entries)
                    status.entries += result.entries
                    status.rendered += n
                else:
                    status.failed += n
                    status.diagnostics += result.diagnostics
                    for d in result.diagnostics:
                        _diag(console, d)
                bar.update(n, f"{status.id} {job.kind}")


# --- closing: prune, index, manifest, zip ----------------------------------------------------


def _finish(report: PackReport, cache: PackCache, console: Any) -> None:
    import json

    from outreach.atomic import write_text
    from outreach.pack.contact_sheet import render_index
    from outreach.pack.manifest import MANIFEST_NAME, sha256_bytes

    pack_dir = report.pack_dir
    zip_name = f"{report.week}.zip"
    entries = [e for s in report.stories.values() for e in s.entries]
    report.pruned = _prune(
        pack_dir,
        {e["path"] for e in entries} | {INDEX_NAME, MANIFEST_NAME, zip_name},
        report.started,
    )
    html = render_index(report).encode("utf-8")
    index = pack_dir / INDEX_NAME
    if not index.is_file() or index.read_bytes() != html:
        write_text(index, html.decode("utf-8"))
    sha = sha256_bytes(html)
    entries.append(
        {
            "path": INDEX_NAME,
            "story": "",
            "platform": "",
            "output": "index",
            "width": None,
            "height": None,
            "bytes": len(html),
            "sha256": sha,
            "text_boxes": [],
            "key": sha,
        }
    )
    files = sorted(entries, key=lambda e: e["path"])
    text = json.dumps({"week": report.week, "files": files}, ensure_ascii=False, indent=2) + "\n"
    manifest = pack_dir / MANIFEST_NAME
    if not manifest.is_file() or manifest.read_bytes() != text.encode("utf-8"):
        write_text(manifest, text)  # after everything it lists
    report.files = len(files)
    zip_path = pack_dir / zip_name
    state = cache.pack_state()
    manifest_sha = sha256_bytes(text.encode("utf-8"))
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
    report.zip_path = zip_path


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


def _prune(pack_dir: Path, keep: set[str], started: float) -> int:
    """Delete files no output of this run claims (old platforms, removed or failed stories,
    a renderer's own side files), so the folder, the manifest and the zip always agree.
    Returns how many were older than this run: the stale ones worth reporting."""
    removed = 0
    for path in sorted(pack_dir.rglob("*"), reverse=True):
        rel = path.relative_to(pack_dir)
        if rel.parts[0] == CACHE_DIR:
            continue
        if path.is_symlink():  # convenience links (e.g. to a shared video) are not pack files
            path.unlink()
        elif path.is_file():
            if rel.as_posix() not in keep:
                stale = path.stat().st_mtime < started
                path.unlink()
                removed += stale
        elif path.is_dir() and not any(path.iterdir()):
            path.rmdir()
    return removed

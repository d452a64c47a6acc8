"""The `outreach` command line. Imports are lazy so that --help and check start fast."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from outreach.i18n import _, ngettext

if TYPE_CHECKING:
    from outreach.diagnostics import Diagnostic

F = TypeVar("F", bound=Callable[..., Any])

EXIT_OK, EXIT_ERRORS, EXIT_USAGE = 0, 1, 2
CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


def _platform_names() -> list[str]:
    from outreach.platforms import load_presets

    return list(load_presets())


def _use_color() -> bool:
    """Colour only on a terminal, and never when NO_COLOR is set (https://no-color.org)."""
    import os

    return sys.stderr.isatty() and not os.environ.get("NO_COLOR")


class _Console:
    """Human output on stderr, honouring -q/-v; data (schema, lists) goes to stdout.

    With -q nothing is printed when all is well; errors still go to stderr.
    """

    def __init__(self, quiet: bool, verbose: bool):
        self.quiet = quiet
        self.verbose = verbose

    def info(self, msg: str) -> None:
        if not self.quiet:
            click.echo(msg, err=True)

    def debug(self, msg: str) -> None:
        if self.verbose and not self.quiet:
            click.echo(msg, err=True)

    def error(self, msg: str) -> None:
        """A problem: printed even with -q."""
        click.echo(click.style(msg, fg="red") if _use_color() else msg, err=True)

    def diag(self, d: Diagnostic) -> None:  # errors always print; warnings unless quiet
        if d.severity == "error" or not self.quiet:
            color = {"error": "red", "warning": "yellow"}.get(d.severity, "cyan")
            text = d.format()
            click.echo(click.style(text, fg=color) if _use_color() else text, err=True)


def _settle_language(paths: list[Path]) -> None:
    """Speak the project's `ui_lang` (outreach.toml at or above `paths`), else `LANG`."""
    from outreach.i18n import configure

    configure(paths)


def common(fn: F) -> F:
    fn = click.option("-v", "--verbose", is_flag=True, help="Say more about what happens.")(fn)
    fn = click.option("-q", "--quiet", is_flag=True, help="Print only errors.")(fn)
    return fn


# Options shared by several commands, defined once so they read the same everywhere.
stories_dir_argument = click.argument(
    "stories_dir",
    required=False,
    default=Path("stories"),
    type=click.Path(exists=True, file_okay=False, path_type=Path),
)
themes_dir_option = click.option(
    "--themes-dir",
    type=click.Path(file_okay=False, path_type=Path),
    multiple=True,
    help="Extra folder of user themes, searched first.",
)
quality_option = click.option(
    "--quality",
    type=click.Choice(["fast", "archive"]),
    default="fast",
    show_default=True,
    help="Video encoder preset: fast (x264 veryfast) or archive (slow, for masters).",
)
only_option = click.option(
    "--only",
    type=click.Choice(["cards", "video"]),
    default=None,
    help="Render only cards (with post text) or only videos.",
)


def platforms_option(help_text: str) -> Callable[[F], F]:
    """-p/--platform, repeatable, limited to the known presets."""
    return click.option(
        "-p",
        "--platform",
        "platforms",
        multiple=True,
        type=click.Choice(_platform_names()),
        help=help_text,
    )


no_highlight_option = click.option(
    "--no-highlight",
    is_flag=True,
    help="Video captions without the karaoke highlight of the word being read.",
)
clean_video_option = click.option(
    "--clean-video",
    is_flag=True,
    help="Also write video-clean.mp4: the same video without burned-in captions.",
)


class _Group(click.Group):
    """Ctrl-C anywhere ends the command with a one-line message, never a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            click.echo("\n" + _("interrupted"), err=True)
            ctx.exit(130)


@click.group(cls=_Group, context_settings=CONTEXT)
@click.version_option(package_name="outreach")
def main() -> None:
    """Turn story files into cards, videos and post text for TikTok, YouTube, Instagram
    and Facebook.

    \b
    Examples:
      outreach init my-team
      outreach new stories/my-story.yaml --kind startup --lang vi
      outreach check stories/
      outreach render stories/startup-agrilink.yaml -o output/
      outreach pack stories/ --week 2026-W48 -o output/
    """


# --- new -----------------------------------------------------------------------------------


@main.command(context_settings=CONTEXT)
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--kind", type=click.Choice(["startup", "engineer", "student", "explainer"]), required=True
)
@click.option("--lang", type=click.Choice(["vi", "en"]), default="vi", show_default=True)
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
@common
def new(path: Path, kind: str, lang: str, force: bool, quiet: bool, verbose: bool) -> None:
    """Write a commented story file to start from.

    \b
    Example:
      outreach new stories/engineer-hanoi.yaml --kind engineer --lang vi
    """
    from outreach.atomic import write_text
    from outreach.model.placeholders import new_story_text

    _settle_language([path.parent])
    console = _Console(quiet, verbose)
    if path.exists() and not force:
        console.error(
            _(
                "{path}: error: the file already exists — pick another name or pass --force",
                path=path,
            )
        )
        sys.exit(EXIT_ERRORS)
    text = new_story_text(kind, lang, str(path))
    write_text(path, text)
    console.info(_("wrote {path} — edit it, then run: outreach check {path}", path=path))


# --- init ----------------------------------------------------------------------------------


@main.command(context_settings=CONTEXT)
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.option("--lang", type=click.Choice(["vi", "en"]), default="vi", show_default=True)
@common
def init(folder: Path, lang: str, quiet: bool, verbose: bool) -> None:
    """Start a project for your team: FOLDER/outreach.toml, FOLDER/stories/ with one
    commented draft story, and FOLDER/themes/. Nothing that exists is overwritten, and
    none of the bundled sample stories is copied.

    \b
    Example:
      outreach init hoinhap && cd hoinhap
      outreach check stories/
      outreach pack stories/ -o output/
    """
    from outreach.project import init_project

    _settle_language([folder.parent if not folder.exists() else folder])
    console = _Console(quiet, verbose)
    if folder.exists() and not folder.is_dir():
        console.error(
            _("error: {folder} is a file — choose a folder name for the project", folder=folder)
        )
        sys.exit(EXIT_USAGE)
    try:
        report = init_project(folder, lang)
    except OSError as exc:
        from outreach.diagnostics import explain_os_error

        message, hint = explain_os_error(exc)
        console.error(
            _(
                "error: cannot create the project in {folder}: {message} — {hint}",
                folder=folder,
                message=message,
                hint=hint,
            )
        )
        sys.exit(EXIT_ERRORS)
    for path in report.created:
        console.info(_("created {path}", path=path))
    for path in report.kept:
        console.info(_("kept {path} (it exists already)", path=path))
    console.info(
        _(
            "next: edit the story in {stories}/, set `status: approved`, then run: "
            "outreach pack {stories} -o {output}",
            stories=folder / "stories",
            output=folder / "output",
        )
    )


# --- check ---------------------------------------------------------------------------------


@main.command(context_settings=CONTEXT)
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@platforms_option("Check only these platforms (repeatable).")
@themes_dir_option
@common
def check(
    paths: tuple[Path, ...],
    strict: bool,
    platforms: tuple[str, ...],
    themes_dir: tuple[Path, ...],
    quiet: bool,
    verbose: bool,
) -> None:
    """Lint stories: schema, media, text fit, safe zones, contrast, glyphs and text limits.

    Prints `path:line:col: error|warning: field: message — what to do`.
    Exit code 0 when there are no errors, 1 on errors, 2 on usage errors.

    \b
    Examples:
      outreach check stories/
      outreach check --strict stories/startup-agrilink.yaml
    """
    from outreach.model.loader import discover_stories
    from outreach.pack.story import describe_error, load_all, validate

    _settle_language(list(paths))
    console = _Console(quiet, verbose)
    found = discover_stories(list(paths) or [Path("stories")])
    if not found:
        console.error(_("error: no story files found (*.yaml)"))
        sys.exit(EXIT_USAGE)
    errors = warnings = 0
    for story_path, loaded, diags in load_all(found):
        report: list[str] = []
        if loaded is not None and not diags:
            try:
                validated = validate(loaded, list(platforms) or None, themes_dir, strict)
                diags = validated.diagnostics
                report = _video_report(validated)
            except Exception as exc:  # noqa: BLE001 — every failure becomes a diagnostic
                diags = describe_error(story_path, exc)
        for d in diags:
            console.diag(d)
        for line in report:
            console.info(line)
        errors += sum(d.severity == "error" for d in diags)
        warnings += sum(d.severity == "warning" for d in diags)
    console.info(
        _(
            "{stories} stories checked: {errors} errors, {warnings} warnings",
            stories=len(found),
            errors=errors,
            warnings=warnings,
        )
    )
    sys.exit(EXIT_ERRORS if errors else EXIT_OK)


def _video_report(validated: Any) -> list[str]:
    """The planned video's length, motion and cue timing (no render; see pack.video)."""
    from outreach.pack.video import check_lines

    return check_lines(validated)


# --- render --------------------------------------------------------------------------------


@main.command(context_settings=CONTEXT)
@click.argument("stories", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@platforms_option("Render only these platforms (repeatable). Default: the story's list, else all.")
@only_option
@click.option(
    "-o",
    "--output",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("output"),
    show_default=True,
    help="Output folder.",
)
@quality_option
@themes_dir_option
@no_highlight_option
@clean_video_option
@common
def render(
    stories: tuple[Path, ...],
    platforms: tuple[str, ...],
    only: str | None,
    out_dir: Path,
    quality: str,
    themes_dir: tuple[Path, ...],
    no_highlight: bool,
    clean_video: bool,
    quiet: bool,
    verbose: bool,
) -> None:
    """Render stories into DIR/<story-id>/<platform>/ and DIR/manifest.json.

    Each story is validated first (schema, media, layout); a story with any error
    writes no file. Exit code 0 on success, 1 if any story failed, 2 on usage errors.

    \b
    Examples:
      outreach render stories/startup-agrilink.yaml -o output/
      outreach render stories/ -p tiktok -p instagram-feed
      outreach render stories/x.yaml -p tiktok --only video
    """
    from outreach.model.loader import discover_stories
    from outreach.pack.render import OutputFolderError, render_stories

    _settle_language(list(stories))
    console = _Console(quiet, verbose)
    found = discover_stories(list(stories))
    if not found:
        console.error(_("error: no story files found (*.yaml)"))
        sys.exit(EXIT_USAGE)
    try:
        ok = render_stories(
            found,
            out_dir,
            list(platforms) or None,
            only,
            quality,
            themes_dir,
            console,
            highlight=not no_highlight,
            clean=clean_video,
        )
    except OutputFolderError as exc:
        console.error(_("error: {message} — {hint}", message=exc.message, hint=exc.hint))
        sys.exit(EXIT_USAGE)
    sys.exit(EXIT_OK if ok else EXIT_ERRORS)


# --- schema, platforms, themes --------------------------------------------------------------


@main.command(context_settings=CONTEXT)
@common
def schema(quiet: bool, verbose: bool) -> None:
    """Print the story JSON Schema, for editor completion (yaml-language-server).

    \b
    Example:
      outreach schema > story.schema.json
    """
    import json

    from outreach.model.story import Story

    data = Story.model_json_schema()
    data = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "outreach story",
        **data,
    }
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


@main.command(name="platforms", context_settings=CONTEXT)
@common
def platforms_cmd(quiet: bool, verbose: bool) -> None:
    """List the platform presets: canvas, safe zone, outputs and text limits.

    \b
    Example:
      outreach platforms
    """
    from outreach.platforms import all_platforms

    click.echo(f"{'preset':20} {'canvas':10} {'safe t/b/l/r':18} {'outputs':10} limits")
    for p in all_platforms():
        limits = ", ".join(f"{k}={v}" for k, v in vars(p.limits).items() if v)
        safe = f"{p.safe_top}/{p.safe_bottom}/{p.safe_left}/{p.safe_right}"
        click.echo(f"{p.name:20} {p.width}x{p.height:<5} {safe:18} {p.outputs:10} {limits}")


@main.command(name="themes", context_settings=CONTEXT)
@themes_dir_option
@common
def themes_cmd(themes_dir: tuple[Path, ...], quiet: bool, verbose: bool) -> None:
    """List the themes found (user folders first, then the built-ins).

    \b
    Example:
      outreach themes --themes-dir stories/themes
    """
    from outreach.themes import available_themes, load_theme

    for name in available_themes(themes_dir):
        theme = load_theme(name, themes_dir)
        click.echo(f"{name:12} {theme.label}  ({theme.folders[0]})")


# --- pack (issue 4): `outreach pack` is defined below this line ------------------------------


@main.command(context_settings=CONTEXT)
@stories_dir_argument
@click.option(
    "--week",
    default=None,
    metavar="ISO-WEEK",
    help="The week to pack, e.g. 2026-W48. Default: the current ISO week.",
)
@click.option(
    "-o",
    "--output",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("output"),
    show_default=True,
    help="The pack goes in DIR/<week>/.",
)
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(min=1),
    default=None,
    help="Parallel local jobs. Default: the number of cores.",
)
@click.option("--force", is_flag=True, help="Render everything again, ignoring the cache.")
@only_option
@platforms_option("Pack only these platforms (repeatable). Default: each story's list, else all.")
@click.option(
    "--story",
    "story_ids",
    multiple=True,
    metavar="ID",
    help="Pack only this story (its id or file name; repeatable). The others' outputs stay.",
)
@click.option("--include-drafts", is_flag=True, help="Also render stories not yet approved.")
@click.option(
    "--samples",
    "include_samples",
    is_flag=True,
    help="Also pack the bundled sample stories (`sample: true`) that sit beside your own.",
)
@click.option(
    "--scheduler",
    metavar="tcp://HOST:PORT",
    default=None,
    help="Run the jobs on this Dask scheduler instead of local processes.",
)
@quality_option
@themes_dir_option
@no_highlight_option
@clean_video_option
@common
def pack(
    stories_dir: Path,
    week: str | None,
    out_dir: Path,
    jobs: int | None,
    force: bool,
    only: str | None,
    platforms: tuple[str, ...],
    story_ids: tuple[str, ...],
    include_drafts: bool,
    include_samples: bool,
    scheduler: str | None,
    quality: str,
    themes_dir: tuple[Path, ...],
    no_highlight: bool,
    clean_video: bool,
    quiet: bool,
    verbose: bool,
) -> None:
    """Build the weekly content pack in DIR/<week>/: every approved story of the week,
    for every platform, plus manifest.json, index.html and <week>.zip.

    \b
    A story joins week W's pack if its `week:` is W or its `publish:` date falls in W;
    a story with neither joins every pack. Only `status: approved` stories are rendered
    unless --include-drafts; the drafts left out are listed. The bundled samples
    (`sample: true`) join only a folder of nothing but samples, or with --samples.
    The pack's root also holds schedule.csv and schedule.ics: one row and one event per
    post, at the story's `publish:` time (Vietnam time unless it names a zone).
    Unchanged outputs are skipped (the cache is DIR/<week>/.cache/, safe to delete).
    A run narrowed by -p, --only or --story rebuilds only that part: every other output
    of the week stays on disk, in manifest.json and in the zip. Files are removed only
    when the pack wrote them and their story or platform left the week (each is named).
    Exit code 0 when everything rendered, 1 when some outputs failed, 2 on usage errors
    (including an unusable output folder, or another pack writing into it).

    \b
    Examples:
      outreach pack stories/ --week 2026-W48 -o output/
      outreach pack stories/ -p tiktok -p instagram-feed --only cards
      outreach pack stories/ --story agrilink-japan
      outreach pack stories/ --scheduler tcp://10.0.0.5:8786
    """
    from outreach.pack.executor import ExecutorError, check_scheduler, default_jobs
    from outreach.pack.summary import summary_lines
    from outreach.pack.weekly import PackUsageError, build_pack, current_week, parse_week

    _settle_language([stories_dir])
    console = _Console(quiet, verbose)
    try:
        week = parse_week(week) if week else current_week()
        check_scheduler(scheduler)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--week") from None
    except ExecutorError as exc:
        console.error(_("error: {message} — {hint}", message=exc.message, hint=exc.hint))
        sys.exit(EXIT_USAGE)
    from outreach.model.loader import discover_stories

    if not discover_stories([stories_dir]):
        console.error(_("error: no story files (*.yaml) in {folder}", folder=stories_dir))
        sys.exit(EXIT_USAGE)
    try:
        report = build_pack(
            stories_dir,
            week,
            out_dir,
            jobs=jobs or default_jobs(),
            force=force,
            only=only,
            platforms=list(platforms) or None,
            stories=list(story_ids) or None,
            include_drafts=include_drafts,
            include_samples=include_samples,
            scheduler=scheduler,
            themes_dirs=themes_dir,
            quality=quality,
            highlight=not no_highlight,
            clean=clean_video,
            console=console,
        )
    except (ExecutorError, PackUsageError) as exc:
        console.error(_("error: {message} — {hint}", message=exc.message, hint=exc.hint))
        sys.exit(EXIT_USAGE)
    except KeyboardInterrupt:
        console.error(
            "\n"
            + _(
                "interrupted: every file written is whole; manifest.json and the zip are not "
                "there until the pack is finished — run the same command again to finish it"
            )
        )
        sys.exit(130)
    if story_ids:
        known = {s for st in report.stories.values() for s in (st.id, Path(st.path).stem)}
        for sid in story_ids:
            if sid not in known:
                console.error(
                    _(
                        "warning: --story {id}: no story of {week} has that id or name",
                        id=sid,
                        week=week,
                    )
                )
    for line in summary_lines(report):
        console.info(line)
    for problem in report.problems:
        console.error(_("error: {problem}", problem=problem))
    if not report.stories and not report.drafts:
        console.info(_("no story for {week} in {folder}", week=week, folder=stories_dir))
    sys.exit(EXIT_OK if report.ok else EXIT_ERRORS)


# --- preview (issue 5): `outreach preview` is defined below this line -------------------------


@main.command(context_settings=CONTEXT)
@stories_dir_argument
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8000,
    show_default=True,
    help="TCP port; 0 picks a free one.",
)
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to bind. Anything but loopback shows unpublished stories to the network.",
)
@click.option(
    "--open/--no-open",
    "open_browser",
    default=True,
    show_default=True,
    help="Open the gallery in a browser (only when a desktop session is available).",
)
@themes_dir_option
@common
def preview(
    stories_dir: Path,
    port: int,
    host: str,
    open_browser: bool,
    themes_dir: tuple[Path, ...],
    quiet: bool,
    verbose: bool,
) -> None:
    """Serve a live gallery of every story's cards, with platform safe-zone overlays.

    Cards are drawn at half scale by the same code as `render`, and the page updates
    by itself within about a second when a story, photo or theme changes.

    \b
    Examples:
      outreach preview
      outreach preview stories/ --port 8080 --no-open
    """
    from outreach.preview.server import is_loopback, make_preview
    from outreach.preview.watch import MissingWatchfiles

    _settle_language([stories_dir])
    console = _Console(quiet, verbose)
    if not is_loopback(host):
        click.echo(
            _(
                "warning: serving on {host}: anyone who can reach this machine can see "
                "these unpublished stories; use --host 127.0.0.1 to keep them private",
                host=host,
            ),
            err=True,
        )
    try:
        running = make_preview(stories_dir, host, port, allow_remote=True, themes_dirs=themes_dir)
    except MissingWatchfiles as exc:
        console.error(_("error: {problem}", problem=exc))
        sys.exit(EXIT_ERRORS)
    except OSError as exc:
        console.error(
            _(
                "error: cannot listen on {host}:{port}: {reason} — "
                "pass another --port (0 picks a free one)",
                host=host,
                port=port,
                reason=exc.strerror or exc,
            )
        )
        sys.exit(EXIT_ERRORS)
    states = running.server.app.renderer.stories()
    broken = sum(s.broken for s in states)
    note = (
        " "
        + ngettext(
            "({n} does not load; the page shows why)",
            "({n} do not load; the page shows why)",
            broken,
        )
        if broken
        else ""
    )
    if verbose and not quiet:
        running.server.log = console.debug
    console.info(
        ngettext(
            "previewing {n} story{note} from {folder} at {url} — Ctrl+C to stop",
            "previewing {n} stories{note} from {folder} at {url} — Ctrl+C to stop",
            len(states),
            note=note,
            folder=stories_dir,
            url=running.url,
        )
    )
    if open_browser:
        import os
        import webbrowser

        if (
            sys.platform in ("darwin", "win32")
            or os.environ.get("DISPLAY")
            or os.environ.get("WAYLAND_DISPLAY")
        ):
            webbrowser.open(running.url)
    try:
        running.server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        console.info(_("stopped"))
    finally:
        if running.watcher is not None:
            running.watcher.stop()
        running.server.app.renderer.close()
        running.server.server_close()


if __name__ == "__main__":
    main()

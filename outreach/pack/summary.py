"""The report at the end of a pack: a table per story, totals and the wall time."""

from __future__ import annotations

from typing import Any

from outreach.i18n import N_, _, ngettext

COLUMNS = (N_("rendered"), N_("skipped"), N_("failed"), N_("warnings"))


def summary_lines(report: Any) -> list[str]:
    """Counts are story x platform outputs (a card set with its post text, or a video)."""
    story, total = _("story"), _("total")
    labels = [_(c) for c in COLUMNS]
    widths = [max(8, len(label)) for label in labels]
    width = max([len(story), len(total), *(len(s) for s in report.stories)])
    head = f"{story:<{width}}  " + "  ".join(
        f"{c:>{w}}" for c, w in zip(labels, widths, strict=True)
    )
    lines = [head, "-" * len(head)]
    for sid in sorted(report.stories):
        s = report.stories[sid]
        row = (s.rendered, s.skipped, s.failed, len(s.warnings))
        mark = "  " + _("FAILED") if s.errors else ""
        cells = "  ".join(f"{v:>{w}}" for v, w in zip(row, widths, strict=True))
        lines.append(f"{sid:<{width}}  " + cells + mark)
    lines.append("-" * len(head))
    totals = (
        report.total("rendered"),
        report.total("skipped"),
        report.total("failed"),
        report.warnings,
    )
    cells = "  ".join(f"{v:>{w}}" for v, w in zip(totals, widths, strict=True))
    lines.append(f"{total:<{width}}  " + cells)
    lines.append(
        _(
            "rendered {rendered}, skipped {skipped} unchanged, failed {failed}, "
            "warnings {warnings}, wall time {wall} s ({where})",
            rendered=totals[0],
            skipped=totals[1],
            failed=totals[2],
            warnings=totals[3],
            wall=format(report.wall, ".1f"),
            where=report.where,
        )
    )
    lines.append(
        _(
            "{n} files in {folder}; zip: {zip}",
            n=report.files,
            folder=report.pack_dir,
            zip=report.zip_path,
        )
    )
    for path, why in report.removed:
        lines.append(_("removed {path} ({why})", path=path, why=why))
    for path, what in report.kept_edits:
        lines.append(_("kept {path}: it {what}", path=path, what=what))
    if report.missing:
        shown = ", ".join(report.missing[:5]) + (" …" if len(report.missing) > 5 else "")
        lines.append(
            _(
                "{n} files of this pack are missing from the folder ({shown}): "
                "they are left out of manifest.json and the zip; run the pack without -p/--only/"
                "--story (or with --force) to make them again",
                n=len(report.missing),
                shown=shown,
            )
        )
    stale = sum(1 for s in report.stories.values() for e in s.entries if e.get("stale"))
    if stale:
        lines.append(
            _(
                "{n} files are kept from an earlier run for stories that failed now; "
                'manifest.json marks them "stale"',
                n=stale,
            )
        )
    if report.temp_removed:
        lines.append(
            _(
                "removed {n} temporary files left by an interrupted run",
                n=report.temp_removed,
            )
        )
    if report.other_weeks:
        lines.append(_("{n} stories belong to other weeks and were left out", n=report.other_weeks))
    if report.samples:
        lines.append(
            ngettext(
                "{n} sample story left out (`sample: true`, and your own stories are in the "
                "folder; pass --samples to pack it too)",
                "{n} sample stories left out (`sample: true`, and your own stories are in the "
                "folder; pass --samples to pack them too)",
                len(report.samples),
            )
        )
    if report.drafts:
        lines.append(
            _("drafts left out (not approved; pass --include-drafts to render them): ")
            + ", ".join(f"{sid} ({path})" for sid, path in report.drafts)
        )
    return lines

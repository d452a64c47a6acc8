"""The report at the end of a pack: a table per story, totals and the wall time."""

from __future__ import annotations

from typing import Any

from outreach.i18n import ngettext

COLUMNS = ("rendered", "skipped", "failed", "warnings")


def summary_lines(report: Any) -> list[str]:
    """Counts are story x platform outputs (a card set with its post text, or a video)."""
    width = max([len("story"), len("total"), *(len(s) for s in report.stories)])
    head = f"{'story':<{width}}  " + "  ".join(f"{c:>8}" for c in COLUMNS)
    lines = [head, "-" * len(head)]
    for sid in sorted(report.stories):
        s = report.stories[sid]
        row = (s.rendered, s.skipped, s.failed, len(s.warnings))
        mark = "  FAILED" if s.errors else ""
        lines.append(f"{sid:<{width}}  " + "  ".join(f"{v:>8}" for v in row) + mark)
    lines.append("-" * len(head))
    totals = (
        report.total("rendered"),
        report.total("skipped"),
        report.total("failed"),
        report.warnings,
    )
    lines.append(f"{'total':<{width}}  " + "  ".join(f"{v:>8}" for v in totals))
    lines.append(
        f"rendered {totals[0]}, skipped {totals[1]} unchanged, failed {totals[2]}, "
        f"warnings {totals[3]}, wall time {report.wall:.1f} s ({report.where})"
    )
    lines.append(f"{report.files} files in {report.pack_dir}; zip: {report.zip_path}")
    for path, why in report.removed:
        lines.append(f"removed {path} ({why})")
    for path, what in report.kept_edits:
        lines.append(f"kept {path}: it {what}")
    if report.missing:
        shown = ", ".join(report.missing[:5]) + (" …" if len(report.missing) > 5 else "")
        lines.append(
            f"{len(report.missing)} files of this pack are missing from the folder ({shown}): "
            "they are left out of manifest.json and the zip; run the pack without -p/--only/"
            "--story (or with --force) to make them again"
        )
    stale = sum(1 for s in report.stories.values() for e in s.entries if e.get("stale"))
    if stale:
        lines.append(
            f"{stale} files are kept from an earlier run for stories that failed now; "
            'manifest.json marks them "stale"'
        )
    if report.temp_removed:
        lines.append(f"removed {report.temp_removed} temporary files left by an interrupted run")
    if report.other_weeks:
        lines.append(f"{report.other_weeks} stories belong to other weeks and were left out")
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
            "drafts left out (not approved; pass --include-drafts to render them): "
            + ", ".join(f"{sid} ({path})" for sid, path in report.drafts)
        )
    return lines

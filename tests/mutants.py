"""The seven mutants that survived the old suite (issue 8), and the test that kills each.

Run `python tests/mutants.py [name...]`: it applies each mutant to the source, runs its
test, restores the file and prints KILLED or SURVIVED. Not collected by pytest.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MUTANTS = [
    (
        "captions never shortened",
        "outreach/render/post.py",
        "        caption = shorten(caption, limits.caption_chars)\n",
        "        pass\n",
        "tests/test_teeth.py::test_a_caption_over_the_limit_is_shortened",
    ),
    (
        "30-hashtag cap dropped",
        "outreach/render/post.py",
        "        hashtags = hashtags[: limits.hashtags]\n",
        "        pass\n",
        "tests/test_teeth.py::test_instagram_gets_at_most_thirty_hashtags",
    ),
    (
        "highlight 0.5 s early (paste)",
        "outreach/render/video/frames.py",
        "group = self.chunk.group_at(frame)",
        "group = self.chunk.group_at(frame + 15)",
        "tests/test_teeth.py::test_the_lit_word_is_the_one_being_read",
    ),
    (
        "highlight 0.5 s early (times)",
        "outreach/render/video/captions.py",
        "Word(li, wi, w, spans[g][0], spans[g][1], g)",
        "Word(li, wi, w, spans[g][0] - 15, spans[g][1] - 15, g)",
        "tests/test_teeth.py::test_the_lit_word_is_the_one_being_read",
    ),
    (
        "non-atomic writes",
        "outreach/atomic.py",
        "def write_bytes(target: Path, data: bytes) -> None:\n    with atomic_path(target) as tmp:\n        tmp.write_bytes(data)\n",
        "def write_bytes(target: Path, data: bytes) -> None:\n    target.parent.mkdir(parents=True, exist_ok=True)\n    target.write_bytes(data)\n",
        "tests/test_teeth.py::test_a_failed_write_leaves_the_old_file_whole",
    ),
    (
        "duration stamp ignored",
        "outreach/layout/geometry.py",
        "    return not any(box.intersects(Box.from_rect(k)) for k in keep_clear)",
        "    return True",
        "tests/test_teeth.py::test_text_under_the_duration_stamp_is_an_error",
    ),
    (
        "beat edit keeps cached cards",
        "outreach/pack/cache.py",
        '        data["beats"] = [',
        '        data["beats"] = [] and [',
        "tests/test_teeth.py::test_a_beat_edit_renders_the_carousel_again",
    ),
    (
        "credits never drawn",
        "outreach/render/cards.py",
        '        "credits": story.credits,\n',
        '        "credits": "",\n',
        "tests/test_teeth.py::test_the_credits_line_is_drawn_on_photo_cards",
    ),
]
only = sys.argv[1:]
for name, file, old, new, test in MUTANTS:
    if only and not any(o in name for o in only):
        continue
    path = ROOT / file
    src = path.read_text()
    if old not in src:
        print(f"SKIP (pattern not found): {name}")
        continue
    path.write_text(src.replace(old, new, 1))
    try:
        r = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", test],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=900,
        )
        print(
            ("KILLED  " if r.returncode else "SURVIVED") + f"  {name}  ({test.split('::')[1]})",
            flush=True,
        )
    finally:
        path.write_text(src)

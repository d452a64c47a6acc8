"""Benchmark forced alignment: word-start accuracy and speed on recordings made here.

The recordings (`outreach.speech.corpus`) are the project's sample texts spoken by
espeak-ng voices the aligner does not use as they are: other dialects and variants
(m1, f4, croak, klatt3...), 100-280 words a minute, other pitches, pauses of 0.05-1.2 s
between sentences, rooms with 0.25-0.8 s of reverberation and pink, white or mains-hum
noise at 12-30 dB SNR. They are encoded to AAC (.m4a) like a phone recording and aligned
through `align_file`, the path a render takes (decode included). The truth is each word's
position from libespeak-ng's own word events.

Prints, measured in this run:
- word-start error: median and 90th percentile (targets: <= 0.10 s and <= 0.25 s), and
  the same for the letter-count timing captions used before alignment, for comparison;
- speed: alignment time / narration length, wall clock and CPU (target: <= 0.2x), the
  median of several runs over the whole set.

    python bench/align.py                 # 24 unseen conditions per language, 3 timing runs
    python bench/align.py --per-lang 8 --runs 1
    python bench/align.py --set seen      # the conditions the tests use
    python bench/align.py --voices-from /usr/lib/x86_64-linux-gnu/libespeak-ng.so.1
                                          # recordings by another espeak-ng (Debian's 1.51)
"""

from __future__ import annotations

import argparse
import os
import pickle
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from outreach import ffmpeg
from outreach.speech import align, corpus, engine
from outreach.speech.draft import wav_bytes


def letter_count_starts(rec: corpus.Recording) -> list[float]:
    """Word starts as captions placed them before alignment: the narration's length
    shared between words by letter count (the `time_chunks` weights)."""
    words = [t.text for t in align.tokens(rec.text)]
    weights = np.array([len(w) + 2.0 for w in words])
    edges = np.concatenate([[0.0], np.cumsum(weights)]) / weights.sum() * rec.duration
    return [float(x) for x in edges[:-1]]


def encode(recs: list[corpus.Recording], folder: Path) -> list[Path]:
    paths = []
    for k, rec in enumerate(recs):
        wav = folder / f"r{k}.wav"
        wav.write_bytes(wav_bytes(rec.samples, rec.rate))
        m4a = folder / f"r{k}.m4a"
        ffmpeg.run(
            ["-y", "-v", "error", "-i", str(wav), "-c:a", "aac", "-b:a", "96k", str(m4a)], "encode"
        )
        paths.append(m4a)
    return paths


def make(kind: str, per_lang: int, library: str | None) -> list[corpus.Recording]:
    """The recordings, spoken by this process's espeak-ng or, with `library`, by another
    build in a child process (libespeak-ng is loaded once per process)."""
    if library is None:
        return corpus.make_unseen(per_lang) if kind == "unseen" else corpus.make_set(per_lang)
    code = (
        "import pickle, sys; from outreach.speech import corpus; "
        f"recs = corpus.make_unseen({per_lang}) if {kind!r} == 'unseen' "
        f"else corpus.make_set({per_lang}); "
        "sys.stdout.buffer.write(pickle.dumps(recs))"
    )
    env = {**os.environ, "OUTREACH_ESPEAK_LIB": library}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, check=True)
    return list(pickle.loads(out.stdout))


def pct(values: list[float], q: float) -> float:
    return float(np.quantile(np.array(values), q))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", choices=["unseen", "seen"], default="unseen")
    parser.add_argument("--per-lang", type=int, default=24, help="recordings per language")
    parser.add_argument("--runs", type=int, default=3, help="timing runs over the whole set")
    parser.add_argument(
        "--voices-from", metavar="LIB", help="make the recordings with this libespeak-ng"
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="one line per recording")
    args = parser.parse_args()

    print(f"aligning with: {engine.describe()}")
    if args.voices_from:
        print(f"recordings made with: {args.voices_from}")
    recs = make(args.set, args.per_lang, args.voices_from)
    length = sum(r.duration for r in recs)
    with tempfile.TemporaryDirectory() as tmp:
        paths = encode(recs, Path(tmp))
        errors: list[float] = []
        before: list[float] = []
        unsure = 0
        walls: list[float] = []
        cpus: list[float] = []
        for run in range(args.runs):
            wall = cpu = 0.0
            for rec, path in zip(recs, paths, strict=True):
                t, c = time.perf_counter(), time.process_time()
                result = align.align_file(rec.text, path, rec.lang)
                wall += time.perf_counter() - t
                cpu += time.process_time() - c
                if run:
                    continue
                starts = [w.start for w in result.words]
                errs = corpus.start_errors(rec, starts)
                errors += errs
                before += corpus.start_errors(rec, letter_count_starts(rec))
                unsure += result.unsure
                if args.verbose:
                    print(
                        f"  {rec.lang} {rec.condition.label:58s} {rec.duration:5.1f} s  "
                        f"median {np.median(errs):.3f}  max {max(errs):.3f}  "
                        f"confidence {result.confidence:.2f}"
                    )
            walls.append(wall / length)
            cpus.append(cpu / length)
    words = len(errors)
    med, p90 = pct(errors, 0.5), pct(errors, 0.9)
    print(
        f"{len(recs)} recordings ({args.set} voices), {length:.0f} s of narration, {words} words"
        f"; {unsure} alignments unsure"
    )
    print(
        f"word-start error: median {med:.3f} s, p90 {p90:.3f} s, p99 {pct(errors, 0.99):.3f} s, "
        f"max {max(errors):.3f} s (targets: median <= 0.10 s, p90 <= 0.25 s)"
    )
    print(
        f"letter-count timing (before alignment): median {pct(before, 0.5):.3f} s, "
        f"p90 {pct(before, 0.9):.3f} s"
    )
    wall, cpu = statistics.median(walls), statistics.median(cpus)
    print(
        f"speed: alignment takes {wall:.3f}x the narration's length (wall, median of "
        f"{args.runs}: " + ", ".join(f"{w:.3f}" for w in walls) + f"), {cpu:.3f}x in CPU time "
        "(target: <= 0.2x)"
    )
    ok = med <= 0.10 and p90 <= 0.25 and wall <= 0.2
    print("targets met" if ok else "TARGETS MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

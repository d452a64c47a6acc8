"""Dynamic time warping inside a Sakoe-Chiba band, vectorised one row at a time.

Rows are reference frames, columns are recording frames. The usual recurrence

    D[i, j] = c[i, j] + min(D[i-1, j-1], D[i-1, j], D[i, j-1])

has a dependency along the row (the horizontal step). It is solved for a whole row at
once: with A[j] the best of the diagonal and vertical steps and C the running sum of the
row's costs, D[j] = C[j] + min over k <= j of (A[k] - C[k]), a running
minimum. So each row is a handful of numpy operations over the band, and the back-pointer
is exact (it compares the running minimum with the value it came from).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Path:
    """The warping path, from (0, 0) to (n - 1, m - 1): reference frame `ref[k]` matches
    recording frame `rec[k]` at local cost `cost[k]`."""

    ref: np.ndarray
    rec: np.ndarray
    cost: np.ndarray
    n: int
    m: int

    @property
    def total(self) -> float:
        """Mean local cost along the path."""
        return float(self.cost.mean())

    @property
    def first(self) -> np.ndarray:
        """For each reference frame, the first recording frame it matches."""
        out = np.full(self.n, self.m, dtype=np.int64)
        np.minimum.at(out, self.ref, self.rec)
        return out

    @property
    def last(self) -> np.ndarray:
        """For each reference frame, the last recording frame it matches."""
        out = np.zeros(self.n, dtype=np.int64)
        np.maximum.at(out, self.ref, self.rec)
        return out

    def rec_cost(self) -> np.ndarray:
        """Mean local cost at each recording frame."""
        total = np.bincount(self.rec, weights=self.cost, minlength=self.m)
        count = np.bincount(self.rec, minlength=self.m)
        return total / np.maximum(count, 1)


def band_limits(n: int, m: int, radius: int) -> tuple[np.ndarray, np.ndarray]:
    """Column range [lo, hi) for each of n rows: `radius` columns around the diagonal."""
    centre = np.arange(n) * (m - 1) / max(1, n - 1)
    lo = np.clip(np.floor(centre - radius), 0, m - 1).astype(np.int64)
    hi = np.clip(np.ceil(centre + radius) + 1, 1, m).astype(np.int64)
    # rows must overlap their neighbours so a path exists
    lo = np.minimum.accumulate(lo[::-1])[::-1]
    hi = np.maximum.accumulate(hi)
    return lo, hi


def warp(ref: np.ndarray, rec: np.ndarray, radius: int) -> Path:
    """Align feature rows of `ref` (n, d) to `rec` (m, d); features should be unit vectors
    (the local cost is 1 - cosine similarity). Both ends are anchored."""
    return warp_many(ref[None], rec, radius)[0]


def warp_many(refs: np.ndarray, rec: np.ndarray, radius: int) -> list[Path]:
    """`warp` for k references of the same length at once, refs (k, n, d): each numpy
    operation covers all k rows, so k warps cost little more than one."""
    k, n, _ = refs.shape
    m = len(rec)
    lo, hi = band_limits(n, m, radius)
    inf = np.inf
    # prev[:, j + 1] = D[i-1, j]; column 0 is the virtual column -1. Two buffers, reset by slice.
    prev = np.full((k, m + 1), inf)
    cur = np.full((k, m + 1), inf)
    steps: list[np.ndarray] = []  # per row, (k, width) int8: 0 diagonal, 1 up, 2 left
    block = 64
    minimum, less, cumsum, accumulate = np.minimum, np.less, np.cumsum, np.minimum.accumulate
    for i0 in range(0, n, block):
        i1 = min(n, i0 + block)
        c0, c1 = int(lo[i0]), int(hi[i1 - 1])
        # (k, rows, cols); einsum, not BLAS: a threaded BLAS spins on a busy machine
        local = 1.0 - np.einsum("kid,jd->kij", refs[:, i0:i1], rec[c0:c1])
        np.maximum(local, 0.0, out=local)
        for i in range(i0, i1):
            a, b = int(lo[i]), int(hi[i])
            c = local[:, i - i0, a - c0 : b - c0]
            diag = prev[:, a:b] + c  # D[i-1, j-1] is prev[j]
            vert = prev[:, a + 1 : b + 1] + c
            from_vert = less(vert, diag)
            best = minimum(vert, diag)
            if i == 0:
                best[:, 0] = c[:, 0]  # the path starts at (0, 0)
            cum = cumsum(c, axis=1)
            e = best - cum
            run = accumulate(e, axis=1)
            step = from_vert.astype(np.int8)
            step[less(run, e)] = 2
            steps.append(step)
            if i > 1:  # cur still holds row i - 2
                cur[:, int(lo[i - 2]) + 1 : int(hi[i - 2]) + 1] = inf
            np.add(run, cum, out=cur[:, a + 1 : b + 1])
            prev, cur = cur, prev
    if not np.isfinite(prev[:, m]).all():
        raise ValueError("the band leaves no path; widen it")
    return [_backtrack(refs[q], rec, q, lo, steps) for q in range(k)]


def _backtrack(
    ref: np.ndarray, rec: np.ndarray, q: int, lo: np.ndarray, steps: list[np.ndarray]
) -> Path:
    """Follow the steps back from the last cell; local costs are recomputed on the path
    (cheaper than keeping the band's costs: a minute of audio would take half a GB)."""
    i, j = len(ref) - 1, len(rec) - 1
    ii: list[int] = []
    jj: list[int] = []
    lo_list = lo.tolist()
    while True:
        ii.append(i)
        jj.append(j)
        if i == 0 and j == 0:
            break
        step = steps[i][q, j - lo_list[i]]
        if step == 2:
            j -= 1
        elif step == 1:
            i -= 1
        else:
            i -= 1
            j -= 1
    ri = np.array(ii[::-1], dtype=np.int64)
    rj = np.array(jj[::-1], dtype=np.int64)
    cost = np.maximum(0.0, 1.0 - np.einsum("pd,pd->p", ref[ri], rec[rj]))
    return Path(ri, rj, cost, len(ref), len(rec))

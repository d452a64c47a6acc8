"""The same pack on a Dask cluster (`LocalCluster`, worker processes) and on the local
process pool: cards and post text must be byte-identical."""

from __future__ import annotations

from pathlib import Path

import distributed
import pytest

from tests.test_pack import WEEK, make_stories, manifest, run_pack, summary, verify_pack


@pytest.mark.slow
def test_dask_cluster_gives_the_same_pack_as_the_local_pool(
    story_dir: Path, tmp_path: Path
) -> None:
    ids = make_stories(story_dir, 2)
    local = run_pack(story_dir, tmp_path / "local", "-j", "2")
    assert local.returncode == 0, local.stderr

    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None, silence_logs=40
    ) as cluster:
        remote = run_pack(story_dir, tmp_path / "dask", "--scheduler", cluster.scheduler_address)
    assert remote.returncode == 0, remote.stderr
    assert f"(Dask cluster {cluster.scheduler_address})" in remote.stderr
    assert summary(remote.stderr) == {sid: (2, 0, 0, 0) for sid in ids}

    a = verify_pack(tmp_path / "local" / WEEK)
    b = verify_pack(tmp_path / "dask" / WEEK)
    outputs = {rel for rel, e in a.items() if e["output"] != "index"}
    assert outputs and {e["output"] for rel, e in a.items() if rel in outputs} >= {"card", "post"}
    assert {rel: (a[rel]["sha256"], a[rel]["key"]) for rel in outputs} == {
        rel: (b[rel]["sha256"], b[rel]["key"]) for rel in outputs
    }
    assert manifest(tmp_path / "local" / WEEK) == manifest(tmp_path / "dask" / WEEK)


@pytest.mark.slow
def test_unreachable_scheduler_is_a_usage_error(story_dir: Path, tmp_path: Path) -> None:
    make_stories(story_dir, 1)
    res = run_pack(story_dir, tmp_path / "out", "--scheduler", "tcp://127.0.0.1:9")
    assert res.returncode == 2
    assert "error: cannot reach the Dask scheduler at tcp://127.0.0.1:9: " in res.stderr
    assert "start it with `dask scheduler` or check the address" in res.stderr
    assert not (tmp_path / "out" / WEEK / "manifest.json").exists()

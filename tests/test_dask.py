"""The per-article stage on a Dask cluster gives byte-identical pages to the local executor."""

import pytest

from generator.config import Settings
from generator.pipeline import RunOptions, build
from tests.conftest import make_project

pytestmark = pytest.mark.slow


def _tree(folder):
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_dask_local_cluster_matches_local_executor(tmp_path):
    distributed = pytest.importorskip("dask.distributed")
    local = make_project(tmp_path / "local")
    build(local, Settings(), render_html=False, options=RunOptions(use_cache=False))
    remote = make_project(tmp_path / "dask")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        options = RunOptions(use_cache=False, executor="dask", scheduler=cluster.scheduler_address)
        report = build(remote, Settings(), render_html=False, options=options)
    assert report.built == 3
    assert _tree(remote.content) == _tree(local.content)

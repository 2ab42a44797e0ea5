"""The per-article stage on a Dask cluster gives byte-identical pages to the local executor."""

import pytest

from generator.config import Settings
from generator.pipeline import RunOptions, build
from tests.conftest import file_tree, make_project

pytestmark = pytest.mark.slow


def test_dask_local_cluster_matches_local_executor(tmp_path):
    distributed = pytest.importorskip("dask.distributed")
    local = make_project(tmp_path / "local")
    build(local, Settings(), render_html=False, options=RunOptions(use_cache=False))
    remote = make_project(tmp_path / "dask")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        options = RunOptions(use_cache=False, executor="dask", scheduler=cluster.scheduler_address)
        report = build(remote, Settings(), render_html=False, options=options)
    assert report.built == 3
    assert file_tree(remote.content) == file_tree(local.content)

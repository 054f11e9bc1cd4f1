"""Remote targets and the Dask engine, against real servers started here.

* ``s3``: a moto S3 server (``moto_fixture``), one per module;
* ``dask_cluster``: a real ``distributed.LocalCluster`` of two worker processes,
  one per module (a start costs about a second), started after ``s3`` so its
  workers inherit the AWS environment.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from moto_fixture import s3, start_moto  # noqa: E402,F401  (fixtures re-exported)


@pytest.fixture(scope="module")
def dask_cluster(s3):
    from aiprov.manifest.dask_engine import local_cluster

    with local_cluster(2) as cluster:
        yield cluster

"""``Regressor/BinaryClassifier(distributed=True)`` under ``mpiexec -n 2`` and ``-n 3``.

Each rank must end with the model one process fits with the same seed; with ``random_state=None``
the seed is rank 0's draw on every rank (else each rank would split and initialise differently).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from tests.distributed.estimator_ranks import fitted, problem

pytest.importorskip("mpi4py")
HERE = Path(__file__).parent
MPIEXEC = Path(sys.executable).parent / "mpiexec"
ENV = {"PYTHONPATH": str(HERE.parent.parent), "PATH": "/usr/bin:/bin", "OMP_NUM_THREADS": "1",
       "OPENBLAS_NUM_THREADS": "1"}  # fmt: skip


@pytest.mark.parametrize("ranks", [2, 3])
def test_n_ranks_fit_the_estimator_one_process_fits_with_rank_0s_seed(tmp_path, ranks):
    command = ["timeout", "120", str(MPIEXEC), "-n", str(ranks), sys.executable,
               str(HERE / "estimator_ranks.py"), str(tmp_path)]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, env=ENV, timeout=130)
    assert done.returncode == 0, done.stderr
    results = [dict(np.load(tmp_path / f"rank{rank}.npz")) for rank in range(ranks)]
    for other in results[1:]:  # every rank holds the same model, and the same (drawn) seed
        for name, value in results[0].items():
            assert np.array_equal(other[name], value), name
    seed = int(results[0]["seed"])
    regressor, classifier = fitted(seed, distributed=False)  # one process, rank 0's seed
    _, _, grid = problem()
    assert regressor.n_iter_ == int(results[0]["epochs"])
    np.testing.assert_allclose(results[0]["regression"], regressor.predict(grid), rtol=1e-10, atol=1e-12)
    proba = classifier.predict_proba(grid)[:, 1]
    np.testing.assert_allclose(results[0]["proba"], proba, rtol=1e-10, atol=1e-12)


def test_bad_data_on_one_rank_stops_every_rank_with_the_same_error(tmp_path):
    command = ["timeout", "60", str(MPIEXEC), "-n", "2", sys.executable, str(HERE / "estimator_ranks.py"),
               str(tmp_path), "bad"]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, env=ENV, timeout=70)
    assert done.returncode == 3, (done.returncode, done.stderr)  # 124: the timeout, i.e. a hang
    messages = {(tmp_path / f"rank{rank}.txt").read_text() for rank in range(2)}
    assert len(messages) == 1, messages
    message = messages.pop()
    assert message.startswith("rank 1 of 2 could not use its data: ValueError: "), message
    assert "NaN" in message, message


def test_distributed_must_be_a_bool_or_a_data_parallel():
    from descenso.estimators import Regressor

    X, y, _ = problem()
    with pytest.raises(ValueError, match="distributed"):
        Regressor(distributed="yes").fit(X, y)

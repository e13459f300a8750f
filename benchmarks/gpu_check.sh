#!/usr/bin/env bash
# descenso's GPU check, for a machine with an NVIDIA GPU, CuPy, PyTorch (CUDA) and NumPy; nothing is
# downloaded. Run from anywhere:  bash benchmarks/gpu_check.sh [--dry] [RESULTS_FILE]
#   (a) parity: the PyTorch oracle tests on the GPU, and every public op, loss, optimizer and an MLP fit
#       on CuPy against NumPy (1e-5 relative in float32, 1e-10 in float64);
#   (b) speed: W2, W3 and W3 with batch 8192, descenso on CuPy against PyTorch CUDA eager.
# --dry runs the same code on the CPU (the oracle tests on the strict test double of a GPU namespace,
# descenso on NumPy, PyTorch on the CPU, tiny workloads): it shows the script works without a GPU.
# Under 5 minutes in all; the results file is printed at the end (default: gpu_check_results.md).
set -u
cd "$(dirname "$0")/.."
export PYTHONPATH=.
PYTHON="${PYTHON:-python3}"
DRY=""
if [ "${1:-}" = "--dry" ]; then DRY="--dry"; shift; fi
RESULTS="${1:-gpu_check_results.md}"
status=0

if [ -z "$DRY" ]; then
    if ! "$PYTHON" -c "import cupy; assert cupy.cuda.runtime.getDeviceCount() > 0" 2>/dev/null; then
        echo "gpu_check: no usable CuPy GPU here (import cupy or cupy.cuda.runtime.getDeviceCount failed);" \
             "run with --dry to check the script on the CPU" >&2
        exit 2
    fi
    ORACLE_DEVICE=cuda
else
    ORACLE_DEVICE=strict
fi

# (a) the oracle tests, every leaf and result on the device (tests/conftest.py reads DESCENSO_TEST_DEVICE)
# (-c /dev/null: the project's pytest settings name plugins such a machine may lack)
ORACLE_LOG="$(mktemp)"
if "$PYTHON" -c "import pytest" 2>/dev/null; then
    DESCENSO_TEST_DEVICE="$ORACLE_DEVICE" timeout 150 "$PYTHON" -m pytest -c /dev/null --rootdir . \
        -p no:cacheprovider -q tests/oracle >"$ORACLE_LOG" 2>&1 || status=1
    ORACLE_SUMMARY="$(tail -n 1 "$ORACLE_LOG")"
    if [ "$status" -ne 0 ]; then
        echo "gpu_check: the oracle tests failed on $ORACLE_DEVICE; their last lines:" >&2
        tail -n 30 "$ORACLE_LOG" >&2
    fi
else
    ORACLE_SUMMARY="NOT RUN: pytest is not installed here"
fi

# (a) parity with NumPy and (b) speed against PyTorch, written to RESULTS
timeout 200 "$PYTHON" -m benchmarks.gpu_check $DRY --out "$RESULTS" --oracle "$ORACLE_DEVICE: $ORACLE_SUMMARY" \
    || status=1
if [ -f "$RESULTS" ]; then
    cat "$RESULTS"
    echo "gpu_check: results written to $RESULTS"
else
    echo "gpu_check: no results file was written (see the errors above)" >&2
    status=1
fi
rm -f "$ORACLE_LOG"
exit "$status"

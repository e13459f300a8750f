#!/usr/bin/env bash
# descenso on an NVIDIA GPU: parity with NumPy and speed against PyTorch CUDA eager, in under 5 minutes.
#
# Needs: Python 3.12 with NumPy, CuPy and PyTorch (CUDA) installed; no network. Run from anywhere:
#   bash benchmarks/gpu_check.sh             # on the GPU machine
#   bash benchmarks/gpu_check.sh --dry-run   # no GPU: the same steps on the strict test double, tiny sizes
# Writes benchmarks/gpu_check.txt (GPU_CHECK_OUT to change it) and prints it at the end.
set -uo pipefail
cd "$(dirname "$0")/.."
export PYTHONPATH=.
PYTHON=${PYTHON:-python3}
OUT=${GPU_CHECK_OUT:-benchmarks/gpu_check.txt}
status=0

if [[ "${1:-}" == "--dry-run" ]]; then
    oracle_env=()  # the oracle tests' second run is on the strict double, as in CI
else
    oracle_env=(env DESCENSO_TEST_DEVICE=cuda)  # ... and here on the GPU
fi

# (a) parity, part 1: the gradient oracle tests (descenso against PyTorch, values and gradients, float64)
echo "## the gradient oracle tests (tests/oracle), second run on ${oracle_env[*]:-the strict double}" | tee "$OUT.oracle"
timeout 120 "${oracle_env[@]}" "$PYTHON" -m pytest tests/oracle -q -p no:cacheprovider -W ignore::pytest.PytestConfigWarning 2>&1 | tail -3 | tee -a "$OUT.oracle"
[[ ${PIPESTATUS[0]} -eq 0 ]] || status=1

# (a) parity, part 2, and (b) speed
timeout 170 "$PYTHON" benchmarks/gpu_check.py "$@" --out "$OUT.main" || status=1

cat "$OUT.oracle" "$OUT.main" > "$OUT" 2>/dev/null
rm -f "$OUT.oracle" "$OUT.main"
echo
echo "================ $OUT"
cat "$OUT"
exit $status

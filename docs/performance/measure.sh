#!/usr/bin/env bash
# Measures solve time against model size for docs/performance.md: one run of the `scale` and
# `sam_scale` examples per size, default solver choice, written to docs/performance/runs.csv.
# Usage: bash docs/performance/measure.sh   (then python3 docs/performance/plot.py)
set -euo pipefail
cd "$(dirname "$0")/../.."
cargo build --release --examples >/dev/null
out=docs/performance/runs.csv
echo "family,size,unknowns,nonzeros,linear_solver,newton_iterations,gmres_iterations,build_s,solve_s,peak_gib" >"$out"

# The first line of an example's output that starts with $1.
field() { grep "^$1" <<<"$2" | head -1 || true; }

# Appends a row: family, size label, unknowns, nonzeros, linear solver, then the example's output.
record() {
  local run=$6
  local build solve newton gmres peak
  build=$(field "build:" "$run" | awk '{print $2}')
  solve=$(field "solve:" "$run" | awk '{print $2}')
  newton=$(field "solve:" "$run" | awk '{print $4}')
  gmres=$(field "GMRES:" "$run" | awk '{print $4}')
  peak=$(field "peak memory:" "$run" | awk '{print $3}')
  echo "$1,$2,$3,$4,$5,$newton,${gmres:-0},$build,$solve,$peak" >>"$out"
}

for rsf in "10 10 3" "20 20 3" "30 30 5" "50 30 5" "70 40 5" "100 50 5" "140 65 5"; do
  set -- $rsf
  run=$(./target/release/examples/scale --regions "$1" --sectors "$2" --factors "$3")
  algebra=$(field "linear algebra:" "$run")
  record world "${1}x${2}x${3}" "$(field "unknowns:" "$run" | awk '{print $2}')" \
    "$(awk '{print $3}' <<<"$algebra")" "$(awk '{print $(NF-2)}' <<<"$algebra")" "$run"
done
for spec in "80 0" "320 0" "640 0" "1280 0" "320 20" "1280 20" "2560 20" "5000 20" "10000 20"; do
  set -- $spec
  run=$(./target/release/examples/sam_scale --sectors "$1" --inputs "$2")
  jacobian=$(field "Jacobian:" "$run")
  record "$([ "$2" = 0 ] && echo sam_dense || echo sam_sparse)" "N=$1" \
    "$(field "unknowns:" "$run" | awk '{print $2}')" \
    "$(awk '{print $4}' <<<"$jacobian")" "$(sed 's/.*(\(.*\) linear solver).*/\1/' <<<"$jacobian")" "$run"
done
cat "$out"

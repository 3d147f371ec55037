#!/usr/bin/env bash
# Runs the INN reference protocol on every dataset of a manifest directory and prints the mean
# test AUROC per dataset and model (compare with ../shared/reference/inn_reference.md).
# Usage: Tools/scripts/inn-accuracy.sh DATA_DIR OUT_DIR
# MODELS (default "inn tabresnet") and SEEDS (default "0 1 2 3 4") choose what runs; two runs
# go at a time. INN and TabResNet take the reference README's flags, the other models their
# defaults. A model's components (Sum-of-Parts' frozen backbone) get a column of their own.
# Each run uses one core (--threads 1), since two run side by side; results do not depend on it.
set -euo pipefail
data=${1:?data directory with manifest.json}
out=${2:?output directory}
sann=${SANN:-.build/release/sann}
models=${MODELS:-inn tabresnet}
seeds=${SEEDS:-0 1 2 3 4}
ids=$(python3 -c "import json,sys; print(' '.join(str(e['openml_id']) for e in json.load(open(sys.argv[1]+'/manifest.json')) if e.get('openml_id')))" "$data")
flags() {
  case "$1" in
    inn) echo "--interpretable --nr_restarts 3 --weight_norm 0.1 --weight_decay 0.01" ;;
    tabresnet) echo "--model tabresnet --nr_restarts 3 --weight_decay 0.01" ;;
    *) echo "--model $1" ;;
  esac
}
running=0
for id in $ids; do
  for seed in $seeds; do
    for model in $models; do
      # shellcheck disable=SC2046
      "$sann" train --data-dir "$data" --dataset_id "$id" --seed "$seed" $(flags "$model") --threads 1 --output_dir "$out" --quiet > /dev/null &
      running=$((running + 1))
      if [ "$running" -ge 2 ]; then wait -n; running=$((running - 1)); fi
    done
  done
done
wait
python3 - "$out" $models <<'PY'
import json, os, sys, statistics
out, models = sys.argv[1], sys.argv[2:]
rows = {}
columns = []
for model in models:
    for ds in sorted(os.listdir(os.path.join(out, model))):
        # Seed folders only (sann train leaves .<seed>.lock files beside them).
        for seed in sorted(s for s in os.listdir(os.path.join(out, model, ds)) if s.isdigit()):
            info = json.load(open(os.path.join(out, model, ds, seed, "output_info.json")))
            cells = {model: info.get("test_auroc")}
            for name, metrics in (info.get("components") or {}).items():
                cells[f"{model}:{name}"] = metrics.get("test_auroc")
            for column, value in cells.items():
                if column not in columns: columns.append(column)
                rows.setdefault(ds, {}).setdefault(column, []).append(value)
for ds, r in rows.items():
    cells = []
    for column in columns:
        v = [x for x in r.get(column, []) if x is not None]
        cells.append(f"{column} {statistics.mean(v):.4f} ({', '.join(f'{x:.4f}' for x in v)})" if v else f"{column} n/a")
    print(ds, " | ".join(cells))
PY

#!/usr/bin/env bash
# Runs the INN reference protocol on every dataset of a manifest directory for seeds 0-4,
# INN and TabResNet, and prints mean test AUROC per dataset (compare with
# ../shared/reference/inn_reference.md). Usage: Tools/scripts/inn-accuracy.sh DATA_DIR OUT_DIR
set -euo pipefail
data=${1:?data directory with manifest.json}
out=${2:?output directory}
sann=${SANN:-.build/release/sann}
ids=$(python3 -c "import json,sys; print(' '.join(str(e['openml_id']) for e in json.load(open(sys.argv[1]+'/manifest.json')) if e.get('openml_id')))" "$data")
for id in $ids; do
  for seed in 0 1 2 3 4; do
    "$sann" train --data-dir "$data" --dataset_id "$id" --seed "$seed" --nr_restarts 3 --weight_norm 0.1 --weight_decay 0.01 --interpretable --output_dir "$out" --quiet > /dev/null &
    "$sann" train --data-dir "$data" --dataset_id "$id" --seed "$seed" --nr_restarts 3 --weight_decay 0.01 --model tabresnet --output_dir "$out" --quiet > /dev/null
    wait
  done
done
python3 - "$out" <<'PY'
import json, os, sys, statistics
out = sys.argv[1]
rows = {}
for model in ("inn", "tabresnet"):
    for ds in sorted(os.listdir(os.path.join(out, model))):
        vals = []
        for seed in sorted(os.listdir(os.path.join(out, model, ds))):
            info = json.load(open(os.path.join(out, model, ds, seed, "output_info.json")))
            vals.append(info.get("test_auroc"))
        rows.setdefault(ds, {})[model] = vals
for ds, r in rows.items():
    cells = []
    for model in ("inn", "tabresnet"):
        v = [x for x in r.get(model, []) if x is not None]
        cells.append(f"{model} {statistics.mean(v):.4f} ({', '.join(f'{x:.4f}' for x in v)})" if v else f"{model} n/a")
    print(ds, " | ".join(cells))
PY

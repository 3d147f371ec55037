#!/usr/bin/env python3
"""Checks, on every row of a data file, that a binary classifier's own explanation adds up to its
prediction: the sum of the contributions printed by `sann explain --format json` (plus the bias,
for feature-wise models) against the logit log(p/(1−p)) recovered from `sann predict`, for models
with one snapshot (SOP, NAM, logistic regression), where the two are the same network, on the
rows with 0.01 < p < 0.99 (p is printed from a Float). Prints the largest difference per run.

    Tools/scripts/exactness-check.py SANN DATA_FILE RUN_DIR [RUN_DIR ...]
"""
import json, math, subprocess, sys

sann, data, runs = sys.argv[1], sys.argv[2], sys.argv[3:]
worst_overall = 0.0
for run in runs:
    explained = json.loads(subprocess.run([sann, "explain", "--model", run, "--data", data, "--format", "json"],
                                          check=True, capture_output=True, text=True).stdout)
    predicted = json.loads(subprocess.run([sann, "predict", "--model", run, "--data", data, "--format", "json"],
                                          check=True, capture_output=True, text=True).stdout)
    worst = 0.0
    for e, p in zip(explained, predicted):
        if "groups" in e:
            total = sum(g["contribution"] for g in e["groups"])
        else:
            total = e["bias"] + sum(e["contributions"].values())
        output = e["explained_output"]
        if not output.startswith("logit("):
            sys.exit(f"{run}: not a binary classifier (explained output {output})")
        positive = p["p_" + output[6:-1]]
        # p is a Float: its logit is recoverable to about 1e-7/(p(1−p)); skip the saturated rows.
        if 0.01 < positive < 0.99:
            worst = max(worst, abs(total - math.log(positive / (1 - positive))))
    print(f"{run}: {len(explained)} rows, largest |Σ contributions − logit| = {worst:.2e}")
    worst_overall = max(worst_overall, worst)
print(f"largest over all runs: {worst_overall:.2e}")

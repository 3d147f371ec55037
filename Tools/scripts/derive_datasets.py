#!/usr/bin/env python3
"""Derive the small tabular datasets in Datasets/ from locally installed packages.

Sources (nothing is downloaded by this script):
  * scikit-learn's bundled copies (sklearn.datasets.load_*) -> CSV files
  * Debian's `weka` package (examples/credit-g.arff), extracted beforehand:
        cd /tmp && apt-get download weka && dpkg -x weka_*.deb weka_x
    -> copied byte-for-byte to Datasets/31-credit-g.arff

Usage (from the repository root):
    python3 Tools/scripts/derive_datasets.py [--out Datasets] \
        [--weka-root /tmp/weka_x]

Also writes Datasets/manifest.json. Output is deterministic for a given
scikit-learn version and weka package version.
"""

import argparse
import csv
import hashlib
import json
import math
import os
import re
import shutil
import sys

import numpy as np
import sklearn
from sklearn.datasets import (load_breast_cancer, load_diabetes, load_iris,
                              load_wine)

WEKA_ARFF_REL = "usr/share/doc/weka/examples/credit-g.arff"


def safe_name(name):
    """Runs of characters other than [A-Za-z0-9_] -> '_', trimmed.

    e.g. 'mean radius' -> 'mean_radius', 'sepal length (cm)' -> 'sepal_length_cm',
    'od280/od315_of_diluted_wines' -> 'od280_od315_of_diluted_wines'.
    """
    s = re.sub(r"[^A-Za-z0-9_]+", "_", str(name)).strip("_")
    if not s or s[0].isdigit():
        s = "f_" + s
    return s


def fmt(x):
    """Shortest round-trip decimal text for a float64 ('1001' not '1001.0')."""
    x = float(x)
    if not math.isfinite(x):
        raise ValueError("non-finite value %r" % x)
    r = repr(x)
    if r.endswith(".0"):
        r = r[:-2]
    return r


def write_csv(path, feature_names, X, y_strings):
    names = [safe_name(n) for n in feature_names]
    if len(set(names)) != len(names) or "target" in names:
        raise ValueError("column name clash in %s: %r" % (path, names))
    with open(path, "w", newline="") as fh:
        fh.write(",".join(names + ["target"]) + "\n")
        for row, t in zip(X, y_strings):
            fh.write(",".join([fmt(v) for v in row] + [t]) + "\n")
    # Round-trip check: every value parses back to exactly the same float64.
    with open(path, newline="") as fh:
        rows = list(csv.reader(fh))
    back = np.array([[float(v) for v in r[:-1]] for r in rows[1:]])
    assert back.shape == X.shape and np.array_equal(back, X), path
    assert [r[-1] for r in rows[1:]] == list(y_strings), path
    return len(X), len(names)


def classification(loader):
    b = loader()
    X = np.asarray(b.data, dtype=np.float64)
    labels = [str(b.target_names[i]) for i in b.target]
    return b.feature_names, X, labels, len(b.target_names)


def arff_stats(path):
    """rows, attributes, class values of the last attribute, '?' cells."""
    attrs, rows, missing, in_data = [], 0, 0, False
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            s = line.strip()
            if not s or s.startswith("%"):
                continue
            if not in_data:
                low = s.lower()
                if low.startswith("@attribute"):
                    attrs.append(s)
                elif low.startswith("@data"):
                    in_data = True
                continue
            fields = next(csv.reader([s], quotechar="'", skipinitialspace=True))
            if len(fields) != len(attrs):
                raise ValueError("bad row width in %s: %r" % (path, s))
            rows += 1
            missing += sum(1 for f in fields if f.strip() == "?")
    m = re.match(r"@attribute\s+(\S+)\s*\{(.*)\}\s*$", attrs[-1], re.I)
    if not m:
        raise ValueError("last attribute of %s is not nominal" % path)
    classes = [v.strip().strip("'") for v in m.group(2).split(",")]
    return rows, len(attrs) - 1, m.group(1), classes, missing


def sha256(path):
    with open(path, "rb") as fh:
        return hashlib.sha256(fh.read()).hexdigest()


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default="Datasets")
    ap.add_argument("--weka-root", default="/tmp/weka_x",
                    help="directory the weka .deb was extracted into with dpkg -x")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    print("scikit-learn", sklearn.__version__)
    manifest = []

    for fname, name, oid, loader in [
        ("1510-wdbc.csv", "wdbc", 1510, load_breast_cancer),
        ("187-wine.csv", "wine", 187, load_wine),
        ("61-iris.csv", "iris", 61, load_iris),
    ]:
        feats, X, labels, n_classes = classification(loader)
        n, f = write_csv(os.path.join(args.out, fname), feats, X, labels)
        manifest.append({"file": fname, "name": name, "openml_id": oid,
                         "rows": n, "features": f, "target": "target",
                         "classes": n_classes,
                         "task": "binary" if n_classes == 2 else "multiclass",
                         "missing_cells": 0})
        print("%-24s %4d rows %3d features %d classes" % (fname, n, f, n_classes))

    b = load_diabetes(scaled=False)
    fname = "diabetes-regression.csv"
    n, f = write_csv(os.path.join(args.out, fname), b.feature_names,
                     np.asarray(b.data, dtype=np.float64),
                     [fmt(t) for t in b.target])
    manifest.append({"file": fname, "name": "diabetes", "openml_id": None,
                     "rows": n, "features": f, "target": "target", "classes": 0,
                     "task": "regression", "missing_cells": 0})
    print("%-24s %4d rows %3d features (regression)" % (fname, n, f))

    src = os.path.join(args.weka_root, WEKA_ARFF_REL)
    if not os.path.isfile(src):
        sys.exit("missing %s; first run:\n  cd /tmp && apt-get download weka "
                 "&& dpkg -x weka_*.deb weka_x" % src)
    fname = "31-credit-g.arff"
    dst = os.path.join(args.out, fname)
    shutil.copyfile(src, dst)
    assert sha256(src) == sha256(dst)
    n, f, target, classes, missing = arff_stats(dst)
    manifest.append({"file": fname, "name": "credit-g", "openml_id": 31,
                     "rows": n, "features": f, "target": target,
                     "classes": len(classes),
                     "task": "binary" if len(classes) == 2 else "multiclass",
                     "missing_cells": missing})
    print("%-24s %4d rows %3d features %d classes %r sha256 %s"
          % (fname, n, f, len(classes), classes, sha256(dst)))

    with open(os.path.join(args.out, "manifest.json"), "w") as fh:
        json.dump(manifest, fh, indent=2)
        fh.write("\n")


if __name__ == "__main__":
    main()

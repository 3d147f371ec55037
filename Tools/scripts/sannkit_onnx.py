#!/usr/bin/env python3
"""Score rows with a model exported by `sann export --format onnx`, in ONNX Runtime.

    python3 Tools/scripts/sannkit_onnx.py predict model.onnx DATA.csv    # what `sann predict --format json` prints
    python3 Tools/scripts/sannkit_onnx.py explain model.onnx DATA.arff   # what `sann explain --format json` prints
    python3 Tools/scripts/sannkit_onnx.py score model.onnx BIG.csv OUT.csv [--chunk ROWS] [--threads T]
                                                                          # stream a large CSV in chunks
    python3 Tools/scripts/sannkit_onnx.py bench model.onnx DATA.csv      # the model alone: rows/s on encoded rows

`predict` and `explain` first run onnx.checker on the file. `score` reads the CSV in chunks
(100,000 rows by default), so memory stays flat however large the file is, and writes one line
per row: the probabilities (or the prediction) and, for a self-explaining model, the logit.

From Python (the raw-row coding is in the model's 'sannkit.onnx' metadata):

    model = ExportedModel("model.onnx")
    x = model.encode(read_table("Datasets/1510-wdbc.csv"))     # float32 [n, columns], NaN = missing
    out = model.run(x)                                         # dict: probabilities/prediction, logits, contributions, bias, ...

Needs numpy, onnx and onnxruntime (pip); never a dependency of SANNKit itself.
"""
import csv
import json
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sannkit_model import _level, read_table  # noqa: E402  (the same CSV/ARFF reading as the numpy reader)


class ExportedModel:
    def __init__(self, path, threads=None, check=True):
        import onnx
        import onnxruntime as ort

        if check:
            onnx.checker.check_model(onnx.load(path), full_check=True)
        options = ort.SessionOptions()
        if threads:
            options.intra_op_num_threads = threads
        self.session = ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])
        props = self.session.get_modelmeta().custom_metadata_map
        if "sannkit.onnx" not in props:
            raise ValueError(f"{path} has no 'sannkit.onnx' metadata; export it with `sann export --format onnx`")
        self.meta = json.loads(props["sannkit.onnx"])
        self.columns = self.meta["input"]["columns"]
        self.outputs = [o.name for o in self.session.get_outputs()]

    def encode_rows(self, names, rows):
        """Raw rows (cells as strings; None, "" or "?" = missing) as the model's input: float32 [n, columns]."""
        x = np.full((len(rows), len(self.columns)), np.nan, dtype=np.float32)
        for i, column in enumerate(self.columns):
            if column["name"] not in names:
                raise ValueError(f"the data has no column '{column['name']}', which the model reads (it has {', '.join(names)})")
            j = names.index(column["name"])
            cells = [row[j] for row in rows]
            if column["kind"] == "numeric":
                try:
                    x[:, i] = np.array(cells, dtype=np.float32)        # the common case: every cell a number
                    continue
                except (ValueError, TypeError):
                    pass
                for r, cell in enumerate(cells):
                    cell = None if cell is None else cell.strip()
                    if cell in (None, "", "?"):
                        continue
                    try:
                        x[r, i] = np.float32(float(cell))
                    except ValueError:
                        raise ValueError(f"row {r + 1}, column '{column['name']}': '{cell}' is not a number")
            else:
                codes = {}
                for r, cell in enumerate(cells):
                    if cell not in codes:
                        stripped = None if cell is None else cell.strip()
                        k = None if stripped in (None, "", "?") else _level(stripped, column["levels"])
                        codes[cell] = np.nan if k is None else k
                    x[r, i] = codes[cell]
        return x

    def encode(self, table):
        return self.encode_rows(*table)

    def run(self, x):
        return dict(zip(self.outputs, self.session.run(None, {"features": x})))


def predict_records(model, out):
    meta = model.meta
    records = []
    if meta["task"] == "regression":
        for r, v in enumerate(out["prediction"][:, 0]):
            records.append({"row": r, "prediction": float(v)})
        return records
    classes = meta["classes"]
    for r, p in enumerate(out["probabilities"]):
        record = {"row": r, "prediction": classes[int(np.argmax(p))]}
        record.update({f"p_{name}": float(v) for name, v in zip(classes, p)})
        records.append(record)
    return records


def explain_records(model, out):
    meta = model.meta
    if "contributions" not in out and "group_scores" not in out:
        raise ValueError(f"a {meta['model']} model does not explain itself")
    names = meta["encoded_columns"]
    sources = meta["encoded_sources"]
    columns = [c["name"] for c in model.columns]
    logits = out["logits"]
    records = []
    for r in range(len(logits)):
        c = int(np.argmax(logits[r])) if meta["task"] == "multiclass" else 0
        output = {"multiclass": lambda: meta["classes"][c], "binary": lambda: f"logit({meta['classes'][1]})",
                  "regression": lambda: meta["target"]}[meta["task"]]()
        if "contributions" in out:
            phi = out["contributions"][r, c].astype(np.float64)
            bias = float(out["bias"][r, c])
            record = {"row": r, "explained_output": output, "logit": bias + float(phi.sum()), "bias": bias}
            record.update({name: float(v) for name, v in zip(names, phi)})
            per_column = np.zeros(len(columns))
            np.add.at(per_column, sources, phi)
            record["contributions"] = {name: float(v) for name, v in zip(columns, per_column)}
        else:
            masks, scores = out["group_masks"][r], out["group_scores"][r, c].astype(np.float64)
            groups = []
            for mask, score in zip(masks, scores):
                indices = [int(j) for j in np.flatnonzero(mask > 0.5)]
                seen = []
                for j in indices:
                    if columns[sources[j]] not in seen:
                        seen.append(columns[sources[j]])
                groups.append({"features": seen, "indices": indices, "contribution": float(score)})
            record = {"row": r, "explained_output": output, "logit": float(scores.sum()), "groups": groups}
        records.append(record)
    return records


def score(model, source, target, chunk):
    """Streams `source` (CSV) through the model in chunks of `chunk` rows into `target` (CSV)."""
    meta = model.meta
    header = ["prediction"] if meta["task"] == "regression" else [f"p_{c}" for c in meta["classes"]]
    if "contributions" in model.outputs or "group_scores" in model.outputs:
        header += [f"logit_{i}" for i in range(model.session.get_outputs()[model.outputs.index("logits")].shape[1])]
    key = "prediction" if meta["task"] == "regression" else "probabilities"
    start, total = time.perf_counter(), 0
    temporary = target + ".partial"
    with open(source, newline="", encoding="utf-8") as f, open(temporary, "w", newline="") as g:
        reader = csv.reader(f)
        names = [c.strip() for c in next(reader)]
        writer = csv.writer(g)
        writer.writerow(header)
        while True:
            rows = []
            for row in reader:
                if row:
                    rows.append(row)
                if len(rows) == chunk:
                    break
            if not rows:
                break
            out = model.run(model.encode_rows(names, rows))
            values = out[key]
            if len(header) > values.shape[1]:
                values = np.concatenate([values, out["logits"]], axis=1)
            writer.writerows(values.tolist())
            total += len(rows)
            print(f"\r{total:,} rows, {total / (time.perf_counter() - start):,.0f} rows/s", end="", file=sys.stderr, flush=True)
    os.replace(temporary, target)
    print(file=sys.stderr)
    return total, time.perf_counter() - start


def bench(model, path, chunk=100_000, repeats=5):
    """Seconds (best of `repeats`) for session.run over every row of `path`, encoded beforehand."""
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        names = [c.strip() for c in next(reader)]
        x = model.encode_rows(names, [row for row in reader if row])
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        for i in range(0, len(x), chunk):
            model.run(x[i:i + chunk])
        best = min(best, time.perf_counter() - start)
    return len(x), best


def main(argv):
    usage = __doc__.split("\n\n")[1]
    if len(argv) < 4 or argv[1] not in ("predict", "explain", "score", "bench"):
        sys.exit(usage)
    if argv[1] == "bench" and len(argv) == 4:
        n, seconds = bench(ExportedModel(argv[2], check=False), argv[3])
        print(json.dumps({"rows": n, "seconds": round(seconds, 4), "rows_per_second": round(n / seconds)}))
        return
    if argv[1] == "score":
        args, chunk, threads = argv[2:], 100_000, None
        while len(args) > 3:
            flag, value = args[-2], args[-1]
            if flag == "--chunk":
                chunk = int(value)
            elif flag == "--threads":
                threads = int(value)
            else:
                sys.exit(usage)
            args = args[:-2]
        if len(args) != 3 or chunk < 1:
            sys.exit(usage)
        model = ExportedModel(args[0], threads=threads, check=False)
        n, seconds = score(model, args[1], args[2], chunk)
        print(json.dumps({"rows": n, "seconds": round(seconds, 3), "rows_per_second": round(n / seconds)}))
        return
    if len(argv) != 4:
        sys.exit(usage)
    model = ExportedModel(argv[2])
    out = model.run(model.encode(read_table(argv[3])))
    records = predict_records(model, out) if argv[1] == "predict" else explain_records(model, out)
    json.dump(records, sys.stdout, indent=1)
    print()


if __name__ == "__main__":
    try:
        main(sys.argv)
    except (ValueError, OSError, KeyError) as error:
        sys.exit(f"error: {error}")

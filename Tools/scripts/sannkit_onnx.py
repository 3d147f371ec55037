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
import re
import sys
import tempfile
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sannkit_model import _level, read_table  # noqa: E402  (the same CSV/ARFF reading as the numpy reader)


class ExportedModel:
    def __init__(self, path, threads=None, check=True):
        import onnx
        import onnxruntime as ort

        if not os.path.isfile(path):
            raise ValueError(f"{path}: no such file; pass the file `sann export --format onnx` wrote")
        try:
            if check:
                onnx.checker.check_model(onnx.load(path), full_check=True)
            options = ort.SessionOptions()
            if threads:
                options.intra_op_num_threads = threads
            self.session = ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])
        except Exception as error:  # onnx's DecodeError and ValidationError, ONNX Runtime's errors
            raise ValueError(f"{path} is not a valid ONNX model ({type(error).__name__}: {str(error).strip()[:300]}); export one with `sann export --format onnx`")
        props = self.session.get_modelmeta().custom_metadata_map
        if "sannkit.onnx" not in props:
            raise ValueError(f"{path} has no 'sannkit.onnx' metadata; export it with `sann export --format onnx`")
        self.meta = json.loads(props["sannkit.onnx"])
        self.columns = self.meta["input"]["columns"]
        self.outputs = [o.name for o in self.session.get_outputs()]

    def encode_rows(self, names, rows, first_row=0):
        """Raw rows (cells as strings; None, "" or "?" = missing) as the model's input: float32
        [n, columns]. Cells are read as `sann predict` reads them: decimal numbers only (no nan,
        inf, hexadecimal or 1_000), finite in float32 and once standardised; categorical cells
        matched to the levels as written, then trimmed, then as numbers ("7" = "7.0").
        `first_row` numbers the rows in error messages (data rows, from 1)."""
        if len(set(names)) != len(names):
            duplicate = next(name for name in names if names.count(name) > 1)
            raise ValueError(f"the header names column '{duplicate}' twice")
        for r, row in enumerate(rows):
            if len(row) != len(names):
                raise ValueError(f"data row {first_row + r + 1} has {len(row)} fields; the header has {len(names)}")
        x = np.full((len(rows), len(self.columns)), np.nan, dtype=np.float32)
        for i, column in enumerate(self.columns):
            name = column["name"]
            if name not in names:
                raise ValueError(f"the data has no column '{name}', which the model reads (it has {', '.join(names)})")
            j = names.index(name)
            cells = [row[j] for row in rows]
            if column["kind"] == "numeric":
                x[:, i] = _numeric(cells, name, first_row)
                with np.errstate(over="ignore", invalid="ignore"):
                    z = (x[:, i] - np.float32(column["mean"])) / np.float32(column["scale"])
                bad = np.flatnonzero(np.isinf(z))
                if len(bad):
                    raise ValueError(f"data row {first_row + bad[0] + 1}, column '{name}': {x[bad[0], i]} overflows float32 once standardised (mean {column['mean']}, scale {column['scale']})")
            else:
                codes = {}
                for r, cell in enumerate(cells):
                    if cell not in codes:
                        k = None
                        if cell is not None:
                            k = _level(cell, column["levels"])
                            stripped = cell.strip()
                            if k is None and stripped not in ("", "?"):
                                k = _level(stripped, column["levels"])
                        codes[cell] = np.nan if k is None else k
                    x[r, i] = codes[cell]
        return x

    def encode(self, table):
        return self.encode_rows(*table)

    def run(self, x, first_row=0):
        """Every output for encoded rows x; ValueError when one is NaN or infinite."""
        out = dict(zip(self.outputs, self.session.run(None, {"features": x})))
        _check_finite(out, first_row)
        return out


_DECIMAL = re.compile(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?")
_NUMBER_CHARACTERS = re.compile(r"[0-9eE+\-. \t?,]*")


def _numeric(cells, name, first_row):
    """A numeric column's cells as float32, NaN where missing; ValueError for anything sann rejects."""
    with np.errstate(over="ignore", invalid="ignore"):   # overflow is reported below, as an error
        return _numeric_checked(cells, name, first_row)


def _numeric_checked(cells, name, first_row):
    try:
        # The common case, every cell a plain number: numpy parses them all at once; the
        # character check (one regular expression over the column) rules out nan, inf, 1_000.
        values = np.array(cells, dtype=np.float32)
        if _NUMBER_CHARACTERS.fullmatch(",".join(cells)) and np.isfinite(values).all():
            return values
    except (ValueError, TypeError):   # a missing or non-numeric cell: checked one by one below
        pass
    values = np.full(len(cells), np.nan, dtype=np.float32)
    for r, cell in enumerate(cells):
        text = None if cell is None else cell.strip()
        if text in (None, "", "?"):
            continue
        where = f"data row {first_row + r + 1}, column '{name}'"
        if not _DECIMAL.fullmatch(text):
            try:
                float(text)
            except ValueError:
                raise ValueError(f"{where}: '{text}' is not a number")
            raise ValueError(f"{where}: '{text}' is not a finite decimal number (nan, inf, hexadecimal and 1_000 are not data)")
        value = np.float32(float(text))
        if not np.isfinite(value):
            raise ValueError(f"{where}: '{text}' is not a finite 32-bit number (up to ±3.4e38)")
        values[r] = value
    return values


def _check_finite(out, first_row=0):
    """Like `sann predict`: an output that overflowed (NaN or infinite) is an error, not a number."""
    for name, values in out.items():
        if values.dtype.kind == "f":
            bad = np.flatnonzero(~np.isfinite(values.reshape(len(values), -1)).all(axis=1))
            if len(bad):
                raise ValueError(f"the model's output '{name}' for data row {first_row + bad[0] + 1} is not finite; its inputs are far outside the range it was trained on — check the data's units")


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


def _header(reader, path):
    try:
        names = [c.strip() for c in next(reader)]
    except StopIteration:
        raise ValueError(f"{path} is empty; it needs a header row and data rows")
    return names


def score(model, source, target, chunk):
    """Streams `source` (CSV) through the model in chunks of `chunk` rows into `target` (CSV),
    written atomically: a temporary file beside it, renamed when every row is scored."""
    if os.path.isdir(target):
        raise ValueError(f"{target} is a directory; give a file path for the scores")
    meta = model.meta
    header = ["prediction"] if meta["task"] == "regression" else [f"p_{c}" for c in meta["classes"]]
    if "contributions" in model.outputs or "group_scores" in model.outputs:
        header += [f"logit_{i}" for i in range(model.session.get_outputs()[model.outputs.index("logits")].shape[1])]
    key = "prediction" if meta["task"] == "regression" else "probabilities"
    start, total = time.perf_counter(), 0
    directory = os.path.dirname(os.path.abspath(target))
    descriptor, temporary = tempfile.mkstemp(dir=directory, prefix=f".{os.path.basename(target)}.", suffix=".partial")
    try:
        with open(source, newline="", encoding="utf-8-sig") as f, os.fdopen(descriptor, "w", newline="") as g:
            reader = csv.reader(f)
            names = _header(reader, source)
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
                out = model.run(model.encode_rows(names, rows, first_row=total), first_row=total)
                values = out[key]
                if len(header) > values.shape[1]:
                    values = np.concatenate([values, out["logits"]], axis=1)
                writer.writerows(values.tolist())
                total += len(rows)
                print(f"\r{total:,} rows, {total / (time.perf_counter() - start):,.0f} rows/s", end="", file=sys.stderr, flush=True)
        if total == 0:
            raise ValueError(f"{source} has a header but no data rows")
        os.chmod(temporary, 0o666 & ~_umask())
        os.replace(temporary, target)
    except BaseException:
        if os.path.exists(temporary):
            os.remove(temporary)
        if total:
            print(file=sys.stderr)   # end the progress line before the error
        raise
    print(file=sys.stderr)
    return total, time.perf_counter() - start


def _umask():
    mask = os.umask(0)
    os.umask(mask)
    return mask


def bench(model, path, chunk=100_000, repeats=5):
    """Seconds (best of `repeats`) for session.run over every row of `path`, encoded beforehand."""
    with open(path, newline="", encoding="utf-8-sig") as f:
        reader = csv.reader(f)
        names = _header(reader, path)
        x = model.encode_rows(names, [row for row in reader if row])
    if len(x) == 0:
        raise ValueError(f"{path} has a header but no data rows")
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
    table = read_table(argv[3])
    if not table[1]:
        raise ValueError(f"{argv[3]} has no data rows")
    out = model.run(model.encode(table))
    records = predict_records(model, out) if argv[1] == "predict" else explain_records(model, out)
    json.dump(records, sys.stdout, indent=1)
    print()


if __name__ == "__main__":
    try:
        main(sys.argv)
    except (ValueError, OSError, KeyError, csv.Error, UnicodeDecodeError) as error:
        sys.exit(f"error: {error}")

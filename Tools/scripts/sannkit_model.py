#!/usr/bin/env python3
"""Read a SANNKit model file with numpy alone, written from Docs/model-file.md (format 3).

    python3 Tools/scripts/sannkit_model.py predict RUN_DIR DATA.csv     # what `sann predict --format json` prints
    python3 Tools/scripts/sannkit_model.py explain RUN_DIR DATA.arff    # what `sann explain --format json` prints

or from Python:

    model = SANNKitModel("inn/1510-wdbc/0/model.safetensors")
    x = model.encode(read_table("Datasets/1510-wdbc.csv"))
    p = model.predict(x)                  # class probabilities (or regression predictions)
    bias, phi = model.explain(x)          # [n, C], [n, C, F]: bias + phi.sum(-1) == model.logits(x)

Implements INN, TabResNet, logistic regression and NAM (not Sum-of-Parts). Only numpy and the
standard library are used.
"""
import csv
import io
import json
import math
import os
import struct
import sys

import numpy as np

FORMAT = 3
DTYPES = {"F32": "<f4", "F64": "<f8", "F16": "<f2", "I64": "<i8", "I32": "<i4", "I16": "<i2", "I8": "i1", "U8": "u1", "BOOL": "?"}


def read_safetensors(path):
    """(tensors by name as numpy arrays, metadata dict of strings)."""
    with open(path, "rb") as f:
        data = f.read()
    try:
        (n,) = struct.unpack("<Q", data[:8])
        if n > len(data) - 8:
            raise ValueError("header longer than the file")
        header = json.loads(data[8:8 + n])
    except (struct.error, ValueError, UnicodeDecodeError) as error:
        raise ValueError(f"{path} is not a safetensors file ({error}); pass a run directory of `sann train` or its model.safetensors")
    metadata = header.pop("__metadata__", {})
    base = 8 + n
    tensors = {}
    for name, info in header.items():
        begin, end = info["data_offsets"]
        array = np.frombuffer(data[base + begin:base + end], dtype=DTYPES[info["dtype"]])
        tensors[name] = array.reshape(info["shape"])
    return tensors, metadata


def read_table(path):
    """(column names, rows of cells: stripped strings, None when missing) of a CSV or ARFF file."""
    with open(path, encoding="utf-8-sig") as f:
        text = f.read()
    if path.lower().endswith(".arff"):
        return _read_arff(text)
    rows = list(csv.reader(io.StringIO(text)))
    if not rows:
        raise ValueError(f"{path} is empty; it needs a header row and data rows")
    names = [c.strip() for c in rows[0]]
    cells = [[None if c.strip() in ("", "?") else c.strip() for c in row] for row in rows[1:] if row]
    return names, cells


def _split_arff(line):
    """Comma-separated values with ' or " quotes: (text, quoted) pairs."""
    values, i = [], 0
    while i <= len(line):
        while i < len(line) and line[i] in " \t":
            i += 1
        if i < len(line) and line[i] in "'\"":
            quote, j, text = line[i], i + 1, ""
            while j < len(line) and line[j] != quote:
                if line[j] == "\\" and j + 1 < len(line):
                    j += 1
                text += line[j]
                j += 1
            values.append((text, True))
            i = line.find(",", j + 1)
        else:
            j = line.find(",", i)
            values.append(((line[i:] if j < 0 else line[i:j]).strip(), False))
            i = j
        if i < 0:
            break
        i += 1
    return values


def _read_arff(text):
    names, cells, in_data = [], [], False
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("%"):
            continue
        if not in_data:
            lower = line.lower()
            if lower.startswith("@attribute"):
                rest = line[len("@attribute"):].strip()
                if rest[0] in "'\"":
                    names.append(rest[1:rest.index(rest[0], 1)])
                else:
                    names.append(rest.split()[0])
            elif lower.startswith("@data"):
                in_data = True
            continue
        cells.append([None if (t == "?" and not q) else t for t, q in _split_arff(line)])
    return names, cells


def _erf(x):
    return np.frompyfunc(math.erf, 1, 1)(x).astype(np.float64)


def gelu(x):
    return 0.5 * x * (1.0 + _erf(x / math.sqrt(2.0)))


class SANNKitModel:
    def __init__(self, path):
        if os.path.isdir(path):
            path = os.path.join(path, "model.safetensors")
        tensors, metadata = read_safetensors(path)
        if "sannkit.model" not in metadata:
            raise ValueError(f"{path}: no 'sannkit.model' metadata; not a SANNKit model")
        card = json.loads(metadata["sannkit.model"])
        if card.get("format") != FORMAT:
            raise ValueError(f"{path}: model file format {card.get('format')}; this reader implements format {FORMAT} — retrain with `sann train`")
        if card["model"] not in ("inn", "tabresnet", "logistic", "nam"):
            raise ValueError(f"{path}: architecture '{card['model']}' is not implemented by this reader")
        self.card = card
        self.snapshots = [
            {name[len(f"snapshots.{k}."):]: np.asarray(v, dtype=np.float64) for name, v in tensors.items() if name.startswith(f"snapshots.{k}.")}
            for k in range(card["snapshots"])
        ]

    # -- rows ------------------------------------------------------------------------------
    def encode(self, table):
        """The encoded rows [n, F] (float32) of a table from read_table."""
        names, rows = table
        out = np.zeros((len(rows), self.card["encoded_features"]), dtype=np.float32)
        offset = 0
        for column in self.card["columns"]:
            if column["name"] not in names:
                raise ValueError(f"the data has no column '{column['name']}', which the model reads (it has {', '.join(names)})")
            j = names.index(column["name"])
            if column["kind"] == "numeric":
                mean, scale = np.float32(column["mean"]), np.float32(column["scale"])
                for r, row in enumerate(rows):
                    if row[j] is not None:
                        out[r, offset] = (np.float32(float(row[j])) - mean) / scale
                offset += 1
            else:
                levels = column["levels"]
                binary = len(levels) == 2
                for r, row in enumerate(rows):
                    k = _level(row[j], levels)
                    if k is None:
                        continue
                    if binary:
                        out[r, offset] = 1.0 if k == 1 else 0.0
                    else:
                        out[r, offset + k] = 1.0
                offset += 1 if binary else len(levels)
        return out

    # -- networks --------------------------------------------------------------------------
    @staticmethod
    def _linear(s, name, v):
        return v @ s[name + ".weight"].T + s[name + ".bias"]

    @staticmethod
    def _bn(s, name, v):
        return (v - s[name + ".running_mean"]) / np.sqrt(s[name + ".running_var"] + np.float32(1e-5)) * s[name + ".weight"] + s[name + ".bias"]

    def _trunk(self, s, x):
        h = gelu(self._bn(s, "backbone.input_norm", self._linear(s, "backbone.input", x)))
        for b in range(self.card["configuration"]["nr_blocks"]):
            p = f"backbone.blocks.{b}."
            u = gelu(self._bn(s, p + "bn1", self._linear(s, p + "linear1", h)))
            h = gelu(h + self._bn(s, p + "bn2", self._linear(s, p + "linear2", u)))
        return h

    def _snapshot(self, s, x):
        """(logits [n, C], bias [n, C] or None, contributions [n, C, F] or None) of one snapshot."""
        kind, c, f = self.card["model"], self.card["outputs"], self.card["encoded_features"]
        if kind == "tabresnet":
            return self._linear(s, "head", self._trunk(s, x)), None, None
        if kind == "inn":
            w = self._linear(s, "head", self._trunk(s, x)).reshape(len(x), f + 1, c)
            phi = np.transpose(w[:, :f, :] * x[:, :, None], (0, 2, 1))
            bias = w[:, f, :]
            return bias + phi.sum(axis=2), bias, phi
        if kind == "logistic":
            phi = x[:, None, :] * s["linear.weight"][None, :, :]
            bias = np.broadcast_to(s["linear.bias"], (len(x), c))
            return bias + phi.sum(axis=2), bias, phi
        # nam
        members = sorted({int(k.split(".")[1]) for k in s if k.startswith("members.")})
        first_layer = self.card["configuration"].get("first_layer", "exu")
        phi = np.zeros((len(x), c, f))
        bias = np.zeros(c)
        for m in members:
            p = f"members.{m}.networks."
            hidden = sorted({int(k.split(".")[4]) for k in s if k.startswith(p + "hidden.")})
            for j in range(f):
                col = x[:, j:j + 1]
                if first_layer == "exu":
                    g = np.clip((col - s[p + "first.bias"][j]) * np.exp(s[p + "first.weight"][j]), 0, 1)
                else:
                    g = np.maximum(col * s[p + "first.weight"][j] + s[p + "first.bias"][j], 0)
                for i in hidden:
                    g = np.maximum(g @ s[f"{p}hidden.{i}.weight"][j] + s[f"{p}hidden.{i}.bias"][j], 0)
                phi[:, :, j] += g @ s[p + "output"][j]
            bias += s[f"members.{m}.intercept"]
        phi /= len(members)
        bias = np.broadcast_to(bias / len(members), (len(x), c))
        return bias + phi.sum(axis=2), bias, phi

    # -- the ensemble ----------------------------------------------------------------------
    def _combine(self, z):
        """(t [n, C], weights [K, n, C]) from the snapshots' logits z [K, n, C]: the mean logit,
        or for binary models the logit of the mean probability with the secant weights."""
        k = len(z)
        if self.card["task"] != "binary" or k == 1:
            return z.mean(axis=0), np.full(z.shape, 1.0 / k)
        log_sig = lambda v: -np.logaddexp(0, -v)                      # log σ(v)
        def lse(v):
            m = v.max(axis=0)
            return m + np.log(np.exp(v - m).sum(axis=0))
        t = lse(log_sig(z)) - lse(log_sig(-z))
        sig = lambda v: np.exp(log_sig(v))
        gap = z - t
        near = np.abs(gap) <= 1e-7 * (1 + np.abs(t))
        rise = np.where(z + t > 0, sig(-t) - sig(-z), sig(z) - sig(t))
        slopes = np.where(near, sig(t) * sig(-t), rise / np.where(near, 1, gap))
        total = slopes.sum(axis=0)
        ok = (total > 0) & np.isfinite(total)
        weights = np.where(ok, slopes / np.where(ok, total, 1), 1.0 / k)
        return t, weights

    def logits(self, x):
        """The ensemble's logits t [n, C]."""
        x = np.asarray(x, dtype=np.float64)
        return self._combine(np.array([self._snapshot(s, x)[0] for s in self.snapshots]))[0]

    def predict(self, x):
        """Class probabilities [n, classes] (binary: two columns), or regression predictions [n, 1]."""
        z = self.logits(x)
        task = self.card["task"]
        if task == "binary":
            p = 0.5 * (1 + np.tanh(z / 2))                               # σ(z), no overflow
            return np.concatenate([1 - p, p], axis=1)
        if task == "multiclass":
            e = np.exp(z - z.max(axis=1, keepdims=True))
            return e / e.sum(axis=1, keepdims=True)
        return z * self.card["target_scale"] + self.card["target_mean"]

    def explain(self, x):
        """The model's own explanation of t: bias [n, C] and contributions [n, C, F], the
        snapshots' combined with each row's weights, so bias + contributions.sum(-1) == t."""
        x = np.asarray(x, dtype=np.float64)
        parts = [self._snapshot(s, x) for s in self.snapshots]
        if parts[0][1] is None:
            raise ValueError(f"a {self.card['model']} model does not explain itself")
        bias = np.array([p[1] for p in parts])
        phi = np.array([p[2] for p in parts])
        _, a = self._combine(bias + phi.sum(axis=3))
        return (a * bias).sum(axis=0), (a[..., None] * phi).sum(axis=0)


def _level(cell, levels):
    if cell is None:
        return None
    if cell in levels:
        return levels.index(cell)
    try:
        value = float(cell)
    except ValueError:
        return None
    for k, level in enumerate(levels):
        try:
            if float(level) == value:
                return k
        except ValueError:
            pass
    return None


def main(argv):
    if len(argv) != 4 or argv[1] not in ("predict", "explain"):
        sys.exit(__doc__.split("\n\n")[1])
    model = SANNKitModel(argv[2])
    x = model.encode(read_table(argv[3]))
    card = model.card
    records = []
    if argv[1] == "predict":
        p = model.predict(x)
        for r in range(len(x)):
            if card["task"] == "regression":
                records.append({"row": r, "prediction": float(p[r, 0])})
            else:
                record = {"row": r, "prediction": card["classes"][int(np.argmax(p[r]))]}
                record.update({f"p_{name}": float(v) for name, v in zip(card["classes"], p[r])})
                records.append(record)
    else:
        bias, phi = model.explain(x)
        names = [c["name"] for c in card["encoded_columns"]]
        for r in range(len(x)):
            totals = bias[r] + phi[r].sum(axis=1)
            c = int(np.argmax(totals)) if card["task"] == "multiclass" else 0
            output = {"multiclass": lambda: card["classes"][c], "binary": lambda: f"logit({card['classes'][1]})",
                      "regression": lambda: card["target"]}[card["task"]]()
            record = {"row": r, "explained_output": output, "logit": float(totals[c]), "bias": float(bias[r, c])}
            record.update({name: float(v) for name, v in zip(names, phi[r, c])})
            records.append(record)
    json.dump(records, sys.stdout, indent=1)
    print()


if __name__ == "__main__":
    try:
        main(sys.argv)
    except (ValueError, OSError, KeyError) as error:
        sys.exit(f"error: {error}")

#!/usr/bin/env python3
"""Writes Tests/TensorTests/Fixtures/python-written.safetensors with the reference
implementation (`safetensors.numpy.save_file`), so the Swift reader is tested against bytes it
did not produce itself. SafeTensorsTests.swift expects exactly these tensors and metadata:
change both together.

    pip install safetensors numpy
    python3 Tools/scripts/make_safetensors_fixture.py
"""
from pathlib import Path

import numpy as np
from safetensors.numpy import save_file

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "Tests" / "TensorTests" / "Fixtures" / "python-written.safetensors"


def main() -> None:
    tensors = {
        # [2, 3] F32, values chosen to exercise sign, fractions and a non-dyadic value.
        "linear.weight": np.array([[1.5, -2.25, 3.0], [0.125, -0.5, 0.001]], dtype=np.float32),
        "linear.bias": np.array([0.25, -1.0, 7.0], dtype=np.float32),
        # rank 0
        "scale": np.array(42.5, dtype=np.float32),
        # [2, 2, 2] = 0, 1, ..., 7 row-major
        "cube": np.arange(8, dtype=np.float32).reshape(2, 2, 2),
        # an empty tensor: zero bytes of data
        "empty": np.zeros((0, 4), dtype=np.float32),
        # I64, as PyTorch's num_batches_tracked buffers are stored
        "counts": np.array([7, -2, 1000000], dtype=np.int64),
    }
    metadata = {"format": "pt", "source": "make_safetensors_fixture.py"}
    OUT.parent.mkdir(parents=True, exist_ok=True)
    save_file(tensors, str(OUT), metadata=metadata)
    print(f"wrote {OUT} ({OUT.stat().st_size} bytes)")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Times the `shap` package's KernelExplainer on an INN-sized NumPy model, for comparison with
`swift run -c release --package-path Tools/Benchmarks attribution-bench`.

The model has the architecture SANNKit's INN has (20 features; Linear 20->128, batch norm in
evaluation mode, GELU; two residual blocks GELU(h + BN(W2 GELU(BN(W1 h)))); a head 128 -> 21
that writes a per-row linear model, logit = [x, 1] . W(x)), in float32 with random weights, so
the arithmetic per model row is the same as in the Swift benchmark. PyTorch is not needed.

    python3 -m venv /tmp/shapenv && /tmp/shapenv/bin/pip install shap==0.51
    /tmp/shapenv/bin/python Tools/scripts/shap-kernel-bench.py [--rows 3] [--l1-reg default]

Budget: shap's default nsamples="auto" (2d + 2048 = 2088); background: 100 rows. With
--l1-reg default, shap's own default l1_reg="num_features(10)" is used; otherwise l1_reg=False
(a plain weighted least-squares fit, as SANNKit's Kernel SHAP does).
"""
import argparse
import time

import numpy as np
import shap
from scipy.special import erf

D, WIDTH = 20, 128


def gelu(h):
    return (0.5 * h * (1.0 + erf(h / np.float32(np.sqrt(2.0))))).astype(np.float32)


class NumpyINN:
    def __init__(self, rng):
        def linear(n_in, n_out):
            bound = 1.0 / np.sqrt(n_in)
            return (rng.uniform(-bound, bound, (n_in, n_out)).astype(np.float32),
                    rng.uniform(-bound, bound, n_out).astype(np.float32))

        def norm():
            # Batch norm in evaluation mode is an affine map per unit.
            return (rng.uniform(0.5, 1.5, WIDTH).astype(np.float32), rng.uniform(-0.1, 0.1, WIDTH).astype(np.float32))

        self.input, self.input_norm = linear(D, WIDTH), norm()
        self.blocks = [(linear(WIDTH, WIDTH), norm(), linear(WIDTH, WIDTH), norm()) for _ in range(2)]
        self.head = linear(WIDTH, D + 1)

    def __call__(self, x):
        x = np.asarray(x, dtype=np.float32)
        (w, b), (s, t) = self.input, self.input_norm
        h = gelu((x @ w + b) * s + t)
        for (w1, b1), (s1, t1), (w2, b2), (s2, t2) in self.blocks:
            u = gelu((h @ w1 + b1) * s1 + t1)
            h = gelu(h + (u @ w2 + b2) * s2 + t2)
        w, b = self.head
        weights = h @ w + b  # [n, D + 1]: the per-row linear model
        return np.sum(weights[:, :D] * x, axis=1) + weights[:, D]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=3)
    parser.add_argument("--l1-reg", default="false", choices=["false", "default"])
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    model = NumpyINN(rng)
    x = rng.standard_normal((10_000, D)).astype(np.float32)
    background = rng.standard_normal((100, D)).astype(np.float32)

    start = time.perf_counter()
    model(x)
    forward = time.perf_counter() - start
    print(f"numpy forward pass, 10,000 rows: {forward * 1e3:.1f} ms ({forward / 10_000 * 1e6:.2f} us/row)")

    explainer = shap.KernelExplainer(model, background)
    kwargs = {"silent": True}
    if args.l1_reg == "false":
        kwargs["l1_reg"] = False
    explainer.shap_values(x[:1], **kwargs)  # warm-up
    start = time.perf_counter()
    phi = explainer.shap_values(x[: args.rows], **kwargs)
    seconds = time.perf_counter() - start
    print(f"shap {shap.__version__} KernelExplainer (nsamples auto = {2 * D + 2048}, 100 background rows, "
          f"l1_reg={'num_features(10)' if args.l1_reg == 'default' else 'False'}): "
          f"{args.rows} rows in {seconds:.2f} s = {seconds / args.rows * 1e3:.1f} ms/row")
    gap = phi[0].sum() + explainer.expected_value - model(x[:1])[0]
    print(f"check: row 0 sum(phi) + E f - f(x) = {gap:.2e}")


if __name__ == "__main__":
    main()

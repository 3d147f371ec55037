#!/usr/bin/env python3
"""Times the `shap` package's KernelExplainer on PyTorch models (CPU), for comparison with
`swift run -c release --package-path Tools/Benchmarks attribution-bench`, which times SANNKit's
Kernel SHAP on the same three architectures:

  mlp1  20 -> 128 -> 1, ReLU                         (Linear, ReLU, Linear)
  mlp2  20 -> 128 -> 128 -> 1, ReLU
  inn   SANNKit's INN: Linear 20->128, BatchNorm (evaluation mode), GELU; two residual blocks
        GELU(h + BN(W2 GELU(BN(W1 h)))); a head 128 -> 21 that writes a per-row linear model,
        logit = [x, 1] . W(x)

All in float32 with PyTorch's default initialisation (random weights; the cost per model row
does not depend on them). Budget: shap's default nsamples="auto" (2d + 2048 = 2088
coalitions); background: 100 rows, so shap evaluates 208,800 model rows per explained row.

    python3 -m venv /tmp/shapenv && /tmp/shapenv/bin/pip install shap==0.51 torch
    /tmp/shapenv/bin/python Tools/scripts/shap-kernel-bench.py [--rows 3] [--models mlp1,mlp2,inn]
        [--l1-reg false,default] [--threads N]

--l1-reg default uses shap's own default l1_reg="num_features(10)" (with 20 varying features it
runs a LARS feature selection first); false is a plain weighted least-squares fit, as SANNKit's
Kernel SHAP does. Each (model, l1_reg) pair explains one warm-up row, then `--rows` rows, and
prints ms per explained row. Torch runs on `--threads` threads (default: torch's own choice).
"""
import argparse
import time

import numpy as np
import shap
import torch
from torch import nn

D, WIDTH = 20, 128


class INN(nn.Module):
    """The INN hypernetwork in evaluation mode (the reference's TabResNet trunk + per-row linear head)."""

    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.linear1, self.bn1 = nn.Linear(WIDTH, WIDTH), nn.BatchNorm1d(WIDTH)
            self.linear2, self.bn2 = nn.Linear(WIDTH, WIDTH), nn.BatchNorm1d(WIDTH)

        def forward(self, h):
            u = nn.functional.gelu(self.bn1(self.linear1(h)))
            return nn.functional.gelu(h + self.bn2(self.linear2(u)))

    def __init__(self):
        super().__init__()
        self.input, self.bn = nn.Linear(D, WIDTH), nn.BatchNorm1d(WIDTH)
        self.blocks = nn.Sequential(INN.Block(), INN.Block())
        self.head = nn.Linear(WIDTH, D + 1)

    def forward(self, x):
        h = self.blocks(nn.functional.gelu(self.bn(self.input(x))))
        w = self.head(h)  # [n, D + 1]: the per-row linear model
        return (w[:, :D] * x).sum(dim=1) + w[:, D]


def make_model(name):
    if name == "mlp1":
        model = nn.Sequential(nn.Linear(D, WIDTH), nn.ReLU(), nn.Linear(WIDTH, 1))
    elif name == "mlp2":
        model = nn.Sequential(nn.Linear(D, WIDTH), nn.ReLU(), nn.Linear(WIDTH, WIDTH), nn.ReLU(), nn.Linear(WIDTH, 1))
    else:
        model = INN()
        for module in model.modules():  # non-trivial running statistics, as after training
            if isinstance(module, nn.BatchNorm1d):
                module.running_mean.uniform_(-0.1, 0.1)
                module.running_var.uniform_(0.5, 1.5)
    return model.eval()


def as_function(model):
    """The numpy-in, numpy-out function shap calls: one forward over all rows it passes."""

    def f(x):
        with torch.inference_mode():
            y = model(torch.from_numpy(np.ascontiguousarray(x, dtype=np.float32)))
        return y.reshape(-1).numpy().astype(np.float64)

    return f


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=3)
    parser.add_argument("--models", default="mlp1,mlp2,inn")
    parser.add_argument("--l1-reg", default="false,default")
    parser.add_argument("--threads", type=int, default=0)
    args = parser.parse_args()
    torch.manual_seed(0)
    if args.threads > 0:
        torch.set_num_threads(args.threads)
    rng = np.random.default_rng(0)
    x = rng.standard_normal((10_000, D)).astype(np.float32)
    background = rng.standard_normal((100, D)).astype(np.float32)
    print(f"shap {shap.__version__}, torch {torch.__version__} (CPU, {torch.get_num_threads()} threads), numpy {np.__version__}")
    print(f"nsamples auto = {2 * D + 2048}, 100 background rows: {(2 * D + 2048) * 100} model rows per explained row")

    for name in args.models.split(","):
        model = make_model(name)
        f = as_function(model)
        f(x[:10])
        start = time.perf_counter()
        f(np.repeat(x[:1], 208_800, axis=0))
        forward = time.perf_counter() - start
        print(f"{name}: one forward over 208,800 rows: {forward * 1e3:.1f} ms ({forward / 208_800 * 1e6:.2f} us/row)")
        for l1 in args.l1_reg.split(","):
            explainer = shap.KernelExplainer(f, background)
            kwargs = {"silent": True}
            if l1 == "false":
                kwargs["l1_reg"] = False
            explainer.shap_values(x[:1], **kwargs)  # warm-up
            start = time.perf_counter()
            phi = explainer.shap_values(x[: args.rows], **kwargs)
            seconds = time.perf_counter() - start
            label = "num_features(10)" if l1 == "default" else "False"
            gap = float(np.asarray(phi)[0].sum() + explainer.expected_value - f(x[:1])[0])
            print(f"{name}: shap KernelExplainer, l1_reg={label}: {args.rows} rows in {seconds:.2f} s = "
                  f"{seconds / args.rows * 1e3:.1f} ms/row (check: row 0 sum(phi) + E f - f(x) = {gap:.1e})")


if __name__ == "__main__":
    main()

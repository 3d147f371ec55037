#!/usr/bin/env python3
"""Seconds per training epoch of a Neural Additive Model built the way the PyTorch ports build it
(one small network per feature in an nn.ModuleList, the forward pass a Python loop over the
features), for `model-bench`'s comparison with SANNKit's batched feature networks. Same task
and sizes: 30 features, 800 training rows, batch 64, first layer ReLU 64 units, hidden 32,
output 1, Adam, BCE with logits, one thread.

    python3 Tools/scripts/nam-torch-bench.py [--epochs 20] [--threads 1]
"""
import argparse, time
import torch

parser = argparse.ArgumentParser()
parser.add_argument("--epochs", type=int, default=20)
parser.add_argument("--threads", type=int, default=1)
args = parser.parse_args()
torch.set_num_threads(args.threads)
torch.manual_seed(0)
d, n = 30, 800
x = torch.randn(n, d)
y = ((x[:, :5].sum(1) + 0.5 * torch.randn(n)) > 0).float()


class FeatureNet(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.layers = torch.nn.Sequential(torch.nn.Linear(1, 64), torch.nn.ReLU(), torch.nn.Linear(64, 32), torch.nn.ReLU(),
                                          torch.nn.Linear(32, 1, bias=False))

    def forward(self, column):
        return self.layers(column.unsqueeze(1))


class LoopNAM(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.features = torch.nn.ModuleList([FeatureNet() for _ in range(d)])
        self.bias = torch.nn.Parameter(torch.zeros(1))

    def forward(self, x):
        return torch.cat([net(x[:, i]) for i, net in enumerate(self.features)], dim=1).sum(1) + self.bias


model = LoopNAM()
optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
loss_fn = torch.nn.BCEWithLogitsLoss()


def epoch():
    model.train()
    order = torch.randperm(n)
    for start in range(0, n, 64):
        rows = order[start:start + 64]
        optimizer.zero_grad()
        loss_fn(model(x[rows]), y[rows]).backward()
        optimizer.step()
    model.eval()
    with torch.no_grad():
        loss_fn(model(x[:80]), y[:80])


epoch()
start = time.perf_counter()
for _ in range(args.epochs):
    epoch()
print(f"PyTorch {torch.__version__}, one network per feature in a Python loop: {(time.perf_counter() - start) / args.epochs:.4f} s/epoch")

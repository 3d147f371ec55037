#!/usr/bin/env python3
"""Reference coefficients for SANNKit's logistic regression tests (Tests/ModelsTests/
LogisticRegressionTests.swift), from scikit-learn.

Every bundled dataset below is used whole: features standardised with the population standard
deviation (as SANNKit's preprocessing does), the classes coded 0..C-1 in sorted order; then
scikit-learn fits with a tolerance far tighter than its default, so its coefficients are the
optimum to about 1e-7. Prints Swift literals. Run from the repository root:

    python3 Tools/scripts/logistic-reference.py
"""
import csv
import numpy as np
from sklearn.linear_model import LogisticRegression, Ridge, Lasso


def load(path, target):
    with open(path) as f:
        rows = list(csv.DictReader(f))
    names = [k for k in rows[0] if k != target]
    x = np.array([[float(r[k]) for k in names] for r in rows])
    x = (x - x.mean(axis=0)) / x.std(axis=0)
    y = [r[target] for r in rows]
    return x, y


def literal(a):
    return "[" + ", ".join(repr(float(v)) for v in np.ravel(a)) + "]"


cases = []
x, y = load("Datasets/1510-wdbc.csv", "target")
codes = np.array([sorted(set(y)).index(v) for v in y])
# scikit-learn 1.8+ spells the penalty with l1_ratio alone: 0 is l2, 1 is l1, between is the elastic net.
for name, kw in [("wdbc-l2-C1", dict(C=1.0, l1_ratio=0.0, solver="lbfgs")),
                 ("wdbc-l1-C0.1", dict(C=0.1, l1_ratio=1.0, solver="saga")),
                 ("wdbc-elasticnet-C0.5", dict(C=0.5, l1_ratio=0.3, solver="saga"))]:
    m = LogisticRegression(tol=1e-12, max_iter=1_000_000, **kw).fit(x, codes)
    cases.append((name, m.coef_, m.intercept_))
x, y = load("Datasets/61-iris.csv", "target")
codes = np.array([sorted(set(y)).index(v) for v in y])
for name, kw in [("iris-l2-C1", dict(C=1.0, l1_ratio=0.0, solver="lbfgs")),
                 ("iris-l1-C0.5", dict(C=0.5, l1_ratio=1.0, solver="saga"))]:
    m = LogisticRegression(tol=1e-12, max_iter=1_000_000, **kw).fit(x, codes)
    cases.append((name, m.coef_, m.intercept_))
x, y = load("Datasets/diabetes-regression.csv", "target")
t = np.array([float(v) for v in y])
t = (t - t.mean()) / t.std()
n = len(t)
m = Ridge(alpha=1 / 2.0, tol=1e-12).fit(x, t)  # C = 2
cases.append(("diabetes-l2-C2", m.coef_, [m.intercept_]))
m = Lasso(alpha=1 / (0.05 * n), tol=1e-14, max_iter=1_000_000).fit(x, t)  # C = 0.05
cases.append(("diabetes-l1-C0.05", m.coef_, [m.intercept_]))
for name, coef, intercept in cases:
    print(f'    "{name}": ({literal(coef)},\n      {literal(intercept)}),')

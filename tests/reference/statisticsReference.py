"""Reference values for src-shared/studies/statistics.ts, computed independently with SciPy.

Regenerate (Debian's python3-scipy 1.10; the pyenv python on PATH has no SciPy):
    /usr/bin/python3 tests/reference/statisticsReference.py > tests/fixtures/statisticsReference.json

The Wilcoxon test follows R's wilcox.test, as the workbench does: exact null distribution for fewer than 50 non-zero
differences without ties, otherwise the normal approximation with tie and continuity correction. SciPy 1.10's
mode='auto' would use the exact distribution even with ties, so the mode is chosen here explicitly.
"""
import json
import numpy as np
from scipy import stats

rng = np.random.default_rng(20261206)


def summary(values):
    v = np.asarray(values, dtype=float)
    out = {"values": v.tolist(), "mean": float(v.mean())}
    if len(v) > 1:
        sem = stats.sem(v)
        out["std"] = float(v.std(ddof=1))
        # No spread, no width (SciPy's interval is NaN at scale 0).
        ci = stats.t.interval(0.95, len(v) - 1, loc=v.mean(), scale=sem) if sem > 0 else (v.mean(), v.mean())
        out["ci95"] = [float(x) for x in ci]
    return out


def paired(a, b):
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    d = a - b
    t = stats.ttest_rel(a, b)
    nz = d[d != 0]
    ties = len(np.unique(np.abs(nz))) != len(nz)
    zeros = len(nz) != len(d)
    mode = "approx" if (ties or zeros or len(nz) >= 50) else "exact"
    w = stats.wilcoxon(d, zero_method="wilcox", correction=True, mode=mode)
    ranks = stats.rankdata(np.abs(nz))
    v = float(ranks[nz > 0].sum())  # R's V: the rank sum of the positive differences
    ci = stats.t.interval(0.95, len(d) - 1, loc=d.mean(), scale=stats.sem(d))
    return {
        "a": a.tolist(),
        "b": b.tolist(),
        "meanDifference": float(d.mean()),
        "ci95": [float(x) for x in ci],
        "t": float(t.statistic),
        "tPValue": float(t.pvalue),
        "wilcoxonStatistic": v,
        "wilcoxonPValue": float(w.pvalue),
        "wilcoxonMode": mode,
    }


summaries = [summary(v) for v in (
    [0.5, 0.6, 0.55, 0.62],
    [0.41, 0.47],
    rng.uniform(0.3, 0.7, 6).round(4).tolist(),
    rng.uniform(0.3, 0.7, 24).round(4).tolist(),
    [0.5, 0.5, 0.5],
)]

pairs = []
for n in (4, 6, 8, 12):
    a = rng.uniform(0.4, 0.7, n).round(4)
    pairs.append(paired(a, (a - rng.normal(0.02, 0.03, n)).round(4)))
# ties among the differences, a zero difference, a one-sided case, a large sample
pairs.append(paired([0.52, 0.55, 0.61, 0.58, 0.49, 0.60], [0.50, 0.50, 0.62, 0.55, 0.48, 0.59]))
pairs.append(paired([0.52, 0.55, 0.61, 0.58, 0.49], [0.52, 0.53, 0.60, 0.60, 0.44]))
pairs.append(paired([0.6, 0.7, 0.8, 0.65, 0.75], [0.5, 0.55, 0.6, 0.52, 0.58]))
a = rng.uniform(0.4, 0.7, 60).round(4)
pairs.append(paired(a, (a - rng.normal(0.01, 0.05, 60)).round(4)))

print(json.dumps({"generator": "tests/reference/statisticsReference.py", "scipy": __import__("scipy").__version__, "summaries": summaries, "paired": pairs}, indent=1))

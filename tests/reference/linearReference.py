#!/usr/bin/python3
"""Reference values for the linear models, PCA and univariate selection in src-main/core/models/shallow, computed with
scikit-learn on fixed, seeded data.

Regenerate (Debian's python, which has python3-sklearn; a pyenv `python3` may lack it):

    /usr/bin/python3 tests/reference/linearReference.py

It writes tests/fixtures/linearReference.json, which tests/unit/{logisticRegression,linearSvm,pca,featureSelection}.test.ts
read. Each case holds its data (train and test vectors, labels), the estimator's settings and its outputs. Every
estimator runs behind StandardScaler, as the workbench's models z-score inside; the models are fitted to a tight
tolerance (tol 1e-10, many iterations) so the reference is the optimum itself, not a stopping point of sklearn's solver.

Data sets:
- 'tall':  150 × 12, 3 classes (more vectors than dimensions: the solvers work on the z-scores directly).
- 'wide':  60 × 150, 4 unbalanced classes, one constant dimension (more dimensions than vectors: the solvers work in
           the rows' own span, rowSpaceBasis.ts).
- 'binary': 80 × 20, 2 classes (LinearSVC solves one problem).
"""

import json
import os
import warnings

import numpy as np
import scipy
import sklearn
from sklearn.decomposition import PCA
from sklearn.feature_selection import SelectKBest, f_classif
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler
from sklearn.svm import LinearSVC

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'fixtures', 'linearReference.json')


def make(rng, n, n_test, d, counts_share, shift):
    """Class c moves a random subset of dimensions by `shift`; offsets and scales per dimension test the scaler."""
    k = len(counts_share)
    offsets = rng.uniform(-50, 50, d)
    scales = rng.uniform(0.2, 5, d)
    moved = rng.random((k, d)) < 0.3

    def draw(m):
        y = rng.choice(k, size=m, p=np.array(counts_share) / sum(counts_share))
        y[:k] = np.arange(k)  # every class present
        x = rng.standard_normal((m, d)) + shift * moved[y]
        # Four decimals: the JSON stays small and the data are exactly what both sides read.
        return np.round(offsets + scales * x, 4), y

    Xtr, ytr = draw(n)
    Xte, yte = draw(n_test)
    return Xtr, ytr, Xte, yte


def num(v):
    return float(f'{v:.12g}')


def rows(a):
    return [[num(v) for v in r] for r in a]


def logreg_case(name, data, C, class_weight):
    Xtr, ytr, Xte, _ = data
    sc = StandardScaler().fit(Xtr)
    m = LogisticRegression(multi_class='multinomial', solver='lbfgs', C=C, tol=1e-10, max_iter=100000, class_weight=class_weight)
    m.fit(sc.transform(Xtr), ytr)
    coef, intercept = m.coef_, m.intercept_
    if coef.shape[0] == 1:
        # Two classes: sklearn keeps only class 1's row of the symmetric softmax solution (class 0's is its negative).
        coef, intercept = np.vstack([-coef, coef]), np.concatenate([-intercept, intercept])
    return {
        'data': name,
        'C': C,
        'class_weight': class_weight or 'none',
        'coef': rows(coef),
        # Only differences between the classes' intercepts are identified; centre them.
        'intercept_centred': [num(v) for v in intercept - intercept.mean()],
        'proba_test': rows(m.predict_proba(sc.transform(Xte))),
        'n_iter': int(m.n_iter_[0]),
    }


def svc_case(name, data, C, class_weight):
    Xtr, ytr, Xte, yte = data
    sc = StandardScaler().fit(Xtr)
    m = LinearSVC(loss='squared_hinge', dual=True, C=C, tol=1e-10, max_iter=1000000, class_weight=class_weight, random_state=0)
    m.fit(sc.transform(Xtr), ytr)
    dec = m.decision_function(sc.transform(Xte))
    if dec.ndim == 1:
        dec = np.stack([-dec, dec], axis=1)
    return {
        'data': name,
        'C': C,
        'class_weight': class_weight or 'none',
        'coef': rows(m.coef_),
        'intercept': [num(v) for v in m.intercept_],
        'decision_test': rows(dec),
        'accuracy_test': float((m.predict(sc.transform(Xte)) == yte).mean()),
    }


def pca_case(name, data, n_components):
    Xtr, _, Xte, _ = data
    sc = StandardScaler().fit(Xtr)
    p = PCA(n_components=n_components, svd_solver='full').fit(sc.transform(Xtr))
    return {
        'data': name,
        'components_param': n_components,
        'n_components': int(p.n_components_),
        'components': rows(p.components_),
        'explained_variance': [num(v) for v in p.explained_variance_],
        'explained_variance_ratio': [num(v) for v in p.explained_variance_ratio_],
        'transform_test': rows(p.transform(sc.transform(Xte))),
    }


def select_case(name, data, k):
    Xtr, ytr, _, _ = data
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')  # the constant dimension's F is 0/0
        f, _ = f_classif(Xtr, ytr)
        support = SelectKBest(f_classif, k=k).fit(Xtr, ytr).get_support(indices=True)
    return {
        'data': name,
        'k': k,
        'f': [None if np.isnan(v) else num(v) for v in f],
        'selected': [int(i) for i in support],
    }


def main():
    rng = np.random.default_rng(20261206)
    datasets = {
        'tall': make(rng, 150, 40, 12, [1, 1, 1], 0.8),
        'wide': make(rng, 60, 20, 150, [3, 2, 1, 1], 0.9),
        'binary': make(rng, 80, 30, 20, [1, 1], 0.7),
    }
    # A constant dimension: the scaler keeps it at 0, f_classif gives NaN and SelectKBest ranks it last.
    for part in (0, 2):
        datasets['wide'][part][:, 7] = 3.25
    out = {
        'generator': 'tests/reference/linearReference.py',
        'versions': {'numpy': np.__version__, 'scipy': scipy.__version__, 'sklearn': sklearn.__version__},
        'data': {
            name: {'train': rows(d[0]), 'trainLabels': [int(v) for v in d[1]], 'test': rows(d[2]), 'testLabels': [int(v) for v in d[3]]}
            for name, d in datasets.items()
        },
        'logreg': [
            logreg_case('tall', datasets['tall'], 0.5, None),
            logreg_case('wide', datasets['wide'], 0.05, None),
            logreg_case('wide', datasets['wide'], 0.02, 'balanced'),
            logreg_case('binary', datasets['binary'], 1.0, None),
        ],
        'linearSvc': [
            svc_case('tall', datasets['tall'], 0.1, None),
            svc_case('wide', datasets['wide'], 0.01, None),
            svc_case('wide', datasets['wide'], 0.005, 'balanced'),
            svc_case('binary', datasets['binary'], 0.05, 'balanced'),
        ],
        'pca': [
            pca_case('tall', datasets['tall'], 4),
            pca_case('tall', datasets['tall'], 0.8),
            pca_case('wide', datasets['wide'], 6),
            pca_case('wide', datasets['wide'], 0.5),
        ],
        'fClassif': [
            select_case('tall', datasets['tall'], 5),
            select_case('wide', datasets['wide'], 20),
        ],
    }
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, 'w') as fh:
        json.dump(out, fh, separators=(',', ':'))
        fh.write('\n')
    print(f'wrote {OUT}')


if __name__ == '__main__':
    main()

#!/usr/bin/python3
"""Reference values for src-shared/metrics.ts (evaluatePredictions), computed independently with scikit-learn.

Regenerate (Debian's python, which has python3-sklearn; a pyenv `python3` may lack it):

    /usr/bin/python3 tests/reference/metricsReference.py

It writes tests/fixtures/metricsReference.json, which tests/unit/metricsReference.test.ts compares against
evaluatePredictions within 1e-12. The cases are drawn from a seeded generator, so the output is the same on
every run with the same numpy and scikit-learn (recorded in the file).

Definitions, as metrics.ts documents them, with the sklearn call that gives each:
- accuracy:  accuracy_score(y_true, y_pred).
- UAR:       balanced_accuracy_score(y_true, y_pred), the mean recall over the classes present in y_true
             (a class predicted but never true has no recall; sklearn drops it with a warning).
- macro-F1:  f1_score(average='macro', labels=L, zero_division=0) with L = the classes that occur in y_true
             or y_pred (sklearn's own default set, unique_labels(y_true, y_pred), named explicitly here): a class
             that is predicted but never true counts as F1 0, a class in neither is left out of the mean.
- per class: precision_recall_fscore_support(labels=range(k), average=None, zero_division=0), every class
             of the label list, absent ones as 0.
- confusion: confusion_matrix(labels=range(k)), rows true, columns predicted.
"""

import json
import os
import warnings

import numpy as np
import sklearn
from sklearn.metrics import (
    accuracy_score,
    balanced_accuracy_score,
    confusion_matrix,
    f1_score,
    precision_recall_fscore_support,
)

EMOTIONS = ['neutral', 'calm', 'happy', 'sad', 'angry', 'fearful', 'disgust', 'surprised']
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'fixtures', 'metricsReference.json')


def noisy(rng, y_true, k, p_correct, allowed_pred):
    """Each prediction is the true class with probability p_correct, else a class drawn from allowed_pred."""
    wrong = rng.choice(allowed_pred, size=len(y_true))
    keep = rng.random(len(y_true)) < p_correct
    return np.where(keep, y_true, wrong)


def make_cases():
    cases = []

    def add(name, labels, y_true, y_pred):
        cases.append((name, list(labels), [int(v) for v in y_true], [int(v) for v in y_pred]))

    rng = np.random.default_rng(20240601)
    # Two classes, balanced.
    y = rng.integers(0, 2, 24)
    add('binary balanced', ['neutral', 'angry'], y, noisy(rng, y, 2, 0.7, [0, 1]))
    # Four classes, imbalanced truth (60/25/10/5 %).
    y = rng.choice(4, size=60, p=[0.6, 0.25, 0.1, 0.05])
    add('4 classes imbalanced', EMOTIONS[2:6], y, noisy(rng, y, 4, 0.55, [0, 1, 2, 3]))
    # Eight classes (RAVDESS), noisy predictions.
    y = rng.integers(0, 8, 120)
    add('8 classes RAVDESS-like', EMOTIONS, y, noisy(rng, y, 8, 0.4, list(range(8))))
    # Five classes, class 3 never true but predicted (UAR leaves it out, macro-F1 counts it as 0).
    y = rng.choice([0, 1, 2, 4], size=40)
    add('class predicted but absent from truth', EMOTIONS[:5], y, noisy(rng, y, 5, 0.5, [0, 1, 2, 3, 4]))
    # Six classes: 1 in neither truth nor predictions, 4 predicted but never true, 5 true but never predicted.
    y = rng.choice([0, 2, 3, 5], size=36, p=[0.4, 0.3, 0.2, 0.1])
    add('absent, predicted-only and never-predicted classes', EMOTIONS[:6], y, noisy(rng, y, 6, 0.45, [0, 2, 3, 4]))
    # Majority-class predictor on imbalanced truth.
    y = rng.choice(3, size=30, p=[0.7, 0.2, 0.1])
    add('majority-class predictor', ['neutral', 'happy', 'sad'], y, np.zeros(30, dtype=int))
    # Tiny: three samples, seven labels (most classes absent from both).
    add('three samples of seven labels', EMOTIONS[:7], [6, 2, 2], [2, 2, 0])
    # Seven classes, every prediction wrong.
    y = rng.integers(0, 7, 21)
    add('every prediction wrong', EMOTIONS[1:], y, (y + rng.integers(1, 7, 21)) % 7)
    # Three classes, perfect predictions but class 1 absent.
    y = rng.choice([0, 2], size=10)
    add('perfect, one class absent', ['neutral', 'happy', 'sad'], y, y)
    return cases


def reference(name, labels, y_true, y_pred):
    k = len(labels)
    all_idx = list(range(k))
    seen = sorted(set(y_true) | set(y_pred))
    with warnings.catch_warnings():
        # "y_pred contains classes not in y_true": sklearn then averages recall over the true classes, as intended.
        warnings.simplefilter('ignore')
        uar = balanced_accuracy_score(y_true, y_pred)
    precision, recall, f1, support = precision_recall_fscore_support(
        y_true, y_pred, labels=all_idx, average=None, zero_division=0
    )
    macro_f1 = f1_score(y_true, y_pred, labels=seen, average='macro', zero_division=0)
    # The same figures by their definitions, so a change in sklearn's conventions shows up here, not in the test.
    present = [c for c in all_idx if support[c] > 0]
    assert abs(uar - np.mean([recall[c] for c in present])) < 1e-12, name
    assert abs(macro_f1 - np.mean([f1[c] for c in seen])) < 1e-12, name
    return {
        'name': name,
        'labels': labels,
        'yTrue': y_true,
        'yPred': y_pred,
        'accuracy': float(accuracy_score(y_true, y_pred)),
        'uar': float(uar),
        'macroF1': float(macro_f1),
        'macroF1Labels': seen,
        'precision': [float(v) for v in precision],
        'recall': [float(v) for v in recall],
        'f1': [float(v) for v in f1],
        'support': [int(v) for v in support],
        'confusion': confusion_matrix(y_true, y_pred, labels=all_idx).tolist(),
    }


def main():
    cases = [reference(*c) for c in make_cases()]
    doc = {
        'generatedBy': '/usr/bin/python3 tests/reference/metricsReference.py',
        'sklearn': sklearn.__version__,
        'numpy': np.__version__,
        'cases': cases,
    }
    with open(OUT, 'w') as f:
        f.write('{\n')
        for key in ('generatedBy', 'sklearn', 'numpy'):
            f.write(f'  {json.dumps(key)}: {json.dumps(doc[key])},\n')
        f.write('  "cases": [\n')
        f.write(',\n'.join(f'    {json.dumps(c)}' for c in cases))
        f.write('\n  ]\n}\n')
    print(f'wrote {len(cases)} cases to {os.path.normpath(OUT)}')


if __name__ == '__main__':
    main()

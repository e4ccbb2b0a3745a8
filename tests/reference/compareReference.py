#!/usr/bin/python3
"""Reference values for the ComParE 2016 feature set (src-main/core/features/compare/), computed independently with
numpy and scipy from the definitions the TypeScript reimplements (openSMILE's config/compare16 components).

Regenerate with Debian's python (numpy + scipy):

    /usr/bin/python3 tests/reference/compareReference.py

It writes tests/fixtures/compareReference.json, read by tests/unit/compareFunctionals.test.ts and
tests/unit/compareLlds.test.ts. Tracks come from a seeded generator, so every run gives the same file.

What each reference is:
- functionals: numpy.percentile (linear), numpy.std / scipy.stats.skew (biased) / scipy.stats.kurtosis
  (fisher=False), numpy.polyfit (degree 1 and 2 over the frame index), LP coefficients by
  scipy.linalg.solve_toeplitz on the autocorrelation (predictor polynomial 1 + sum a_i z^-i) and its error.
- windows: scipy.signal.get_window('hamming', N, fftbins=False) and scipy.signal.windows.gaussian(N, sigma (N-1)/2).
- one 20 ms Hamming frame of RAVDESS speech: numpy.fft.rfft power (zero-padded to 512), the spectral-shape
  descriptors from their textbook definitions over bins 1..256 (power-weighted centroid and moments, entropy in
  bits, least-squares slope by numpy.polyfit, cumulative-power roll-offs), the 26-band triangular mel bank
  (peak-1 triangles between mel points 1127 ln(1 + f/700) from 20 Hz to 8 kHz) and MFCC 1-14 by
  scipy.fft.dct(type 2, norm='ortho') with the HTK lifter.
- RASTA: scipy.signal.lfilter of the FIR numerator, then the one-pole feedback started at frame 5.
"""

import json
import os
import wave

import numpy as np
import scipy
from scipy import fft as sfft
from scipy import linalg, signal, stats

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, '..', 'fixtures', 'compareReference.json')
SHARED = os.environ.get('SER_SHARED_DIR', os.path.join(HERE, '..', '..', '..', 'shared'))
RAVDESS_FILE = 'Actor_01/03-01-05-01-01-01-01.wav'
FRAME_START = 16000  # samples: 1.0 s into the file, inside the utterance

rng = np.random.default_rng(20161)


def functional_case(x):
    n = len(x)
    i = np.arange(n, dtype=float)
    lin = np.polyfit(i, x, 1) if n > 1 else np.array([0.0, x[0]])
    quad = np.polyfit(i, x, 2) if n > 2 else np.array([0.0, 0.0, x[0]])
    r = np.array([np.dot(x[k:], x[: n - k]) for k in range(6)])
    a = -linalg.solve_toeplitz(r[:5], r[1:6])
    err = r[0] + np.dot(a, r[1:6])
    return {
        'x': x.tolist(),
        'percentiles': [float(np.percentile(x, q)) for q in (25, 50, 75, 1, 99)],
        'std': float(np.std(x)),
        'skewness': float(stats.skew(x, bias=True)),
        'kurtosis': float(stats.kurtosis(x, fisher=False, bias=True)),
        'linear': [float(v) for v in lin],
        'linearMse': float(np.mean((x - np.polyval(lin, i)) ** 2)),
        'quadratic': [float(v) for v in quad],
        'quadraticMse': float(np.mean((x - np.polyval(quad, i)) ** 2)),
        'lpc': [float(v) for v in a],
        'lpcError': float(err),
        'centroid': float(np.sum(np.abs(x) * i) / np.sum(np.abs(x)) / n),
    }


def functionals():
    cases = []
    for n in (7, 60, 301):
        t = np.arange(n)
        x = 2.0 + 0.5 * np.sin(2 * np.pi * t / 23.0) + 0.3 * rng.standard_normal(n) + 0.002 * t
        cases.append(functional_case(x))
    cases.append(functional_case(rng.gamma(2.0, 1.5, 120)))
    return cases


def read_wav(path):
    with wave.open(path, 'rb') as w:
        assert w.getsampwidth() == 2 and w.getnchannels() == 1
        data = np.frombuffer(w.readframes(w.getnframes()), dtype='<i2')
        return data.astype(np.float64) / 32768.0, w.getframerate()


def hz_to_mel(f):
    return 1127.0 * np.log(1.0 + f / 700.0)


def mel_to_hz(m):
    return 700.0 * (np.exp(m / 1127.0) - 1.0)


def spectral_case():
    x, sr = read_wav(os.path.join(SHARED, 'data', 'ravdess-16k', RAVDESS_FILE))
    assert sr == 16000
    frame = x[FRAME_START : FRAME_START + 320]
    win = signal.get_window('hamming', 320, fftbins=False)
    spec = np.fft.rfft(frame * win, 512)
    p = np.abs(spec) ** 2
    f = np.arange(257) * sr / 512.0
    pb, fb = p[1:], f[1:]
    total = pb.sum()
    centroid = np.sum(fb * pb) / total
    var = np.sum((fb - centroid) ** 2 * pb) / total
    skew = np.sum((fb - centroid) ** 3 * pb) / total / var**1.5
    kurt = np.sum((fb - centroid) ** 4 * pb) / total / var**2
    q = np.maximum(pb, 1e-7) / max(total, 1e-7)
    entropy = -np.sum(q * np.log2(q))
    slope = np.polyfit(fb, pb, 1)[0] * (len(pb) - 1)
    cum = np.cumsum(pb)
    rolloff = [float(fb[np.argmax(cum >= r * total)]) for r in (0.25, 0.5, 0.75, 0.9)]
    # mel bank: 28 mel points from 20 Hz to 8 kHz, triangles of peak 1, bins strictly inside (round(20/df), round(8000/df))
    pts = hz_to_mel(20.0) + np.arange(28) * (hz_to_mel(8000.0) - hz_to_mel(20.0)) / 27.0
    melf = hz_to_mel(f)
    lo_bin, hi_bin = int(round(20 / (sr / 512))), int(round(8000 / (sr / 512)))
    bank = np.zeros((26, 257))
    for m in range(26):
        for k in range(lo_bin + 1, hi_bin):
            up = (melf[k] - pts[m]) / (pts[m + 1] - pts[m])
            down = (pts[m + 2] - melf[k]) / (pts[m + 2] - pts[m + 1])
            bank[m, k] = max(0.0, min(up, down))
    mel = bank @ p
    logmel = np.log(np.maximum(mel * 32767.0**2, 1.0))
    lifter = 1 + 11.0 * np.sin(np.pi * np.arange(1, 15) / 22.0)
    mfcc = sfft.dct(logmel, type=2, norm='ortho')[1:15] * lifter
    return {
        'file': RAVDESS_FILE,
        'start': FRAME_START,
        'frame': frame.tolist(),
        'power': p.tolist(),
        'centroid': float(centroid),
        'variance': float(var),
        'skewness': float(skew),
        'kurtosis': float(kurt),
        'entropy': float(entropy),
        'slope': float(slope),
        'rolloff': rolloff,
        'melBands': mel.tolist(),
        'melCentres': mel_to_hz(pts[1:27]).tolist(),
        'mfcc': mfcc.tolist(),
    }


def windows():
    return {
        'hamming320': signal.get_window('hamming', 320, fftbins=False).tolist(),
        'gauss960': signal.windows.gaussian(960, 0.4 * 959 / 2.0).tolist(),
    }


def rasta():
    period = 0.01
    om = np.cos(2 * np.pi * 29 * period)
    norm = np.sqrt(10 * (32 * om * om + 8))
    b = np.array([2, -4 * om, 0, 4 * om, -2]) / norm
    pole = 1 - np.sin(2 * np.pi * 1 * period)
    x = rng.standard_normal(40).cumsum()
    fir = signal.lfilter(b, [1.0], x)
    y = np.zeros_like(x)
    y[5:] = signal.lfilter([1.0], [1.0, -pole], fir[5:])
    return {'x': x.tolist(), 'y': y.tolist()}


def main():
    out = {
        'generator': f'numpy {np.__version__}, scipy {scipy.__version__}',
        'functionals': functionals(),
        'windows': windows(),
        'spectral': spectral_case(),
        'rasta': rasta(),
    }
    with open(OUT, 'w') as fh:
        json.dump(out, fh)
    print(f'wrote {OUT}')


if __name__ == '__main__':
    main()

#!/usr/bin/python3
"""Praat's voice measures on a fixed set of RAVDESS files, for tests/unit/voiceQualityPraat.test.ts.

Regenerate (Debian's `praat`, headless):

    /usr/bin/python3 tests/reference/praatVoiceReference.py

It runs `praat --run tests/reference/praatVoiceReference.praat FILE` on each file below (RAVDESS from
../shared/data, or $SER_SHARED_DIR/data: twelve at 16 kHz, one at 48 kHz) and writes
tests/fixtures/praatVoiceReference.json:
per file the frame-wise pitch (To Pitch (ac), Hz, null where unvoiced), the glottal pulse times
(To PointProcess (cc)), and the utterance measures (f0 mean and median, jitter local and ddp, shimmer local,
mean HNR from To Harmonicity (cc)). The Praat version is recorded in the file.
"""

import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
SHARED = os.environ.get('SER_SHARED_DIR', os.path.join(os.path.dirname(REPO), 'shared'))
DATA = os.path.join(SHARED, 'data')
SCRIPT = os.path.join(HERE, 'praatVoiceReference.praat')
OUT = os.path.join(REPO, 'tests', 'fixtures', 'praatVoiceReference.json')

# Twelve actors (odd = male, even = female), all eight emotions, both intensities and both statements, at
# 16 kHz; and one file at 48 kHz (other window and FFT lengths).
FILES = [
    'ravdess-16k/Actor_01/03-01-01-01-01-01-01.wav',  # male, neutral
    'ravdess-16k/Actor_02/03-01-02-01-01-02-02.wav',  # female, calm
    'ravdess-16k/Actor_03/03-01-03-02-02-01-03.wav',  # male, happy, strong
    'ravdess-16k/Actor_04/03-01-04-01-02-02-04.wav',  # female, sad
    'ravdess-16k/Actor_05/03-01-05-02-01-01-05.wav',  # male, angry, strong
    'ravdess-16k/Actor_06/03-01-06-02-02-02-06.wav',  # female, fearful, strong
    'ravdess-16k/Actor_07/03-01-07-01-01-01-07.wav',  # male, disgust
    'ravdess-16k/Actor_08/03-01-08-02-01-02-08.wav',  # female, surprised, strong
    'ravdess-16k/Actor_09/03-01-03-01-02-02-09.wav',  # male, happy
    'ravdess-16k/Actor_10/03-01-05-01-02-01-10.wav',  # female, angry
    'ravdess-16k/Actor_11/03-01-04-02-01-01-11.wav',  # male, sad, strong
    'ravdess-16k/Actor_12/03-01-06-01-01-01-12.wav',  # female, fearful
    'ravdess-48k/Actor_01/03-01-02-02-01-01-01.wav',  # male, calm, strong, 48 kHz
]

SCALARS = ('sample_rate', 'duration', 'pitch_frames', 'pitch_t1', 'pitch_dt', 'f0_mean', 'f0_median', 'voiced_frames',
           'pulse_count', 'jitter_local', 'jitter_ddp', 'shimmer_local', 'hnr_mean')


def number(text):
    return None if text.strip() == '--undefined--' else float(text)


def run(path):
    out = subprocess.run(['praat', '--run', SCRIPT, path], check=True, capture_output=True, text=True).stdout
    record = {'pitch_f0': [], 'pulses': []}
    for line in out.splitlines():
        key, _, value = line.partition(' ')
        if key == 'pitch_f0':
            record['pitch_f0'].append(number(value))
        elif key == 'pulse':
            record['pulses'].append(number(value))
        elif key in SCALARS:
            record[key] = number(value)
        elif line.strip():
            raise ValueError(f'{path}: unexpected Praat output line {line!r}')
    if len(record['pitch_f0']) != record['pitch_frames'] or len(record['pulses']) != record['pulse_count']:
        raise ValueError(f'{path}: Praat output is incomplete')
    return record


def main():
    version = subprocess.run(['praat', '--version'], check=True, capture_output=True, text=True).stdout.strip()
    files = []
    for rel in FILES:
        path = os.path.join(DATA, rel)
        if not os.path.exists(path):
            sys.exit(f'{path} not found: set SER_SHARED_DIR to the folder holding data/ravdess-16k and data/ravdess-48k')
        files.append({'file': rel, **run(path)})
    with open(OUT, 'w') as f:
        json.dump({'praat': version, 'script': 'tests/reference/praatVoiceReference.praat', 'files': files}, f)
        f.write('\n')
    print(f'wrote {OUT} ({len(files)} files, {version})')


if __name__ == '__main__':
    main()

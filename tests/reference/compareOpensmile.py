#!/usr/bin/python3
"""openSMILE's own ComParE 2016 output on RAVDESS files, the reference for src-main/core/features/compare/.

Needs an openSMILE build (audeering/opensmile, `SMILExtract`) and its config tree. The committed fixture came from
openSMILE 3.0.1 built from audeering/opensmile at 341aea9 (cmake, STATIC_LINK=ON, no PortAudio/FFmpeg):

    OPENSMILE_BIN=/path/to/SMILExtract OPENSMILE_CONFIG=/path/to/opensmile/config \\
        /usr/bin/python3 tests/reference/compareOpensmile.py

For each file it runs `SMILExtract -C config/compare16/ComParE_2016.conf` and keeps the functionals (names and
values) and the LLD names and frame count; for the first file also the 59 non-voice LLD contours (not their deltas,
to keep the file small). It writes
tests/fixtures/compareOpensmile.json, read by tests/unit/compareOpensmile.test.ts.
"""

import csv
import json
import os
import subprocess
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, '..', 'fixtures', 'compareOpensmile.json')
SHARED = os.environ.get('SER_SHARED_DIR', os.path.join(HERE, '..', '..', '..', 'shared'))
BIN = os.environ['OPENSMILE_BIN']
CONFIG = os.path.join(os.environ['OPENSMILE_CONFIG'], 'compare16', 'ComParE_2016.conf')
FILES = [
    'Actor_01/03-01-05-01-01-01-01.wav',
    'Actor_03/03-01-05-02-01-01-03.wav',
    'Actor_06/03-01-01-01-02-01-06.wav',
    'Actor_09/03-01-04-02-02-02-09.wav',
    'Actor_12/03-01-08-01-01-01-12.wav',
    'Actor_16/03-01-03-02-02-01-16.wav',
]


def read_csv(path):
    with open(path, newline='') as fh:
        rows = list(csv.reader(fh, delimiter=';'))
    return rows[0], rows[1:]


def run(wav):
    with tempfile.TemporaryDirectory() as tmp:
        func = os.path.join(tmp, 'func.csv')
        lld = os.path.join(tmp, 'lld.csv')
        subprocess.run(
            [BIN, '-C', CONFIG, '-I', wav, '-csvoutput', func, '-appendcsv', '0', '-lldcsvoutput', lld, '-instname', 'x', '-l', '1'],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        fh, frows = read_csv(func)
        lh, lrows = read_csv(lld)
    # func: name;frameTime;features... ; lld: name;frameTime;llds...
    return fh[2:], [float(v) for v in frows[0][2:]], lh[2:], [[float(v) for v in r[2:]] for r in lrows]


def version():
    h = subprocess.run([BIN, '-h'], capture_output=True, text=True)
    line = next((l for l in (h.stdout + h.stderr).splitlines() if 'openSMILE version' in l), 'openSMILE version unknown')
    return line.strip()


def main():
    out = {'generator': version(), 'config': 'config/compare16/ComParE_2016.conf', 'files': []}
    for i, f in enumerate(FILES):
        names, values, lld_names, lld = run(os.path.join(SHARED, 'data', 'ravdess-16k', f))
        out.setdefault('names', names)
        out.setdefault('lldNames', lld_names)
        assert out['names'] == names and out['lldNames'] == lld_names
        entry = {'file': f, 'values': values, 'lldFrames': len(lld)}
        if i == 0:
            voice = ('F0final', 'voicingFinalUnclipped', 'jitterLocal', 'jitterDDP', 'shimmerLocal', 'logHNR')
            cols = [j for j, n in enumerate(lld_names) if not n.startswith(voice) and '_de' not in n]
            out['lldColumns'] = [lld_names[j] for j in cols]
            entry['lld'] = [[float(f'{row[j]:.7g}') for j in cols] for row in lld]
        out['files'].append(entry)
    with open(OUT, 'w') as fh:
        json.dump(out, fh)
    print(f'wrote {OUT}: {len(out["names"])} functionals, {len(out["lldNames"])} LLDs, {len(FILES)} files')


if __name__ == '__main__':
    main()

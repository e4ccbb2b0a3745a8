import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeWavMono, parseWav } from '../../src-shared/audio/wav';
import { resample } from '../../src-shared/audio/resample';
import { RAVDESS_48K, REFERENCE_DIR } from '../helpers/shared';

/** Broadband test input: a fixed pseudo-random sequence of multiples of 1/128 (exact in float32 and float64). */
function noise(n: number): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => (((i * 7919) % 200) - 100) / 128);
}

/**
 * scipy.signal.resample_poly(noise(n), up, down) (scipy 1.17, float64, printed to 9 significant digits), computed by
 * python3 -c "import numpy as np, scipy.signal as ss; x = np.array([((i*7919) % 200 - 100)/128 for i in range(n)]); print(ss.resample_poly(x, up, down))"
 * with up/down the rates divided by their gcd. Every output sample, edges included.
 */
const SCIPY: { from: number; to: number; n: number; y: number[] }[] = [
  {
    from: 8000,
    to: 12000,
    n: 40,
    y: [
      -0.781723573, -0.0299159607, -0.0218696354, -0.484668615, 0.144313072, 0.401580614, -0.187613658, 0.266620116, 0.939395956, 0.1094413,
      -0.695158595, -0.0996636214, 0.406496258, -0.06539175, -0.0901815526, 0.703551216, 0.60323952, -0.462657142, -0.562840973, 0.234125626,
      0.199767641, -0.265786015, 0.256647267, 0.810855036, 0.0312689429, -0.748373979, -0.19416621, 0.328323901, -0.137286584, -0.171644569,
      0.625378858, 0.525138199, -0.540758463, -0.64101333, 0.156024304, 0.12166632, -0.343958372, 0.178545945, 0.732753714, -0.0469034144, -0.8264753,
      -0.272267531, 0.250151543, -0.215387905, -0.24974589, 0.547206501, 0.448045386, -0.620903744, -0.719185687, 0.0814030374, 0.039196077,
      -0.422130729, 0.106180007, 0.64877831, -0.125075772, -0.898005241, -0.359898838, 0.171979186, -0.257367479, -0.445392123,
    ],
  },
  {
    from: 12000,
    to: 8000,
    n: 40,
    y: [
      -0.471374303, -0.0958459871, -0.0312591189, 0.414250233, 0.122865415, -0.224058018, 0.284875475, 0.264129105, -0.248592351, 0.0506195276,
      0.351250435, -0.16474106, -0.178225336, 0.316970714, -0.00781419782, -0.332592318, 0.16259694, 0.149595308, -0.36831024, -0.0633278647,
      0.227713759, -0.27102838, -0.314376397, 0.230067639, -0.172860683, -0.370107415, -0.133723427,
    ],
  },
  {
    from: 16000,
    to: 44100,
    n: 20,
    y: [
      -0.78177745, -0.408819939, 0.0262225198, 0.134165209, -0.135463412, -0.444632817, -0.415349487, -0.0203030817, 0.387905708, 0.439761398,
      0.127624929, -0.183660789, -0.117591219, 0.342141068, 0.825906687, 0.905774592, 0.468436133, -0.198329002, -0.647474959, -0.617950013,
      -0.205349356, 0.244041682, 0.408341733, 0.221331825, -0.0972053734, -0.224619787, 0.00755354545, 0.469572837, 0.819489928, 0.759061538,
      0.272552092, -0.344640801, -0.69855636, -0.588135265, -0.148219501, 0.264608074, 0.355477595, 0.114245477, -0.191059472, -0.242237736,
      0.0659245803, 0.532707772, 0.800533902, 0.631655233, 0.0937749759, -0.48157386, -0.738360962, -0.552018051, -0.106851828, 0.257200968,
      0.304595404, 0.0628937175, -0.233177398, -0.350029486, -0.234763077, -0.0234705186,
    ],
  },
  {
    from: 44100,
    to: 16000,
    n: 100,
    y: [
      -0.358572023, 0.100927071, 0.13591366, 0.0800157887, 0.0721063708, 0.055480921, 0.0121237528, 0.0269362817, -0.0426872523, -0.00704636966,
      -0.0923365827, -0.0449980821, -0.14128837, -0.07572501, -0.227438466, 0.319373909, 0.0121538937, 0.181429475, 0.0257359362, 0.0972554145,
      0.0158891058, 0.0251352502, -0.000824030745, -0.04307395, -0.0192170032, -0.111706394, -0.0339687226, -0.189843342, -0.0266928761, -0.325275423,
      0.269411384, 0.0252545811, 0.167467081, -0.00294380554, 0.129424707, -0.0722123297, 0.178061353,
    ],
  },
  {
    from: 22050,
    to: 16000,
    n: 60,
    y: [
      -0.479011513, -0.124147595, -0.0389740727, 0.287845106, 0.357861904, -0.2345535, 0.0242555035, 0.394540899, 0.0586300144, -0.24968351,
      0.138581115, 0.355234322, -0.213962646, -0.167362502, 0.248151006, 0.153097026, -0.352066394, -0.049849731, 0.295564224, -0.139943206,
      -0.336799519, 0.0676601453, 0.209471275, -0.390884475, -0.217645736, 0.135142585, 0.0131310294, -0.549542655, 0.0157053957, -0.0613719007,
      0.432495059, 0.250024479, -0.198002433, 0.0969042314, 0.444899369, -0.0284605502, -0.180369037, 0.219134341, 0.34206022, -0.269921156,
      -0.0518495832, 0.272210196, 0.15495109, -0.514886251,
    ],
  },
];

describe('resample against scipy.signal.resample_poly', () => {
  it('matches every output sample, edges included, for up-, down- and fractional-rate pairs', () => {
    for (const { from, to, n, y } of SCIPY) {
      const got = resample(noise(n), from, to);
      expect(got.length, `${from}->${to}`).toBe(y.length);
      // Float32 output: within a few float32 rounding steps of the float64 reference.
      for (let i = 0; i < y.length; i++) expect(Math.abs(got[i] - y[i]), `${from}->${to} sample ${i}`).toBeLessThan(1e-7);
    }
  });

  it('gives the same result whatever other rate pairs were used before (filters are cached per pair)', () => {
    const first = SCIPY.map(({ from, to, n }) => resample(noise(n), from, to));
    // More distinct pairs than the cache holds, then the reference pairs again.
    for (let k = 2; k < 14; k++) resample(noise(50), 1000, 1000 + 50 * k);
    SCIPY.forEach(({ from, to, n }, i) => expect(resample(noise(n), from, to)).toEqual(first[i]));
  });

  it('matches scipy on the 48 kHz RAVDESS recording to float32 precision (first 2000 output samples)', () => {
    const ref = JSON.parse(readFileSync(join(REFERENCE_DIR, 'data__ravdess-48k__Actor_01__03-01-08-01-02-02-01.json'), 'utf8')) as {
      resampled_16k: { num_samples: number; data: number[] };
    };
    const bytes = new Uint8Array(readFileSync(join(RAVDESS_48K, 'Actor_01', '03-01-08-01-02-02-01.wav')));
    const y = resample(decodeWavMono(bytes, parseWav(bytes)), 48000, 16000);
    expect(y.length).toBe(ref.resampled_16k.num_samples);
    const want = ref.resampled_16k.data;
    const peak = Math.max(...want.map(Math.abs));
    expect(peak).toBeGreaterThan(1e-5);
    // The opening is quiet (peak ~2e-5): allow one float32 step at that level, ~1e-6 of the peak.
    for (let i = 0; i < want.length; i++) expect(Math.abs(y[i] - want[i]), `sample ${i}`).toBeLessThan(peak * 1e-6);
  });
});

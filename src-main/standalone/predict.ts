/**
 * The standalone predictor an ONNX export ships as OUTDIR/predict.mjs (bundled by core/export/standalonePredictor):
 * `node predict.mjs file.wav [more.wav …] [--json]` decodes each WAV, computes the model's features with the
 * workbench's own code, and runs model.onnx (beside this file) in onnxruntime-node, its only dependency.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import { resample } from '../../src-shared/audio/resample';
import { AudioDecodeError } from '../../src-shared/audio/decodeError';
import { formatProblem } from '../../src-shared/audio/plausibility';
import { decodeWavMono, parseWav } from '../../src-shared/audio/wav';
import { errorMessage } from '../../src-shared/api/errors';
// types only: preprocessingJson.ts reaches tfjs through the saved-model schema, which must stay out of this bundle
import type { PreprocessingFile } from '../core/export/preprocessingJson';
import { recordingCopies, recordingInputs } from '../core/training/recordingInputs';
import { meanProbabilities } from '../core/training/testTimeCopies';

const here = dirname(fileURLToPath(import.meta.url));

async function main(argv: string[]): Promise<number> {
  const json = argv.includes('--json');
  const files = argv.filter((a) => a !== '--json');
  if (!files.length) {
    console.error('usage: node predict.mjs file.wav [more.wav …] [--json]');
    return 2;
  }
  const pre = JSON.parse(readFileSync(join(here, 'preprocessing.json'), 'utf8')) as PreprocessingFile;
  // an ensemble's members each compute their own features from the audio, as in the workbench
  const members = ('members' in pre ? pre.members : [pre]).map((m) => ({
    spec: m,
    recipe: {
      featureConfig: m.features,
      auxFeatureConfig: m.auxFeatures ?? undefined,
      preprocessing: { inputs: m.inputs, speakerNormalization: m.speakerNormalization, testTimeSpeeds: m.testTimeSpeeds },
    },
  }));
  // the export refuses an ensemble whose members average test-time copies: one graph run feeds every member at once
  const copies = members.length === 1 ? (members[0].spec.testTimeSpeeds?.length ?? 0) + 1 : 1;
  const session = await ort.InferenceSession.create(join(here, 'model.onnx'));
  let failed = 0;
  for (const file of files) {
    try {
      const bytes = new Uint8Array(readFileSync(file));
      const info = parseWav(bytes, file);
      const implausible = formatProblem(info.sampleRate, info.channels);
      if (implausible) throw new AudioDecodeError(file, implausible);
      const decoded = decodeWavMono(bytes, info);
      // one graph run per copy (the recording, then its test-time speed copies), probabilities averaged
      const runs: Float32Array[] = [];
      for (let c = 0; c < copies; c++) {
        const feeds: Record<string, ort.Tensor> = {};
        for (const { spec, recipe } of members) {
          const rate = spec.features.sampleRate;
          const samples = info.sampleRate === rate ? decoded : resample(decoded, info.sampleRate, rate);
          const copy = recordingCopies(recipe, samples, rate)[c];
          const inputs = recordingInputs(recipe, copy.samples, copy.sampleRate, file);
          spec.inputs.forEach(
            (input, i) => (feeds[input.onnxInput] = new ort.Tensor('float32', inputs[i], [1, ...(input.dims.slice(1) as number[])])),
          );
        }
        const out = await session.run(feeds);
        runs.push(out[session.outputNames[0]].data as Float32Array);
      }
      const p = meanProbabilities(runs);
      const best = p.indexOf(Math.max(...p));
      const probabilities = Object.fromEntries(pre.labels.map((l, i) => [l, p[i]]));
      console.log(
        json ? JSON.stringify({ file, label: pre.labels[best], probabilities }) : `${file}: ${pre.labels[best]} (${(p[best] * 100).toFixed(1)} %)`,
      );
    } catch (err) {
      failed++;
      const error = errorMessage(err);
      if (json) console.log(JSON.stringify({ file, error }));
      else console.error(`${file}: ${error}`);
    }
  }
  await session.release();
  return failed ? 1 : 0;
}

process.exitCode = await main(process.argv.slice(2));

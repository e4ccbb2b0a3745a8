import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** src-main/standalone/predict.ts, found from this module whether it runs from the sources or a build under out/. */
function predictorSource(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, 'src-main', 'standalone', 'predict.ts');
    if (existsSync(candidate)) return candidate;
    dir = dirname(dir);
  }
  const sibling = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'standalone', 'predict.ts');
  if (existsSync(sibling)) return sibling;
  throw new Error('the standalone predictor source (src-main/standalone/predict.ts) is not beside this workbench');
}

/**
 * Writes OUTDIR/predict.mjs: the standalone predictor with the workbench's decoding, feature and normalisation code
 * bundled in (esbuild, the bundler Vite already brings), so it needs only onnxruntime-node next to it.
 */
export async function writeStandalonePredictor(outDir: string): Promise<string> {
  const { build } = await import('esbuild');
  const outfile = join(outDir, 'predict.mjs');
  await build({
    entryPoints: [predictorSource()],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    external: ['onnxruntime-node'],
    // bundled CommonJS dependencies (fft.js) call require: give the ES module one
    banner: { js: "import { createRequire as __serCreateRequire } from 'node:module'; const require = __serCreateRequire(import.meta.url);" },
    logLevel: 'silent',
    legalComments: 'none',
  });
  return outfile;
}

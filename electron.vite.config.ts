import vue from '@vitejs/plugin-vue';
import { defineConfig, externalizeDepsPlugin } from 'electron-vite';
import { resolve } from 'node:path';

/**
 * The Electron build (`npm run build` when the electron package is installed): main process with the
 * worker entries as extra inputs (they run in utilityProcess), the sandboxed preload, and the renderer.
 */
export default defineConfig({
  main: {
    plugins: [externalizeDepsPlugin()],
    build: {
      outDir: 'out/main',
      rollupOptions: {
        input: {
          index: resolve(__dirname, 'src-main/electron/main.ts'),
          featureWorker: resolve(__dirname, 'src-main/workers/featureWorker.ts'),
          trainWorker: resolve(__dirname, 'src-main/workers/trainWorker.ts'),
        },
      },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      rollupOptions: { input: { index: resolve(__dirname, 'src-preload/index.ts') }, output: { format: 'cjs' } },
    },
  },
  renderer: {
    root: resolve(__dirname, 'src-renderer'),
    plugins: [vue()],
    build: { outDir: 'out/renderer', rollupOptions: { input: resolve(__dirname, 'src-renderer/index.html') } },
  },
});

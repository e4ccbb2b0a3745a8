import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'electron-vite';
import { resolve } from 'node:path';

/**
 * The Electron build (`npm run build` when the electron package is installed): main process with the
 * worker entries as extra inputs (they run in utilityProcess), the sandboxed preload, and the renderer.
 * tests/integration/electronShell.test.ts runs the built main bundle against a stand-in `electron` module.
 */
export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      // Dependencies stay `import`ed from node_modules, never bundled: better-sqlite3 must find its native part
      // (see bin/rebuild-electron.mjs for the build Electron loads), TF.js its wasm files.
      externalizeDeps: true,
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
      rollupOptions: {
        input: { index: resolve(__dirname, 'src-preload/index.ts') },
        // A sandboxed preload is evaluated by Electron as a plain script (CommonJS `require('electron')`), whatever
        // its extension; index.js is the name main.ts loads (electron-vite would write index.cjs in a "type": "module"
        // package).
        output: { format: 'cjs', entryFileNames: '[name].js' },
      },
    },
  },
  renderer: {
    root: resolve(__dirname, 'src-renderer'),
    plugins: [vue()],
    build: {
      outDir: 'out/renderer',
      chunkSizeWarningLimit: 2000,
      rollupOptions: { input: resolve(__dirname, 'src-renderer/index.html') },
    },
  },
});

import vue from '@vitejs/plugin-vue';
import { resolve } from 'node:path';
import { defineConfig } from 'vite';

/** Renderer build shared by browser mode and Electron: static files in out/renderer. */
export default defineConfig({
  root: resolve(__dirname, 'src-renderer'),
  base: './',
  plugins: [vue()],
  build: {
    outDir: resolve(__dirname, 'out', 'renderer'),
    emptyOutDir: true,
    chunkSizeWarningLimit: 2000,
  },
});

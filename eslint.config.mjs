// ESLint as the electron-vite templates ship it (@electron-toolkit's TypeScript and Prettier configs, eslint-plugin-vue),
// plus the layering rules of ../shared/ARCHITECTURE.md: code is placed by the environment it needs, and imports say so.
import eslintConfigPrettier from '@electron-toolkit/eslint-config-prettier';
import tseslint from '@electron-toolkit/eslint-config-ts';
import eslintPluginVue from 'eslint-plugin-vue';
import vueParser from 'vue-eslint-parser';

const NODE_BUILTINS = { group: ['node:*'], message: 'Node built-ins belong to src-main; this code runs in the renderer/preload too.' };
const NATIVE_AND_ML = {
  group: ['better-sqlite3', 'naudiodon', '@tensorflow/*', 'libsvm-js', 'ml-random-forest', 'ws', 'commander', 'cli-progress', 'tsx'],
  message: 'A Node-only dependency: use it from src-main.',
};
const CORE = { group: ['**/src-main/**', '**/src-main'], message: 'src-main is Node-only: import the shared layer (src-shared) instead.' };

// Test files are named like the modules they test: camelCase, then .test.ts (Vitest) or .spec.ts (Playwright).
const testFileName = {
  meta: { type: 'suggestion', schema: [], messages: { name: 'Test files are named camelCase.test.ts (or .spec.ts under tests/e2e): {{ name }}' } },
  create(context) {
    const name = context.filename.split(/[\\/]/).pop();
    return {
      Program(node) {
        if (!/^[a-z][A-Za-z0-9]*\.(test|spec)\.ts$/.test(name)) context.report({ node, messageId: 'name', data: { name } });
      },
    };
  },
};

export default tseslint.config(
  { ignores: ['**/node_modules', '**/out', '**/dist', 'native/build', 'test-results', 'playwright-report', '.stryker-tmp', 'reports', 'tmp'] },
  tseslint.configs.recommended,
  eslintPluginVue.configs['flat/recommended'],
  {
    files: ['**/*.vue'],
    languageOptions: { parser: vueParser, parserOptions: { extraFileExtensions: ['.vue'], parser: tseslint.parser, sourceType: 'module' } },
  },
  {
    files: ['**/*.{ts,mts,mjs,vue}'],
    rules: {
      // Exported functions carry return types where they document a contract; inferred elsewhere (as the code does).
      '@typescript-eslint/explicit-function-return-type': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      // Views are named for what they are (RecorderView, NavBar); one-word names like App are fine here.
      'vue/multi-word-component-names': 'off',
    },
  },
  // The shared layer runs anywhere: no Node, no DOM frameworks, nothing outside itself but data (resources/).
  {
    files: ['src-shared/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: ['electron', 'vue', 'pinia', 'echarts'],
          patterns: [
            NODE_BUILTINS,
            NATIVE_AND_ML,
            CORE,
            { group: ['**/src-renderer/**', '**/src-preload/**'], message: 'The shared layer imports nothing above it.' },
          ],
        },
      ],
    },
  },
  // The renderer and the preload import only the shared layer (and, for the preload, electron's contextBridge).
  {
    files: ['src-renderer/**/*.{ts,vue}', 'src-preload/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [NODE_BUILTINS, NATIVE_AND_ML, CORE] }] },
  },
  // The core is framework-free: every shell calls it, none is imported by it.
  {
    files: ['src-main/core/**/*.ts', 'src-main/cli/**/*.ts', 'src-main/workers/**/*.ts', 'src-main/server/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: ['electron', 'vue', 'pinia', 'echarts'],
          patterns: [{ group: ['**/src-renderer/**', '**/src-preload/**', '**/electron/**'], message: 'The core never imports a shell.' }],
        },
      ],
    },
  },
  // Ambient declarations of globals need `var`.
  { files: ['**/*.d.ts'], rules: { 'no-var': 'off' } },
  {
    files: ['tests/**/*.test.ts', 'tests/**/*.spec.ts'],
    plugins: { ser: { rules: { 'test-file-name': testFileName } } },
    rules: { 'ser/test-file-name': 'error' },
  },
  eslintConfigPrettier,
  // Formatting is checked once, by `prettier --check .` in the same lint script (an error there, only a warning here):
  // the template's prettier/prettier rule ran Prettier over every file a second time, three quarters of ESLint's time.
  { rules: { 'prettier/prettier': 'off' } },
);

// Lint: typescript-eslint's recommended type-aware rules for every package, plus a hard rule that
// packages/protocol and packages/api stay isomorphic and free of I/O (no node:*, no DOM, no global clock or RNG).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', 'data/**', 'tmp/**', 'test-output/**', '**/*.mjs', '**/*.js', '**/*.cjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
      globals: { ...globals.node },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': ['error', { allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['test', 'describe', 'it', 'before', 'after', 'beforeEach', 'afterEach'] }] }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'off',
    },
  },
  {
    // @burrow/api is bundled into the web app and loaded by the server: the same isomorphic rules.
    files: ['packages/protocol/src/**/*.ts', 'packages/api/src/**/*.ts'],
    ignores: ['packages/protocol/src/**/*.test.ts', 'packages/api/src/**/*.test.ts'],
    languageOptions: { globals: {} },
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['node:*', 'fs', 'path', 'crypto', 'os', 'http', 'https', 'net', 'child_process', 'ws', 'pg', 'kysely', 'libsql'], message: 'packages/protocol is isomorphic and free of I/O.' }] }],
      'no-restricted-globals': ['error', 'window', 'document', 'navigator', 'localStorage', 'indexedDB', 'fetch', 'process', 'Buffer', 'setTimeout', 'setInterval'],
      'no-restricted-properties': ['error', { object: 'Date', property: 'now', message: 'Pass the clock in.' }, { object: 'Math', property: 'random', message: 'Pass randomness in.' }],
    },
  },
);

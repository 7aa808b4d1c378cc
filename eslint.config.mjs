// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { builtinModules } from 'node:module';

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      'lib/',
      '.venv/',
      '.stack/',
      'coverage/',
      'bin/',
      'test/fixtures/',
      'bench/results/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      eqeqeq: ['error', 'smart'],
    },
  },
  {
    // Workflow code runs in Temporal's deterministic sandbox: no Node built-ins, no AWS SDK, no clocks
    // or randomness outside the SDK, and activities only as types.
    files: ['src/workflows/**/*.ts', 'src/shared/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [
            ...builtinModules
              .flatMap((m) => [m, `node:${m}`])
              .map((name) => ({
                name,
                message: 'Node built-ins are not allowed in workflow-safe code.',
              })),
            { name: '@temporalio/worker', message: 'Worker code does not belong in the workflow sandbox.' },
            { name: '@temporalio/client', message: 'Client code does not belong in the workflow sandbox.' },
            {
              name: '@temporalio/activity',
              message: 'Activity code does not belong in the workflow sandbox.',
            },
          ],
          patterns: [
            { group: ['@aws-sdk/*'], message: 'AWS calls belong in activities.' },
            {
              group: ['../activities', '../activities/*', '../../activities', '../../activities/*'],
              allowTypeImports: true,
              message: 'Workflows import activities as types only (proxyActivities).',
            },
          ],
        },
      ],
      'no-restricted-globals': [
        'error',
        { name: 'setTimeout', message: 'Use sleep() or condition() from @temporalio/workflow.' },
        { name: 'setInterval', message: 'Use timers from @temporalio/workflow.' },
        { name: 'process', message: 'No process access in workflow code.' },
      ],
      'no-restricted-properties': [
        'error',
        {
          object: 'Date',
          property: 'now',
          message: 'Use the workflow clock (Date is deterministic in the sandbox) via workflow helpers.',
        },
        {
          object: 'Math',
          property: 'random',
          message: 'Use uuid4() or deterministic values from @temporalio/workflow.',
        },
      ],
    },
  },
  {
    // Imports run one way: shared code is the bottom layer; it knows nothing of what builds on it.
    files: ['src/shared/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [
                '**/activities',
                '**/activities/*',
                '**/workflows',
                '**/workflows/*',
                '**/cli/*',
                '**/worker/*',
              ],
              message: 'src/shared imports nothing of activities, workflows, the CLI or the worker.',
            },
          ],
        },
      ],
    },
  },
  {
    // A command takes its helpers from src/cli or src/shared, never from another command.
    files: ['src/cli/commands/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['../*/**', '!../../**'],
              message: 'Commands do not import other commands: move the shared piece into src/cli.',
            },
          ],
        },
      ],
    },
  },
  {
    // The worker registers workflows by path (bundled), never by importing their code.
    files: ['src/worker/**/*.ts', 'src/worker.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/workflows', '**/workflows/*'], message: 'The worker bundles workflows by path.' },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    ...tseslint.configs.disableTypeChecked,
  },
);

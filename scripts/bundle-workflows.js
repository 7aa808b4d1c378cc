// Second half of `npm run build` (after tsc): bundles the workflow code once, ahead of time, into
// lib/workflow-bundle.js, which the compiled worker (lib/worker.js) loads instead of running webpack at
// every start. Bundled from src/workflows, the same sources the tests bundle.
/* global require, __dirname, process, console */
/* eslint-disable @typescript-eslint/no-require-imports -- a plain CommonJS script, run by node without a build */
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const { bundleWorkflowCode } = require('@temporalio/worker');
// Compiled by the first half of the build (tsc): the same options the worker and the tests bundle with.
const { workflowBundleOptions } = require('../lib/worker/bundle');

const ROOT = path.resolve(__dirname, '..');
const WORKFLOWS = path.join(ROOT, 'src', 'workflows', 'index.ts');
const OUT = path.join(ROOT, 'lib', 'workflow-bundle.js');

const noop = () => undefined;
// webpack's progress at INFO is noise in a build log; warnings and errors still show.
const logger = {
  trace: noop,
  debug: noop,
  info: noop,
  log: (level, message) => level !== 'INFO' && console.error(`[${level}] ${message}`),
  warn: (message) => console.error(`[WARN] ${message}`),
  error: (message) => console.error(`[ERROR] ${message}`),
};

async function main() {
  const { code } = await bundleWorkflowCode({ ...workflowBundleOptions(WORKFLOWS), logger });
  fs.mkdirSync(path.dirname(OUT), { recursive: true });
  fs.writeFileSync(OUT, code);
  console.log(`wrote ${path.relative(ROOT, OUT)} (${Math.round(code.length / 1024)} KiB)`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

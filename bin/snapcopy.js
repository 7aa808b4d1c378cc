#!/usr/bin/env node
// The `snapcopy` command. Runs the compiled CLI (lib/client.js) when it exists: always in an installed
// package (`npm pack` builds lib/ in its prepack script and ships only bin/ and lib/), and in a checkout after
// `npm run build`. Otherwise, in a checkout without a build, it runs the TypeScript source through tsx (a
// dev dependency), so `npx snapcopy --help` works there too.
'use strict';

const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const compiled = path.join(root, 'lib', 'client.js');
const source = path.join(root, 'src', 'client.ts');

function fail(message) {
  console.error(`snapcopy: ${message}`);
  process.exit(1);
}

function load() {
  if (fs.existsSync(compiled)) return require(compiled);
  if (!fs.existsSync(source))
    fail(`${compiled} is missing: reinstall the package (or run \`npm run build\`)`);
  try {
    require.resolve('tsx/cjs');
  } catch {
    fail('no lib/ build, and no tsx to run the sources: run `npm ci` or `npm run build`');
  }
  require('tsx/cjs');
  return require(source);
}

load().main();

#!/usr/bin/env node
// The `snapcopy` command. Runs the compiled CLI (lib/client.js, from `npm run build`) when it exists, otherwise
// the TypeScript source through tsx, so `npx snapcopy --help` works in a checkout without a build.
'use strict';

const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const compiled = path.join(root, 'lib', 'client.js');

let cli;
if (fs.existsSync(compiled)) {
  cli = require(compiled);
} else {
  require('tsx/cjs');
  cli = require(path.join(root, 'src', 'client.ts'));
}
cli.main();

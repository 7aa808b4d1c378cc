// The npm package as a user gets it: `npm pack` (whose prepack script cleans and builds lib/), then a global
// install of the tarball into a fresh prefix with production dependencies only, then the installed
// `snapcopy` binary. The pack runs in a copy of the checkout (node_modules linked), so the build never
// writes lib/ into the checkout, where bin/snapcopy.js would then prefer it over the sources.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/paths';

const exec = promisify(execFile);
const SETUP_TIMEOUT_MS = 5 * 60_000;
/** Not copied into the staged checkout: dependencies, local state, build output. */
const NOT_STAGED = new Set([
  'node_modules',
  '.venv',
  '.git',
  '.stack',
  '.tools',
  'lib',
  'coverage',
  'test-results',
]);
/** Development-only packages that must not reach an installed tree. */
const DEV_ONLY = [
  'tsx',
  'typescript',
  'vitest',
  'eslint',
  'prettier',
  '@temporalio/testing',
  'aws-sdk-client-mock',
];

const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
  name: string;
  version: string;
};

interface PackResult {
  filename: string;
  files: { path: string }[];
}

let work: string;
let prefix: string;
let packed: PackResult;
let installed: string; // <prefix>/lib/node_modules/snapcopy

/** The environment of a user's shell: none of the npm_* variables `npm test` sets for its scripts. */
function userEnv(): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));
  delete env.NODE_PATH;
  delete env.NODE_OPTIONS;
  return { ...env, PATH: `${path.dirname(process.execPath)}${path.delimiter}${env.PATH ?? ''}` };
}

async function run(file: string, args: string[], cwd: string): Promise<{ stdout: string; stderr: string }> {
  try {
    return await exec(file, args, { cwd, env: userEnv(), maxBuffer: 64 * 1024 * 1024 });
  } catch (err) {
    const e = err as Error & { stdout?: string; stderr?: string };
    throw new Error(
      `\`${file} ${args.join(' ')}\` failed: ${e.message}\n${e.stdout ?? ''}\n${e.stderr ?? ''}`,
    );
  }
}

/** Runs the installed `snapcopy` from a directory outside the checkout. */
function snapcopy(...args: string[]) {
  return run(path.join(prefix, 'bin', 'snapcopy'), args, work);
}

/** Every package directory below `dir`'s node_modules, as `name` or `@scope/name`, nested ones included. */
function installedPackages(dir: string): Set<string> {
  const names = new Set<string>();
  const walk = (modules: string) => {
    if (!fs.existsSync(modules)) return;
    for (const entry of fs.readdirSync(modules)) {
      if (entry.startsWith('.')) continue;
      const dirs = entry.startsWith('@')
        ? fs.readdirSync(path.join(modules, entry)).map((n) => `${entry}/${n}`)
        : [entry];
      for (const name of dirs) {
        names.add(name);
        walk(path.join(modules, name, 'node_modules'));
      }
    }
  };
  walk(path.join(dir, 'node_modules'));
  return names;
}

beforeAll(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'snapcopy-pack-'));
  const stage = path.join(work, 'checkout');
  prefix = path.join(work, 'prefix');
  fs.cpSync(ROOT, stage, {
    recursive: true,
    filter: (src) => {
      const rel = path.relative(ROOT, src);
      return !NOT_STAGED.has(rel.split(path.sep)[0]!) && !rel.endsWith('.tgz');
    },
  });
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(stage, 'node_modules'), 'dir');

  // bundle-workflows.js reports on stdout too: the JSON report is the array that starts a line.
  const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', work], stage);
  const report = JSON.parse(stdout.slice(stdout.search(/^\[/m))) as PackResult[];
  packed = report[0]!;

  // Production dependencies only, from npm's cache where it has them.
  await run(
    'npm',
    [
      'install',
      '--global',
      '--prefix',
      prefix,
      '--omit=dev',
      '--prefer-offline',
      '--no-audit',
      '--no-fund',
      path.join(work, packed.filename),
    ],
    work,
  );
  installed = path.join(prefix, 'lib', 'node_modules', pkg.name);
}, SETUP_TIMEOUT_MS);

afterAll(() => {
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

describe('npm package', () => {
  it('packs bin/ and the compiled lib/ with its workflow bundle, and no sources or tests', () => {
    const files = packed.files.map((f) => f.path);
    expect(packed.filename).toBe(`${pkg.name}-${pkg.version}.tgz`);
    expect(files).toEqual(
      expect.arrayContaining([
        'package.json',
        'README.md',
        'bin/snapcopy.js',
        'lib/client.js',
        'lib/worker.js',
        'lib/worker/healthcheck.js',
        'lib/workflows/index.js',
        'lib/workflow-bundle.js',
      ]),
    );
    expect(files.filter((f) => !/^(bin|lib|patches)\//.test(f)).sort()).toEqual([
      'README.md',
      'package.json',
    ]);
    expect(files).toContain('patches/@temporalio+worker+1.24.0.patch');
    expect(files.filter((f) => f.endsWith('.ts'))).toEqual([]);
  });

  it('installs a working `snapcopy` that prints its help from lib/', async () => {
    const help = await snapcopy('--help');
    expect(help.stdout).toMatch(/^Usage: snapcopy \[options\] \[command\]/);
    for (const command of ['copy', 'status', 'cancel', 'list', 'prune', 'schedule', 'iam-policy', 'setup']) {
      expect(help.stdout).toMatch(new RegExp(`^  ${command}\\b`, 'm'));
    }
    expect(help.stderr).toBe('');
    expect((await snapcopy('--version')).stdout.trim()).toBe(pkg.version);
    expect(fs.existsSync(path.join(installed, 'src'))).toBe(false);
  });

  it('runs an offline command: the IAM policy', async () => {
    const { stdout } = await snapcopy(
      'iam-policy',
      '--source-region',
      'us-east-1',
      '--target-region',
      'us-west-2',
    );
    const policy = JSON.parse(stdout) as { Version: string; Statement: { Action: string | string[] }[] };
    expect(policy.Version).toBe('2012-10-17');
    const actions = policy.Statement.flatMap((s) => s.Action);
    expect(actions).toEqual(
      expect.arrayContaining(['rds:CopyDBClusterSnapshot', 'rds:DeleteDBClusterSnapshot']),
    );
  });

  it('installs no development dependency (no tsx): production dependencies only', () => {
    const names = installedPackages(path.join(prefix, 'lib')); // the whole global tree, nested ones too
    expect(names.has(pkg.name)).toBe(true);
    expect(names.has('@temporalio/worker')).toBe(true);
    expect(DEV_ONLY.filter((name) => names.has(name))).toEqual([]);
  });

  it('installs the SDK with its patch applied: the deadlock watchdog can be off', async () => {
    const probe = `console.log(require(${JSON.stringify(
      path.join(installed, 'lib/worker/deadlock.js'),
    )}).watchdogCanBeOff())`;
    const { stdout } = await run(process.execPath, ['-e', probe], work);
    expect(stdout.trim()).toBe('true');
  });

  it("runs the installed worker on the package's prebuilt workflow bundle", async () => {
    const probe = `console.log(JSON.stringify(require(${JSON.stringify(
      path.join(installed, 'lib/worker/options.js'),
    )}).workflowSource({})))`;
    const { stdout } = await run(process.execPath, ['-e', probe], work);
    expect(JSON.parse(stdout)).toEqual({
      workflowBundle: { codePath: path.join(installed, 'lib/workflow-bundle.js') },
    });
  });
});

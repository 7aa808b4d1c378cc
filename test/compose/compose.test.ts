// docker-compose.yml, the Dockerfiles and .dockerignore, checked against the code they package (no
// Docker engine runs here): ports, names and environment must be the fixed contract's (docs/contract.md) and the code's defaults,
// and what the images COPY and run must be what `npm run build` produces.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { STACK } from '../../scripts/lib/stack';
import { DEFAULT_TASK_QUEUE } from '../../src/shared/names';
import { cliTypeName, SEARCH_ATTRIBUTES } from '../../src/shared/search-attributes';
import { DEFAULT_METRICS_PORT, parseDuration, workerConfig } from '../../src/worker/config';
import { PREBUILT_BUNDLE } from '../../src/worker/options';
import { ROOT } from '../helpers/paths';

const read = (file: string) => fs.readFileSync(path.join(ROOT, file), 'utf8');

// --- docker-compose.yml ---

interface Service {
  image?: string;
  build?: { context: string; dockerfile?: string };
  profiles?: string[];
  ports?: string[];
  environment?: Record<string, string | null>;
  depends_on?: Record<string, { condition: string }>;
  volumes?: string[];
  entrypoint?: string[];
  command?: string[];
  healthcheck?: { test: string[] };
  restart?: string;
  stop_grace_period?: string;
}

interface Compose {
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
}

// `merge: true`: the file shares settings through YAML anchors and `<<` merge keys, as Compose reads them.
const compose = YAML.parse(read('docker-compose.yml'), { merge: true }) as Compose;

function service(name: string): Service {
  const s = compose.services[name];
  if (!s) throw new Error(`docker-compose.yml has no service ${name}`);
  return s;
}

const env = (s: Service) => s.environment ?? {};

/** `${VAR:-default}` as Compose interpolates it with VAR unset. */
const interpolate = (value: string) => value.replace(/\$\{[A-Z_]+:-([^}]*)\}/g, '$1');

/** The container environment with nothing set in the shell (pass-through entries are then absent). */
function containerEnv(s: Service): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env(s))) if (v !== null) out[k] = interpolate(v);
  return out;
}

/** Host ports published by a service, as `host:container`. */
const ports = (s: Service) => s.ports ?? [];

const WORKERS = ['worker', 'worker-local'];

// --- Dockerfiles ---

interface Instruction {
  stage: number;
  op: string;
  args: string;
}

/** Instructions with continuation lines joined and comments dropped; `stage` counts FROMs. */
function parseDockerfile(file: string): Instruction[] {
  const text = read(file).replace(/\\\n/g, ' ');
  const out: Instruction[] = [];
  let stage = -1;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const [op = '', ...rest] = line.split(/\s+/);
    if (op.toUpperCase() === 'FROM') stage++;
    out.push({ stage, op: op.toUpperCase(), args: rest.join(' ') });
  }
  return out;
}

const lastStage = (instructions: Instruction[]) => {
  const last = Math.max(...instructions.map((i) => i.stage));
  return instructions.filter((i) => i.stage === last);
};

/** Exec-form JSON arguments (CMD ["node", "x"]). */
const execForm = (args: string) => JSON.parse(args.replace(/^CMD\s+/, '')) as string[];

/** Sources of COPY instructions that come from the build context (not --from another stage). */
function copySources(instructions: Instruction[]): string[] {
  return instructions
    .filter((i) => i.op === 'COPY' && !i.args.includes('--from='))
    .flatMap((i) => {
      const parts = i.args.split(/\s+/).filter((p) => !p.startsWith('--'));
      return parts.slice(0, -1);
    });
}

const dockerfile = parseDockerfile('Dockerfile');
const emulatorDockerfile = parseDockerfile('emulator/Dockerfile');

describe('docker-compose.yml', () => {
  it('is a Compose file with Temporal on PostgreSQL 16, its UI, the workers and the emulator', () => {
    expect(Object.keys(compose.services).sort()).toEqual(
      [
        'emulator',
        'postgresql',
        'temporal',
        'temporal-schema',
        'temporal-setup',
        'temporal-ui',
        'worker',
        'worker-local',
      ].sort(),
    );
    expect(service('postgresql').image).toBe('postgres:16');
    expect(service('temporal').image).toMatch(/^temporalio\/server:\d+\.\d+\.\d+$/);
    expect(service('temporal-ui').image).toMatch(/^temporalio\/ui:/);
    // The server stores in the postgresql service, with the schema set up before it starts.
    expect(env(service('temporal'))).toMatchObject({ DB: 'postgres12', POSTGRES_SEEDS: 'postgresql' });
    expect(service('temporal').depends_on?.['temporal-schema']?.condition).toBe(
      'service_completed_successfully',
    );
    // Admin tools and server at the same version: the schema scripts must match the server.
    const version = service('temporal').image!.split(':')[1];
    expect(service('temporal-schema').image).toBe(`temporalio/admin-tools:${version}`);
    expect(service('temporal-setup').image).toBe(`temporalio/admin-tools:${version}`);
  });

  it("publishes the local stack's ports: Temporal 7233, UI 8233, emulator 5000, worker metrics 9464", () => {
    expect(ports(service('temporal'))).toEqual([`${STACK.temporalPort}:7233`]);
    expect(ports(service('temporal-ui'))).toEqual([`${STACK.uiPort}:8080`]);
    expect(ports(service('emulator'))).toEqual([`${STACK.emulatorPort}:5000`]);
    expect(STACK.metricsPort).toBe(DEFAULT_METRICS_PORT);
    for (const name of WORKERS) {
      expect(ports(service(name))).toEqual([`${STACK.metricsPort}:${DEFAULT_METRICS_PORT}`]);
    }
  });

  it('points the UI and the one-shot setup at the temporal service', () => {
    expect(env(service('temporal-ui')).TEMPORAL_ADDRESS).toBe('temporal:7233');
    expect(env(service('temporal-ui')).TEMPORAL_CORS_ORIGINS).toBe(`http://localhost:${STACK.uiPort}`);
    expect(env(service('temporal-setup'))).toMatchObject({
      TEMPORAL_ADDRESS: 'temporal:7233',
      TEMPORAL_NAMESPACE: STACK.namespace,
    });
  });

  it('gives both workers the settings the code defaults to, and a valid worker configuration', () => {
    for (const name of WORKERS) {
      const e = containerEnv(service(name));
      expect(e).toMatchObject({
        TEMPORAL_ADDRESS: 'temporal:7233',
        TEMPORAL_NAMESPACE: STACK.namespace,
        SNAPCOPY_TASK_QUEUE: DEFAULT_TASK_QUEUE,
        SNAPCOPY_METRICS_PORT: String(DEFAULT_METRICS_PORT),
      });
      const config = workerConfig(e);
      expect(config.metrics).toEqual({ host: '0.0.0.0', port: DEFAULT_METRICS_PORT });
      // Compose must wait longer than the worker's own grace time before it kills the container.
      const stop = parseDuration(service(name).stop_grace_period ?? '10s', 'stop_grace_period');
      expect(stop).toBeGreaterThan(config.shutdownGraceMs);
    }
  });

  it('waits for Temporal and the search attributes before starting a worker', () => {
    for (const name of WORKERS) {
      expect(service(name).depends_on).toMatchObject({
        temporal: { condition: 'service_healthy' },
        'temporal-setup': { condition: 'service_completed_successfully' },
      });
    }
    expect(service('worker-local').depends_on?.emulator?.condition).toBe('service_healthy');
  });

  it('builds both workers from the project Dockerfile', () => {
    for (const name of WORKERS) {
      const build = service(name).build!;
      expect(path.resolve(ROOT, build.context)).toBe(ROOT);
      expect(build.dockerfile).toBe('Dockerfile');
    }
    const emulator = service('emulator').build!;
    expect(fs.existsSync(path.join(ROOT, emulator.context, emulator.dockerfile!))).toBe(true);
  });

  it('keeps the emulator and AWS_ENDPOINT_URL under the local profile only', () => {
    expect(service('emulator').profiles).toEqual(['local']);
    expect(service('worker-local').profiles).toEqual(['local']);
    for (const [name, s] of Object.entries(compose.services)) {
      for (const key of Object.keys(env(s))) {
        if (key.startsWith('AWS_ENDPOINT_URL')) expect(s.profiles, `${name} sets ${key}`).toContain('local');
      }
    }
    expect(env(service('worker-local')).AWS_ENDPOINT_URL).toBe('http://emulator:5000');
  });

  it('never runs the real-AWS worker and the emulator worker together', () => {
    const aws = service('worker').profiles ?? [];
    const local = service('worker-local').profiles ?? [];
    expect(aws.length).toBeGreaterThan(0);
    expect(aws.filter((p) => local.includes(p))).toEqual([]);
    // The AWS worker passes credentials through from the shell; it never carries fixed ones.
    const e = env(service('worker'));
    expect(e.AWS_ACCESS_KEY_ID).toBeNull();
    expect(e.AWS_SECRET_ACCESS_KEY).toBeNull();
  });

  it('only depends on services that exist, are active with it, and can satisfy the condition', () => {
    const healthy = (name: string) => {
      const s = service(name);
      if (s.healthcheck) return true;
      // A built image may bring its own HEALTHCHECK.
      return s.build
        ? parseDockerfile(path.join(s.build.context, s.build.dockerfile ?? 'Dockerfile')).some(
            (i) => i.op === 'HEALTHCHECK',
          )
        : false;
    };
    for (const [name, s] of Object.entries(compose.services)) {
      for (const [dep, { condition }] of Object.entries(s.depends_on ?? {})) {
        const target = service(dep);
        // A service without profiles runs always: it cannot wait for one that runs only in a profile.
        if (target.profiles) expect(s.profiles, `${name} -> ${dep}`).toBeDefined();
        for (const p of target.profiles ?? []) expect(s.profiles, `${name} -> ${dep}`).toContain(p);
        if (condition === 'service_healthy') expect(healthy(dep), `${dep} has a healthcheck`).toBe(true);
        if (condition === 'service_completed_successfully') {
          expect(target.restart ?? 'no', `${dep} runs once`).toMatch(/^(no|on-failure(:\d+)?)$/);
        }
      }
    }
  });

  it("registers every one of snapcopy's search attributes, with its type", () => {
    const setup = service('temporal-setup');
    const declared = (env(setup).SNAPCOPY_SEARCH_ATTRIBUTES ?? '').split(/\s+/).filter(Boolean);
    expect(declared).toEqual(SEARCH_ATTRIBUTES.map((sa) => `${sa.name}=${cliTypeName(sa.type)}`));
    const script = scriptOf(setup);
    expect(script).toContain('$SNAPCOPY_SEARCH_ATTRIBUTES');
    expect(script).toMatch(
      /operator search-attribute create --namespace "\$NAMESPACE" --name "\$name" --type "\$type"/,
    );
    expect(script).toMatch(/operator namespace create/);
  });

  it('mounts files that exist, and the server finds its dynamic config through the mount', () => {
    for (const [name, s] of Object.entries(compose.services)) {
      for (const volume of s.volumes ?? []) {
        const [source] = volume.split(':');
        if (source!.startsWith('.'))
          expect(fs.existsSync(path.join(ROOT, source!)), `${name}: ${source}`).toBe(true);
        else expect(compose.volumes, `named volume ${source}`).toHaveProperty(source!);
      }
    }
    const temporal = service('temporal');
    const configPath = env(temporal).DYNAMIC_CONFIG_FILE_PATH!;
    const inContainer = path.posix.join('/etc/temporal', configPath);
    const mount = temporal
      .volumes!.map((v) => v.split(':'))
      .find(([, target]) => inContainer.startsWith(`${target}/`));
    expect(mount, 'a volume holds the dynamic config').toBeDefined();
    const onHost = path.join(ROOT, mount![0]!, path.posix.relative(mount![1]!, inContainer));
    expect(YAML.parse(fs.readFileSync(onHost, 'utf8'))).toHaveProperty(
      'system.forceSearchAttributesCacheRefreshOnRead',
    );
  });
});

/** The host file of a one-shot service's `command: [/mount/script.sh]`. */
function scriptOf(s: Service): string {
  const command = s.command?.[0] ?? '';
  for (const volume of s.volumes ?? []) {
    const [source, target] = volume.split(':');
    if (command.startsWith(`${target}/`))
      return read(path.join(source!, path.posix.relative(target!, command)));
  }
  throw new Error(`no mounted script for ${command}`);
}

describe('Dockerfile (worker image)', () => {
  it('builds on Node 24 (the current LTS) with npm ci and npm run build, and prunes dev dependencies', () => {
    const from = dockerfile.filter((i) => i.op === 'FROM');
    expect(from.length).toBeGreaterThanOrEqual(2);
    const nodeImage = /ARG NODE_IMAGE=(\S+)/.exec(read('Dockerfile'))?.[1];
    expect(nodeImage).toMatch(/^node:24-bookworm(-slim)?$/);
    const runs = dockerfile.filter((i) => i.op === 'RUN').map((i) => i.args);
    expect(runs.some((r) => r.startsWith('npm ci'))).toBe(true);
    expect(runs.some((r) => r.includes('npm run build') && r.includes('npm prune --omit=dev'))).toBe(true);
  });

  it('runs lib/worker.js, which `npm run build` produces, as a non-root user, exposing the metrics port', () => {
    const final = lastStage(dockerfile);
    const cmd = final.find((i) => i.op === 'CMD');
    expect(execForm(cmd!.args)).toEqual(['node', 'lib/worker.js']);
    const user = final.filter((i) => i.op === 'USER').at(-1)?.args;
    expect(user).toBeDefined();
    expect(['root', '0']).not.toContain(user);
    expect(final.find((i) => i.op === 'EXPOSE')?.args).toBe(String(DEFAULT_METRICS_PORT));
    expect(final.some((i) => i.op === 'COPY' && /--from=build \/app\/lib lib$/.test(i.args))).toBe(true);

    // npm run build: tsc maps src/worker.ts to lib/worker.js, and the bundle lands where the worker looks.
    const pkg = JSON.parse(read('package.json')) as { scripts: Record<string, string> };
    expect(pkg.scripts.build).toBe('tsc -p tsconfig.build.json && node scripts/bundle-workflows.js');
    const tsconfig = JSON.parse(read('tsconfig.build.json')) as { compilerOptions: Record<string, string> };
    expect(tsconfig.compilerOptions).toMatchObject({ rootDir: 'src', outDir: 'lib' });
    expect(fs.existsSync(path.join(ROOT, 'src/worker.ts'))).toBe(true);
    expect(PREBUILT_BUNDLE).toBe(path.join(ROOT, 'lib/workflow-bundle.js'));
    expect(read('scripts/bundle-workflows.js')).toContain("path.join(ROOT, 'lib', 'workflow-bundle.js')");
  });

  it('checks health through the compiled healthcheck script', () => {
    const health = lastStage(dockerfile).find((i) => i.op === 'HEALTHCHECK');
    expect(health?.args).toContain('["node", "lib/worker/healthcheck.js"]');
    expect(fs.existsSync(path.join(ROOT, 'src/worker/healthcheck.ts'))).toBe(true);
  });
});

describe('emulator/Dockerfile', () => {
  it('installs the pinned moto and serves emulator/server.py on 5000 on all interfaces', () => {
    expect(read('requirements.txt')).toMatch(/^moto\[server\]==/m);
    const cmd = execForm(lastStage(emulatorDockerfile).find((i) => i.op === 'CMD')!.args);
    expect(cmd).toEqual([
      'python',
      'emulator/server.py',
      '--host',
      '0.0.0.0',
      '--port',
      String(STACK.emulatorPort),
    ]);
    expect(fs.existsSync(path.join(ROOT, 'emulator/server.py'))).toBe(true);
    expect(emulatorDockerfile.some((i) => i.op === 'USER')).toBe(true);
  });
});

describe('.dockerignore', () => {
  const patterns = read('.dockerignore')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));

  /** Docker's rule: the last matching pattern wins, and a pattern matching a parent directory matches. */
  function included(file: string): boolean {
    let keep = true;
    for (const pattern of patterns) {
      const negated = pattern.startsWith('!');
      const p = negated ? pattern.slice(1) : pattern;
      const matches = p === '**' || file === p || file.startsWith(`${p}/`);
      if (matches) keep = negated;
    }
    return keep;
  }

  it('lets in everything the Dockerfiles copy from the context, and nothing local', () => {
    for (const source of [...copySources(dockerfile), ...copySources(emulatorDockerfile)]) {
      expect(included(source.replace(/\/$/, '')), source).toBe(true);
    }
    for (const local of ['node_modules', 'lib', '.venv', '.stack', '.git', 'test']) {
      expect(included(local), local).toBe(false);
    }
  });
});

// snapcopy hold set / list / clear against the local stack (the AWS emulator), and snapcopy prune --dry-run
// showing a held copy kept for its hold. Fixture snapshots carry ownership tags made here (holds go by tags).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CreateDBClusterCommand,
  CreateDBClusterSnapshotCommand,
  ListTagsForResourceCommand,
  type Tag,
} from '@aws-sdk/client-rds';
import { cliEnv, errorLines, json, runInProcess } from '../helpers/cli';
import { startLocalStack, type LocalStack } from '../helpers/local-stack';

let stack: LocalStack;

beforeAll(async () => {
  stack = await startLocalStack({ copySeconds: 2 });
  Object.assign(process.env, cliEnv(stack)); // for the in-process runs
});

afterAll(async () => {
  await stack?.stop();
});

const owned = (cluster: string): Tag[] => [
  { Key: 'snapcopy:managed', Value: 'true' },
  { Key: 'snapcopy:source-cluster', Value: cluster },
];

/** Manual snapshots of a helper cluster in `region`, created in order (oldest first). */
async function snapshots(region: string, specs: [string, Tag[]][]): Promise<void> {
  const rds = stack.rds(region);
  await rds.send(
    new CreateDBClusterCommand({
      DBClusterIdentifier: 'hold-helper',
      Engine: 'aurora-postgresql',
      MasterUsername: 'snapcopy',
      MasterUserPassword: 'snapcopy-password-1',
    }),
  );
  for (const [id, tags] of specs) {
    await rds.send(
      new CreateDBClusterSnapshotCommand({
        DBClusterIdentifier: 'hold-helper',
        DBClusterSnapshotIdentifier: id,
        Tags: tags,
      }),
    );
  }
}

async function tagsOf(region: string, id: string): Promise<Record<string, string>> {
  const arn = `arn:aws:rds:${region}:123456789012:cluster-snapshot:${id}`;
  const out = await stack.rds(region).send(new ListTagsForResourceCommand({ ResourceName: arn }));
  return Object.fromEntries((out.TagList ?? []).map((t) => [t.Key ?? '', t.Value ?? '']));
}

interface HeldJson {
  identifier: string;
  region: string;
  hold: string;
  sourceCluster?: string;
}

describe('snapcopy hold', () => {
  const REGION = 'ap-southeast-1';

  beforeAll(async () => {
    await snapshots(REGION, [
      ['h1', owned('alpha')],
      ['h2', owned('alpha')],
      ['h3', owned('alpha')],
      ['foreign', [{ Key: 'team', Value: 'db' }]],
    ]);
  });

  it('set / list / clear round trip, and prune --dry-run keeps the held copy for its hold', async () => {
    const set = await runInProcess(['hold', 'set', 'h1', '--region', REGION, '--reason', 'legal INC-42']);
    expect(set.code, set.stderr).toBe(0);
    expect(set.stdout).toMatch(/h1 in ap-southeast-1 is on hold: legal INC-42/);
    expect((await tagsOf(REGION, 'h1'))['snapcopy:hold']).toBe('legal INC-42');

    const list = await runInProcess(['hold', 'list', '--region', REGION, '--json']);
    expect(list.code, list.stderr).toBe(0);
    expect(json<HeldJson[]>(list)).toEqual([
      expect.objectContaining({
        identifier: 'h1',
        region: REGION,
        hold: 'legal INC-42',
        sourceCluster: 'alpha',
      }),
    ]);
    const table = await runInProcess(['hold', 'list', '--region', REGION]);
    expect(table.stdout).toMatch(/^h1\s+ap-southeast-1\s+alpha\s+.*legal INC-42$/m);

    // keep 1: h3 (newest not held) kept by --keep, h1 kept for its hold, only h2 would go.
    const dry = await runInProcess(['prune', '--target-region', REGION, '--keep', '1', '--dry-run']);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toMatch(/would delete\s+h2/);
    expect(dry.stdout).toMatch(/keep\s+h1\s+.*kept for hold: legal INC-42/);
    expect(dry.stdout).toMatch(/would delete 1, kept 2 \(1 for a hold\)/);
    const dryJson = json<{
      clusters: { delete: { identifier: string }[]; keep: { identifier: string; hold?: string }[] }[];
    }>(await runInProcess(['prune', '--target-region', REGION, '--keep', '0', '--dry-run', '--json']));
    expect(dryJson.clusters[0]?.delete.map((d) => d.identifier).sort()).toEqual(['h2', 'h3']);
    expect(dryJson.clusters[0]?.keep).toEqual([
      expect.objectContaining({ identifier: 'h1', hold: 'legal INC-42' }),
    ]);

    const clear = await runInProcess(['hold', 'clear', 'h1', '--region', REGION]);
    expect(clear.code, clear.stderr).toBe(0);
    expect(clear.stdout).toMatch(/hold cleared on h1 .*was: legal INC-42/);
    expect(await tagsOf(REGION, 'h1')).not.toHaveProperty('snapcopy:hold');
    expect(await tagsOf(REGION, 'h1')).toHaveProperty('snapcopy:managed', 'true');
    const again = await runInProcess(['hold', 'clear', 'h1', '--region', REGION]);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/has no hold/);
    const none = await runInProcess(['hold', 'list', '--region', REGION]);
    expect(none.stdout).toMatch(/no snapcopy copies on hold in ap-southeast-1/);
  });

  it('the default reason names who and when', async () => {
    const r = await runInProcess(['hold', 'set', 'h2', '--region', REGION, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(json<{ hold: string }>(r).hold).toMatch(/^held by \S+@\S+ at \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    await runInProcess(['hold', 'clear', 'h2', '--region', REGION]);
  });

  it('refuses a snapshot snapcopy does not manage, one line, exit 1, nothing tagged', async () => {
    const r = await runInProcess(['hold', 'set', 'foreign', '--region', REGION]);
    expect(r.code).toBe(1);
    expect(errorLines(r)).toEqual([
      expect.stringMatching(
        /^snapcopy: refusing to hold foreign in ap-southeast-1: it is not a snapcopy copy/,
      ),
    ]);
    expect(await tagsOf(REGION, 'foreign')).not.toHaveProperty('snapcopy:hold');
  });

  it('bad input is one line and exit 2, before any AWS call', async () => {
    const cases: [string[], RegExp][] = [
      [['hold', 'set', 'h1', '--region', REGION, '--reason', 'x'.repeat(257)], /at most 256/],
      [
        ['hold', 'set', 'h1', '--region', REGION, '--reason', 'no <angle> brackets'],
        /--reason may only hold/,
      ],
      [['hold', 'set', 'Bad--name', '--region', REGION], /snapshot name 'Bad--name'/],
      [['hold', 'clear', 'h1', '--region', 'Mars-1'], /--region/],
      [['hold', 'set', 'h1', '--region', REGION, '--external-id', 'x'], /--external-id needs --role-arn/],
      [
        ['hold', 'list', '--region', REGION, '--role-arn', 'arn:aws:iam::1:user/x'],
        /--role-arn .* not an IAM role ARN/,
      ],
    ];
    for (const [args, message] of cases) {
      const r = await runInProcess(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(errorLines(r), args.join(' ')).toEqual([expect.stringMatching(message)]);
    }
    expect(await tagsOf(REGION, 'h1')).not.toHaveProperty('snapcopy:hold');
  });

  it('a snapshot that is not there: one line, exit 1', async () => {
    const r = await runInProcess(['hold', 'clear', 'nope', '--region', REGION]);
    expect(r.code).toBe(1);
    expect(errorLines(r)).toEqual([expect.stringMatching(/no DB cluster snapshot 'nope' in ap-southeast-1/)]);
  });
});

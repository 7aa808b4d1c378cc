// Restores behind the restore-test activity contract, in memory, for workflow tests on the time-skipping
// server: a restored cluster and its writer are `creating` for restoreMs / instanceMs of (skipped) workflow
// time, `deleting` for deleteMs, a `creating` cluster or writer refuses deletion, a cluster with a writer
// refuses deletion, and the DB cluster quota applies — the rules the emulator follows for AWS. Deletion
// refusals use the real activity's tag check (throwawayRefusal), so the fake cannot drift from it.
import { ApplicationFailure } from '@temporalio/common';
import {
  throwawayRefusal,
  type CreateWriterInput,
  type DeleteThrowawayInput,
  type RestoreClusterInput,
  type SqlCheckInput,
  type SqlCheckResult,
  type ThrowawayCluster,
  type ThrowawayInstance,
  type RestorableSnapshot,
} from '../../src/activities/restore-test';
import type { AssumedRole } from '../../src/activities/types';
import { parseRoleArn } from '../../src/shared/cross-account';
import { RESOURCE_NOT_OWNED, THROWAWAY_BUSY } from '../../src/shared/restore-tests';
import type { Tag } from '../../src/shared/types';
import type { AuditResult } from '../../src/shared/rpo-audit';

export const ENGINE = 'aurora-postgresql';
export const ENGINE_VERSION = '16.4';

interface Resource {
  kind: 'cluster' | 'instance';
  account: string;
  region: string;
  identifier: string;
  tags: Tag[];
  createdAt: number;
  readyMs: number;
  deleteRequestedAt?: number;
  /** Forced status (a restore that fails, a writer that is stuck). */
  status?: string;
  cluster?: string;
  engine?: string;
  engineVersion?: string;
  encrypted?: boolean;
  kmsKeyId?: string;
  httpEndpoint?: boolean;
  /** Made by a call whose answer was lost. */
  lost?: boolean;
}

export interface SnapshotLookup {
  (region: string, identifier: string, account: string): Promise<RestorableSnapshot | undefined>;
}

const accountOf = (input: { role?: AssumedRole }, fallback: string) =>
  input.role ? (parseRoleArn(input.role.roleArn)?.accountId ?? fallback) : fallback;
const fail = (type: string, message: string) =>
  ApplicationFailure.create({ type, message, nonRetryable: true });

export class FakeRestores {
  readonly resources = new Map<string, Resource>();
  restoreMs = 20 * 60 * 1000;
  instanceMs = 10 * 60 * 1000;
  deleteMs = 60 * 1000;
  clusterQuota = 40;
  /** What restored clusters get instead of the snapshot's (a check that fails). */
  override: { engine?: string; engineVersion?: string; kmsKeyId?: string } = {};
  /** Restored clusters end in this status instead of `available`. */
  clusterEndsIn?: string;
  /** The Data API's answer: rows (first column of the first row), or a refusal. */
  sql: { first?: string | number | null; rows?: number; refuse?: string } = { first: 1, rows: 1 };
  /** Restores whose answer is lost after AWS made the cluster (the call fails retryably), one each. */
  lostRestoreResponses = 0;
  /**
   * What Temporal's visibility would answer for plans (the time-skipping server lists no workflows):
   * `<region>/<cluster>` → when its last restore test passed (ISO). Tests set it.
   */
  readonly passed = new Map<string, string>();
  /** The audits' results so far, newest last: what the schedule's previous action answers. */
  readonly audits: AuditResult[] = [];

  constructor(
    private readonly clock: () => Promise<number>,
    private readonly snapshot: SnapshotLookup,
    private readonly defaultAccount: string,
  ) {}

  private key(kind: string, account: string, region: string, id: string): string {
    return `${kind}/${account}/${region}/${id}`;
  }

  /** Resources not gone yet (status computed now). */
  async live(): Promise<(Resource & { now: string })[]> {
    const out: (Resource & { now: string })[] = [];
    for (const r of [...this.resources.values()]) {
      const now = await this.statusOf(r);
      if (now !== 'gone') out.push({ ...r, now });
    }
    return out;
  }

  /** Every cluster or instance ever made, deleted or not. */
  all(): Resource[] {
    return [...this.resources.values()];
  }

  private async statusOf(r: Resource): Promise<string> {
    const t = await this.clock();
    if (r.deleteRequestedAt !== undefined)
      return t >= r.deleteRequestedAt + this.deleteMs ? 'gone' : 'deleting';
    if (t < r.createdAt + r.readyMs) return 'creating';
    return r.status ?? 'available';
  }

  /** A foreign cluster (not made by snapcopy) under a name, to prove it is never deleted. */
  async addForeignCluster(region: string, identifier: string, tags: Tag[] = []): Promise<void> {
    this.resources.set(this.key('cluster', this.defaultAccount, region, identifier), {
      kind: 'cluster',
      account: this.defaultAccount,
      region,
      identifier,
      tags,
      createdAt: await this.clock(),
      readyMs: 0,
    });
  }

  private async clusterView(r: Resource): Promise<ThrowawayCluster> {
    return {
      identifier: r.identifier,
      arn: `arn:aws:rds:${r.region}:${r.account}:cluster:${r.identifier}`,
      status: await this.statusOf(r),
      ...(r.engine ? { engine: r.engine } : {}),
      ...(r.engineVersion ? { engineVersion: r.engineVersion } : {}),
      storageEncrypted: r.encrypted === true,
      ...(r.kmsKeyId ? { kmsKeyId: r.kmsKeyId } : {}),
      httpEndpointEnabled: r.httpEndpoint === true,
      tags: r.tags,
    };
  }

  private async find(
    kind: 'cluster' | 'instance',
    input: { region: string; role?: AssumedRole },
    id: string,
  ) {
    const r = this.resources.get(this.key(kind, accountOf(input, this.defaultAccount), input.region, id));
    if (!r || (await this.statusOf(r)) === 'gone') return undefined;
    return r;
  }

  /** The restore-test activities over this fake (`record` notes each call). */
  activities(record: (name: string, input: unknown) => void) {
    const describeCluster = async (input: {
      region: string;
      role?: AssumedRole;
      clusterIdentifier: string;
    }) => {
      record('describeThrowawayCluster', input);
      const r = await this.find('cluster', input, input.clusterIdentifier);
      return r ? this.clusterView(r) : null;
    };
    const describeInstance = async (input: {
      region: string;
      role?: AssumedRole;
      identifier: string;
    }): Promise<ThrowawayInstance | null> => {
      record('describeThrowawayInstance', input);
      const r = await this.find('instance', input, input.identifier);
      return r ? { identifier: r.identifier, status: await this.statusOf(r), tags: r.tags } : null;
    };
    const remove = async (kind: 'cluster' | 'instance', input: DeleteThrowawayInput) => {
      record(kind === 'cluster' ? 'deleteThrowawayCluster' : 'deleteThrowawayInstance', input);
      const r = await this.find(kind, input, input.identifier);
      if (!r) return { result: 'absent' as const };
      const refusal = throwawayRefusal(r.tags, input.workflowId);
      if (refusal) throw fail(RESOURCE_NOT_OWNED, `Refusing to delete ${input.identifier}: ${refusal}`);
      const status = await this.statusOf(r);
      if (status === 'deleting') return { result: 'deleting' as const };
      if (status === 'creating') throw fail(THROWAWAY_BUSY, `${input.identifier} is creating`);
      if (kind === 'cluster') {
        for (const i of this.resources.values()) {
          if (
            i.kind === 'instance' &&
            i.cluster === r.identifier &&
            ['creating', 'available'].includes(await this.statusOf(i))
          )
            throw fail(
              THROWAWAY_BUSY,
              `cluster ${r.identifier} still contains DB instances in non-deleting state`,
            );
        }
      }
      r.deleteRequestedAt = await this.clock();
      return { result: 'deleting' as const };
    };
    return {
      // The RPO audit's Temporal reads (the time-skipping server has no visibility listing nor schedules).
      lastRestoreTests: async (input: { region: string; clusters: string[] }) => {
        await Promise.resolve();
        record('lastRestoreTests', input);
        return {};
      },
      previousAudit: async (input: { scheduleId: string }) => {
        await Promise.resolve();
        record('previousAudit', input);
        return this.audits.at(-1);
      },
      lastPassedRestoreTests: async (input: { region: string; clusters: string[] }) => {
        await Promise.resolve();
        record('lastPassedRestoreTests', input);
        const out: Record<string, string> = {};
        for (const c of input.clusters) {
          const at = this.passed.get(`${input.region}/${c}`);
          if (at) out[c] = at;
        }
        return out;
      },
      describeRestorableSnapshot: async (input: {
        region: string;
        role?: AssumedRole;
        identifier: string;
      }) => {
        record('describeRestorableSnapshot', input);
        const s = await this.snapshot(input.region, input.identifier, accountOf(input, this.defaultAccount));
        if (!s)
          throw fail(
            'DBClusterSnapshotNotFoundFault',
            `DB cluster snapshot ${input.identifier} does not exist`,
          );
        return s;
      },
      restoreThrowawayCluster: async (input: RestoreClusterInput): Promise<ThrowawayCluster> => {
        record('restoreThrowawayCluster', input);
        const account = accountOf(input, this.defaultAccount);
        const key = this.key('cluster', account, input.region, input.clusterIdentifier);
        const existing = this.resources.get(key);
        if (existing && (await this.statusOf(existing)) !== 'gone') {
          // As the real activity: adopted only with all of the restore test's tags and this workflow's ID.
          if (!throwawayRefusal(existing.tags, input.workflowId)) return this.clusterView(existing);
          throw fail('DBClusterAlreadyExistsFault', `DB cluster ${input.clusterIdentifier} already exists`);
        }
        const snapshotId = input.snapshotArn.slice(input.snapshotArn.lastIndexOf(':') + 1);
        const s = await this.snapshot(input.region, snapshotId, account);
        if (!s)
          throw fail(
            'DBClusterSnapshotNotFoundFault',
            `DB cluster snapshot ${input.snapshotArn} does not exist`,
          );
        if (s.status !== 'available')
          throw fail(
            'InvalidDBClusterSnapshotStateFault',
            `DB cluster snapshot ${snapshotId} is ${s.status}`,
          );
        const clusters = (await this.live()).filter(
          (r) => r.kind === 'cluster' && r.account === account && r.region === input.region,
        );
        if (clusters.length >= this.clusterQuota)
          throw fail('DBClusterQuotaExceededFault', 'Cannot create more than 40 DB clusters in this Region');
        const r: Resource = {
          kind: 'cluster',
          account,
          region: input.region,
          identifier: input.clusterIdentifier,
          tags: [
            { Key: 'snapcopy:managed', Value: 'true' },
            { Key: 'snapcopy:workflow-id', Value: input.workflowId },
            { Key: 'snapcopy:verify-of', Value: input.snapshotArn },
          ],
          createdAt: await this.clock(),
          readyMs: this.restoreMs,
          engine: this.override.engine ?? s.engine,
          engineVersion: this.override.engineVersion ?? input.engineVersion ?? s.engineVersion,
          encrypted: s.encrypted,
          ...(s.encrypted ? { kmsKeyId: this.override.kmsKeyId ?? s.kmsKeyId } : {}),
          ...(this.clusterEndsIn ? { status: this.clusterEndsIn } : {}),
        };
        this.resources.set(key, r);
        if (this.lostRestoreResponses > 0) {
          this.lostRestoreResponses--;
          throw ApplicationFailure.create({
            type: 'NetworkError',
            message: 'socket hang up',
            nonRetryable: false,
          });
        }
        return this.clusterView(r);
      },
      describeThrowawayCluster: describeCluster,
      createWriterInstance: async (input: CreateWriterInput): Promise<ThrowawayInstance> => {
        record('createWriterInstance', input);
        const account = accountOf(input, this.defaultAccount);
        const cluster = await this.find('cluster', input, input.clusterIdentifier);
        if (!cluster) throw fail('DBClusterNotFoundFault', `DB cluster ${input.clusterIdentifier} not found`);
        const key = this.key('instance', account, input.region, input.instanceIdentifier);
        const existing = this.resources.get(key);
        if (existing && (await this.statusOf(existing)) !== 'gone') {
          if (throwawayRefusal(existing.tags, input.workflowId))
            throw fail(
              'DBInstanceAlreadyExistsFault',
              `DB instance ${input.instanceIdentifier} already exists`,
            );
          return {
            identifier: existing.identifier,
            status: await this.statusOf(existing),
            tags: existing.tags,
          };
        }
        const r: Resource = {
          kind: 'instance',
          account,
          region: input.region,
          identifier: input.instanceIdentifier,
          cluster: input.clusterIdentifier,
          tags: [
            { Key: 'snapcopy:managed', Value: 'true' },
            { Key: 'snapcopy:workflow-id', Value: input.workflowId },
            { Key: 'snapcopy:verify-of', Value: input.snapshotArn },
          ],
          createdAt: await this.clock(),
          readyMs: this.instanceMs,
        };
        this.resources.set(key, r);
        return { identifier: r.identifier, status: await this.statusOf(r), tags: r.tags };
      },
      describeThrowawayInstance: describeInstance,
      deleteThrowawayInstance: (input: DeleteThrowawayInput) => remove('instance', input),
      deleteThrowawayCluster: (input: DeleteThrowawayInput) => remove('cluster', input),
      enableDataApi: async (input: DeleteThrowawayInput & { clusterArn: string }) => {
        record('enableDataApi', input);
        const r = await this.find('cluster', input, input.identifier);
        // As the real activity: never turned on for a cluster the restore test's tags do not claim.
        const refusal = r ? throwawayRefusal(r.tags, input.workflowId) : 'it does not exist';
        if (refusal)
          throw fail(
            RESOURCE_NOT_OWNED,
            `Refusing to enable the Data API of ${input.identifier}: ${refusal}`,
          );
        r!.httpEndpoint = true;
      },
      runSqlCheck: async (input: SqlCheckInput): Promise<SqlCheckResult> => {
        record('runSqlCheck', input);
        const id = input.clusterArn.slice(input.clusterArn.lastIndexOf(':') + 1);
        const r = await this.find('cluster', input, id);
        if (!r?.httpEndpoint)
          throw fail('BadRequestException', `HttpEndpoint is not enabled for cluster ${id}`);
        if (this.sql.refuse) throw fail('BadRequestException', this.sql.refuse);
        return {
          rows: this.sql.rows ?? 0,
          ...(this.sql.first !== undefined ? { first: this.sql.first } : {}),
        };
      },
    };
  }
}

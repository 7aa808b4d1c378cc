// An in-memory AWS behind the activity contract, for workflow tests on the real time-skipping
// Temporal server. Copy progress follows the test server's (skipped) clock, so a 30-hour copy takes
// 30 hours of workflow time. Failures have the same types as the real activities'. Ownership is read with
// the code the real activities use (src/shared/ownership.ts) and copies are tagged by the real activity's
// buildCopyTags, so the fake cannot drift from what a delete, an adoption or a prune decision rests on; a delete
// is refused (not owned, on hold) by the very check the real activity makes (deleteRefusal).
import { ApplicationFailure } from '@temporalio/common';
import type { createActivities } from '../../src/activities';
import { noTemporalActivities, type TemporalActivities } from '../../src/activities';
import { followTarget, type FollowTicker } from '../../src/activities/follow-target';
import { buildCopyTags } from '../../src/activities/start-copy';
import type {
  FollowTargetInput,
  AssumedRole,
  CallerAccountInput,
  CheckSourceKeyInput,
  ShareSnapshotInput,
  DeleteOwnedSnapshotInput,
  DescribeSourceInput,
  DescribeTargetInput,
  FindLatestSnapshotInput,
  FindPlanSourcesInput,
  ListOwnedCopiesInput,
  OwnedCopy,
  PlanSources,
  ResolveKmsKeyInput,
  SourceSnapshotInfo,
  StartCopyInput,
} from '../../src/activities/types';
import { parseRoleArn } from '../../src/shared/cross-account';
import {
  FailureType,
  HOLD_TAG,
  MANAGED_TAG_VALUE,
  OWNERSHIP_TAGS,
  RECOVERY_POINT_TAG,
} from '../../src/shared/names';
import { deleteRefusal, holdOf, isManaged, isOwnedBy, tagValue } from '../../src/shared/ownership';
import type { PlanRunResult } from '../../src/shared/plan-run';
import type { DBClusterSnapshotView, Tag } from '../../src/shared/types';
import { ENGINE, ENGINE_VERSION, FakeRestores } from './fake-restores';

type Activities = ReturnType<typeof createActivities>;

export const ACCOUNT = '123456789012';

export interface FakeSnapshot {
  /** The account it lives in (default ACCOUNT). */
  account: string;
  /** Accounts it is shared with (the `restore` attribute). */
  sharedWith: string[];
  region: string;
  identifier: string;
  cluster: string;
  type: 'manual' | 'automated' | 'shared';
  status: string;
  encrypted: boolean;
  kmsKeyId?: string;
  tags: Tag[];
  createdAt: number;
  /** Set when deleted: the snapshot stays listed as `deleting` for deleteDelayMs. */
  deletedAt?: number;
  /** Set on copies: when the copy started and how long it queues and runs. */
  copy?: { startedAt: number; queueMs: number; durationMs: number; sourceKey: string };
}

export interface FakeKey {
  /** Default ACCOUNT. */
  account?: string;
  region: string;
  keyId: string;
  aliases: string[];
  enabled?: boolean;
  /** The AWS managed key aws/rds (cannot be shared). */
  awsManaged?: boolean;
  /** Other accounts its key policy lets use it. */
  allowAccounts?: string[];
}

export interface Call {
  name: keyof Activities;
  input: unknown;
}

// `<region>/<id>` in the default account (as tests name them), `<account>/<region>/<id>` in others.
const key = (region: string, id: string, account = ACCOUNT) =>
  `${account === ACCOUNT ? '' : `${account}/`}${region}/${id.toLowerCase()}`;
const arnOf = (s: { account: string; region: string; identifier: string }) =>
  `arn:aws:rds:${s.region}:${s.account}:cluster-snapshot:${s.identifier}`;
const keyArnOf = (k: FakeKey) => `arn:aws:kms:${k.region}:${k.account ?? ACCOUNT}:key/${k.keyId}`;
/** The account a call acts in: its role's, else the default credentials' (ACCOUNT). */
const accountOf = (input: { role?: AssumedRole }) =>
  input.role ? (parseRoleArn(input.role.roleArn)?.accountId ?? ACCOUNT) : ACCOUNT;
const fail = (type: string, message: string, details?: unknown) =>
  ApplicationFailure.create({ type, message, nonRetryable: true, details: details ? [details] : [] });

export class FakeAws {
  readonly snapshots = new Map<string, FakeSnapshot>();
  readonly keys: FakeKey[] = [];
  /** DB clusters by Region and identifier, with their tags (for plans' selection). */
  readonly clusters = new Map<string, { region: string; identifier: string; tags: Record<string, string> }>();
  readonly calls: Call[] = [];
  copyQueueMs = 0;
  copyDurationMs = 60 * 60 * 1000;
  /** Copies in `copying` per Region beyond which CopyDBClusterSnapshot is refused. */
  copyLimit = 5;
  /** Until this time (ms), copies started outside snapcopy hold every slot in every Region. */
  foreignCopiesUntil = 0;
  /** Manual snapshots per Region beyond which CopyDBClusterSnapshot is refused. */
  manualQuota = 100;
  /** How long a deleted snapshot stays listed as `deleting` (and still counts against the quota). */
  deleteDelayMs = 0;
  /** Starts whose answer is lost after AWS made the copy (the activity fails retryably), one each. */
  lostStartResponses = 0;
  /** Plan-run reports published to SNS, in order. */
  readonly published: { topicArn: string; result: PlanRunResult }[] = [];
  /** When set, publishing fails with this non-retryable SNS error (NotFound). */
  publishRefusal?: string;
  /** RPO audit turns published to SNS, in order. */
  readonly rpoTurns: { topicArn: string; subject: string; text: string }[] = [];
  /** Regions whose recovery-point listing fails (an AWS outage the audit must ride out). */
  readonly listingOutage = new Set<string>();
  /** Until this time (ms), describing a target fails as AWS throttling does. */
  describeOutageUntil = 0;
  /**
   * Called with each listing listOwnedCopies answers, after it was taken: a test sets a hold here to model a
   * person holding a copy between the workflow's listing and its delete.
   */
  afterListing?: (listed: OwnedCopy[]) => void;

  /** Restore tests' clusters and writers (verifyCopy). */
  readonly restores: FakeRestores;

  constructor(private readonly clock: () => Promise<number>) {
    this.restores = new FakeRestores(
      clock,
      async (region, identifier, account) => {
        const s = this.find(region, identifier, account);
        if (!s) return undefined;
        await this.refresh(s);
        return {
          arn: arnOf(s),
          identifier: s.identifier,
          accountId: s.account,
          status: s.status,
          engine: ENGINE,
          engineVersion: ENGINE_VERSION,
          encrypted: s.encrypted,
          ...(s.kmsKeyId ? { kmsKeyId: s.kmsKeyId } : {}),
          ...(tagValue(s.tags, OWNERSHIP_TAGS.sourceCluster)
            ? { sourceCluster: tagValue(s.tags, OWNERSHIP_TAGS.sourceCluster) }
            : {}),
        };
      },
      ACCOUNT,
    );
  }

  addSnapshot(s: Partial<FakeSnapshot> & Pick<FakeSnapshot, 'region' | 'identifier'>): FakeSnapshot {
    const full: FakeSnapshot = {
      account: ACCOUNT,
      sharedWith: [],
      cluster: 'prod-cluster',
      type: s.identifier.startsWith('rds:') ? 'automated' : 'manual',
      status: 'available',
      encrypted: false,
      tags: [],
      createdAt: 0,
      ...s,
    };
    this.snapshots.set(key(full.region, full.identifier, full.account), full);
    return full;
  }

  /** A DB cluster (for plans), optionally with a first available snapshot of it. */
  addCluster(region: string, identifier: string, tags: Record<string, string> = {}): void {
    this.clusters.set(key(region, identifier), { region, identifier: identifier.toLowerCase(), tags });
  }

  /** An available copy made earlier by another snapcopy run. */
  addOwnedCopy(region: string, identifier: string, cluster: string, createdAt: number): FakeSnapshot {
    return this.addSnapshot({
      region,
      identifier,
      cluster,
      createdAt,
      tags: [
        { Key: OWNERSHIP_TAGS.managed, Value: MANAGED_TAG_VALUE },
        { Key: OWNERSHIP_TAGS.sourceCluster, Value: cluster },
        { Key: OWNERSHIP_TAGS.workflowId, Value: `snapcopy-${region}-${identifier}` },
      ],
    });
  }

  /** Puts a hold (snapcopy:hold = reason) on a snapshot, as `snapcopy hold set` does; undefined clears it. */
  setHold(region: string, identifier: string, reason: string | undefined, account = ACCOUNT): void {
    const s = this.get(region, identifier, account);
    if (!s) throw new Error(`no snapshot ${region}/${identifier}`);
    s.tags = [
      ...s.tags.filter((t) => t.Key !== HOLD_TAG),
      ...(reason !== undefined ? [{ Key: HOLD_TAG, Value: reason }] : []),
    ];
  }

  get(region: string, identifier: string, account = ACCOUNT): FakeSnapshot | undefined {
    return this.snapshots.get(key(region, identifier, account));
  }

  /**
   * A snapshot as AWS holds it now (copy progress and deletes applied, as any call would see it), without
   * recording a call: for a test's oracle, which must not add to the call log it checks.
   */
  async peek(region: string, identifier: string, account = ACCOUNT): Promise<FakeSnapshot | undefined> {
    const s = this.get(region, identifier, account);
    if (s) await this.refresh(s);
    return this.get(region, identifier, account);
  }

  /** The clusters a plan selects in a Region (by name or by all its tags), and the named ones that do not exist. */
  private choose(input: FindPlanSourcesInput): { chosen: string[]; missing: string[] } {
    const named = new Set(input.clusters.map((c) => c.toLowerCase()));
    const wanted = Object.entries(input.tags);
    const inRegion = [...this.clusters.values()].filter((c) => c.region === input.region);
    const chosen = inRegion
      .filter(
        (c) => named.has(c.identifier) || (wanted.length > 0 && wanted.every(([k, v]) => c.tags[k] === v)),
      )
      .map((c) => c.identifier)
      .sort();
    const known = new Set(inRegion.map((c) => c.identifier));
    return { chosen, missing: [...named].filter((c) => !known.has(c)).sort() };
  }

  callsOf(name: keyof Activities): unknown[] {
    return this.calls.filter((c) => c.name === name).map((c) => c.input);
  }

  /** Calls that create or delete something in AWS. */
  mutations(): Call[] {
    const changes = new Set<keyof Activities>([
      'startCopy',
      'deleteOwnedSnapshot',
      'shareSnapshot',
      'unshareSnapshot',
      'restoreThrowawayCluster',
      'createWriterInstance',
      'deleteThrowawayInstance',
      'deleteThrowawayCluster',
      'enableDataApi',
    ]);
    return this.calls.filter((c) => changes.has(c.name));
  }

  private async refresh(s: FakeSnapshot): Promise<{ percent: number }> {
    if (s.deletedAt !== undefined) {
      if ((await this.clock()) >= s.deletedAt + this.deleteDelayMs)
        this.snapshots.delete(key(s.region, s.identifier, s.account));
      return { percent: 0 };
    }
    if (!s.copy || s.status !== 'copying') return { percent: s.status === 'available' ? 100 : 0 };
    if (!this.snapshots.has(s.copy.sourceKey)) {
      s.status = 'failed';
      return { percent: 0 };
    }
    const elapsed = (await this.clock()) - s.copy.startedAt - s.copy.queueMs;
    const percent = Math.max(0, Math.min(100, Math.floor((elapsed / s.copy.durationMs) * 100)));
    if (percent >= 100) s.status = 'available';
    return { percent };
  }

  private async view(s: FakeSnapshot): Promise<DBClusterSnapshotView> {
    const { percent } = await this.refresh(s);
    return {
      DBClusterSnapshotIdentifier: s.identifier,
      DBClusterIdentifier: s.cluster,
      DBClusterSnapshotArn: arnOf(s),
      Status: s.status,
      PercentProgress: percent,
      StorageEncrypted: s.encrypted,
      KmsKeyId: s.kmsKeyId,
      SnapshotType: s.type === 'shared' ? 'shared' : 'manual',
      SnapshotCreateTime: new Date(s.createdAt).toISOString(),
      Engine: 'aurora-postgresql',
      AllocatedStorage: 10,
      TagList: s.tags,
      ...(s.copy ? { SourceDBClusterSnapshotArn: `arn:aws:rds:${s.copy.sourceKey}` } : {}),
    };
  }

  /** A snapshot by name (the caller's) or ARN (another account's only when shared with the caller). */
  private find(region: string, identifier: string, caller = ACCOUNT): FakeSnapshot | undefined {
    const arn = /^arn:aws:rds:([^:]+):(\d+):cluster-snapshot:(.+)$/.exec(identifier);
    if (!arn) return this.get(region, identifier, caller);
    const s = this.get(arn[1]!, arn[3]!, arn[2]);
    return s && (s.account === caller || s.sharedWith.includes(caller)) ? s : undefined;
  }

  private keyByArn(arn: string | undefined): FakeKey | undefined {
    return this.keys.find((k) => keyArnOf(k) === arn);
  }

  private async sourceInfo(s: FakeSnapshot, caller = ACCOUNT): Promise<SourceSnapshotInfo> {
    await this.refresh(s);
    if (s.status !== 'available') {
      throw fail(FailureType.InvalidSnapshotState, `source ${s.identifier} is ${s.status}, not available`);
    }
    return {
      arn: arnOf(s),
      identifier: s.identifier,
      region: s.region,
      accountId: s.account,
      status: s.status,
      encrypted: s.encrypted,
      kmsKeyId: s.kmsKeyId,
      clusterIdentifier: s.cluster,
      engine: 'aurora-postgresql',
      snapshotType: s.type,
      shared: s.type === 'shared' || s.account !== caller,
      createTime: new Date(s.createdAt).toISOString(),
      tags: s.tags,
    };
  }

  /**
   * The AWS activities, in memory. `slots`: the copy-slot activities (Temporal calls, not AWS: the real
   * ones against the test server); without, they fail as a worker without a Temporal client does.
   */
  activities(temporal: TemporalActivities = noTemporalActivities()): Activities {
    const record = <I>(name: keyof Activities, input: I) => this.calls.push({ name, input });
    const describeTarget = async (input: DescribeTargetInput) => {
      if ((await this.clock()) < this.describeOutageUntil) {
        throw ApplicationFailure.create({
          type: 'Throttling',
          message: 'Rate exceeded',
          nonRetryable: false,
        });
      }
      const s = this.get(input.region, input.identifier, accountOf(input));
      if (s) await this.refresh(s);
      const still = this.get(input.region, input.identifier, accountOf(input));
      return still ? this.view(still) : null;
    };
    return {
      ...temporal,
      ...this.restores.activities((name, input) => record(name as keyof Activities, input)),
      // The RPO audit's reads: the clusters a plan selects now, and snapcopy's copies in a destination.
      planClustersNow: async (input: FindPlanSourcesInput) => {
        await Promise.resolve();
        record('planClustersNow', input);
        return this.choose(input);
      },
      listRecoveryPoints: async (input: { region: string; role?: AssumedRole; clusters?: string[] }) => {
        record('listRecoveryPoints', input);
        if (this.listingOutage.has(input.region)) {
          throw ApplicationFailure.create({
            type: 'Throttling',
            message: 'Rate exceeded',
            nonRetryable: true,
          });
        }
        const out = [];
        for (const s of [...this.snapshots.values()]) {
          if (s.region !== input.region || s.account !== accountOf(input) || !isManaged(s.tags)) continue;
          await this.refresh(s);
          const sourceCluster = tagValue(s.tags, OWNERSHIP_TAGS.sourceCluster);
          const point = tagValue(s.tags, RECOVERY_POINT_TAG);
          out.push({
            identifier: s.identifier,
            arn: arnOf(s),
            status: s.status,
            ...(sourceCluster ? { sourceCluster } : {}),
            ...(point ? { recoveryPointTag: point } : {}),
            snapshotCreateTime: new Date(s.createdAt).toISOString(),
          });
        }
        return out;
      },
      publishRpoTurn: async (input: { topicArn: string; subject: string; text: string }) => {
        await Promise.resolve();
        record('publishRpoTurn', input);
        this.rpoTurns.push(input);
        return { messageId: `rpo-${this.rpoTurns.length}` };
      },
      countCopiesInFlight: async (input: { region: string; role?: AssumedRole }) => {
        record('countCopiesInFlight', input);
        // AWS's limit is per account and Region: only the caller's copies count.
        let copying = 0;
        for (const s of [...this.snapshots.values()]) {
          await this.refresh(s);
          if (s.region === input.region && s.account === accountOf(input) && s.status === 'copying')
            copying++;
        }
        return copying + ((await this.clock()) < this.foreignCopiesUntil ? this.copyLimit : 0);
      },
      describeSourceSnapshot: async (input: DescribeSourceInput): Promise<SourceSnapshotInfo> => {
        record('describeSourceSnapshot', input);
        const s = this.find(input.region, input.identifier, accountOf(input));
        if (!s) throw fail(FailureType.NotFound, `DBClusterSnapshot ${input.identifier} not found`);
        return this.sourceInfo(s, accountOf(input));
      },
      findLatestClusterSnapshot: async (input: FindLatestSnapshotInput): Promise<SourceSnapshotInfo> => {
        record('findLatestClusterSnapshot', input);
        const newest = [...this.snapshots.values()]
          .filter(
            (s) =>
              s.region === input.region &&
              s.account === accountOf(input) &&
              s.cluster === input.clusterIdentifier &&
              s.status === 'available' &&
              // As the real activity: snapcopy's own copies keep the cluster ID but are never "the newest".
              !isManaged(s.tags),
          )
          .sort((a, b) => b.createdAt - a.createdAt)[0];
        if (!newest)
          throw fail(FailureType.NotFound, `cluster ${input.clusterIdentifier} has no available snapshot`);
        return this.sourceInfo(newest, accountOf(input));
      },
      findPlanSources: async (input: FindPlanSourcesInput): Promise<PlanSources> => {
        await Promise.resolve();
        record('findPlanSources', input);
        const { chosen, missing } = this.choose(input);
        const sources = chosen.map((cluster) => {
          const newest = [...this.snapshots.values()]
            .filter(
              (s) =>
                s.region === input.region &&
                s.cluster === cluster &&
                s.status === 'available' &&
                !isManaged(s.tags),
            )
            .sort((a, b) => b.createdAt - a.createdAt)[0];
          return newest
            ? {
                cluster,
                snapshot: {
                  arn: arnOf(newest),
                  identifier: newest.identifier,
                  createdAt: new Date(newest.createdAt).toISOString(),
                  encrypted: newest.encrypted,
                },
              }
            : { cluster };
        });
        return { sources, missing };
      },
      publishPlanReport: async (input: { topicArn: string; result: PlanRunResult }) => {
        await Promise.resolve();
        record('publishPlanReport', input);
        if (this.publishRefusal !== undefined) throw fail(FailureType.NotFound, this.publishRefusal);
        this.published.push(input);
        return { messageId: `msg-${this.published.length}` };
      },
      resolveKmsKey: async (input: ResolveKmsKeyInput) => {
        await Promise.resolve();
        record('resolveKmsKey', input);
        const caller = accountOf(input);
        if (
          input.keyId === 'alias/aws/rds' &&
          !this.keys.some(
            (c) => c.region === input.region && (c.account ?? ACCOUNT) === caller && c.awsManaged,
          )
        ) {
          this.keys.push({
            account: caller,
            region: input.region,
            keyId: `aws-rds-${caller}`,
            aliases: ['alias/aws/rds'],
            awsManaged: true,
          });
        }
        const k = this.keys.find(
          (c) =>
            c.region === input.region &&
            (c.account ?? ACCOUNT) === caller &&
            (c.keyId === input.keyId ||
              c.aliases.includes(input.keyId) ||
              input.keyId.endsWith(`:${c.aliases[0] ?? '-'}`) ||
              input.keyId.endsWith(`:key/${c.keyId}`)),
        );
        if (!k)
          throw fail(FailureType.KmsKeyNotAccessible, `KMS key ${input.keyId} not found in ${input.region}`);
        if (k.enabled === false)
          throw fail(FailureType.KmsKeyNotAccessible, `KMS key ${k.keyId} is Disabled`);
        return {
          keyArn: keyArnOf(k),
          keyId: k.keyId,
          multiRegion: false,
        };
      },
      startCopy: async (input: StartCopyInput) => {
        record('startCopy', input);
        const caller = accountOf(input);
        const existing = this.get(input.targetRegion, input.targetIdentifier, caller);
        if (existing) {
          // Adopted only when this workflow made it from this very source, as the real activity decides.
          const ours =
            isOwnedBy(existing.tags, input.workflowId) &&
            tagValue(existing.tags, OWNERSHIP_TAGS.sourceArn) === input.sourceArn;
          if (!ours) throw fail(FailureType.AlreadyExists, `${input.targetIdentifier} already exists`);
          return { adopted: true, snapshot: await this.view(existing) };
        }
        const source = this.find(input.targetRegion, input.sourceIdentifier, caller);
        if (!source) throw fail(FailureType.NotFound, `source ${input.sourceIdentifier} not found`);
        if (source.account !== caller && source.encrypted) {
          // AWS's rules for an encrypted snapshot shared from another account.
          if (source.region !== input.targetRegion)
            throw fail(
              FailureType.InvalidParameterCombination,
              'an encrypted shared snapshot cannot be copied across Regions',
            );
          if (!input.kmsKeyArn) throw fail(FailureType.InvalidParameterValue, 'KmsKeyId is required');
          const sourceKey = this.keyByArn(source.kmsKeyId);
          if (!sourceKey?.allowAccounts?.includes(caller))
            throw fail(
              FailureType.KmsKeyNotAccessible,
              `source key ${source.kmsKeyId} not usable by ${caller}`,
            );
        }
        for (const s of [...this.snapshots.values()]) await this.refresh(s);
        // One reading of the clock, and no await from here to the new snapshot: AWS checks the quotas and
        // counts a copy atomically, so two starts at once cannot both take the last slot.
        const now = await this.clock();
        // Snapshots still being deleted count against the quota, as on AWS.
        const inRegion = [...this.snapshots.values()].filter(
          (s) => s.region === input.targetRegion && s.account === caller,
        );
        const foreignBusy = now < this.foreignCopiesUntil;
        if (foreignBusy || inRegion.filter((s) => s.status === 'copying').length >= this.copyLimit) {
          throw fail(
            FailureType.QuotaExceeded,
            `Cannot copy more than ${this.copyLimit} snapshots across regions`,
            { reason: 'copies-in-flight' },
          );
        }
        if (inRegion.filter((s) => s.type === 'manual').length >= this.manualQuota) {
          throw fail(
            FailureType.QuotaExceeded,
            `Cannot create more than ${this.manualQuota} manual snapshots`,
            {
              reason: 'manual-snapshot-quota',
            },
          );
        }
        const created = this.addSnapshot({
          account: caller,
          region: input.targetRegion,
          identifier: input.targetIdentifier,
          cluster: source.cluster,
          status: 'copying',
          encrypted: source.encrypted,
          kmsKeyId: input.kmsKeyArn ?? source.kmsKeyId,
          createdAt: now,
          // AWS ignores CopyTags beside Tags: the workflow has merged the source's tags into input.tags.
          tags: buildCopyTags(input),
          copy: {
            startedAt: now,
            queueMs: this.copyQueueMs,
            durationMs: this.copyDurationMs,
            sourceKey: key(source.region, source.identifier, source.account),
          },
        });
        if (this.lostStartResponses > 0) {
          this.lostStartResponses--;
          throw ApplicationFailure.create({
            type: 'NetworkError',
            message: 'socket hang up',
            nonRetryable: false,
          });
        }
        return { adopted: false, snapshot: await this.view(created) };
      },
      describeTargetSnapshot: async (input: DescribeTargetInput) => {
        record('describeTargetSnapshot', input);
        return describeTarget(input);
      },
      // Waiting inside an activity is not possible in skipped time: workflow tests follow copies with
      // workflow timers (see follow-with-timers.ts); the follow activity has its own tests. This is only the
      // poll after a timer (no wait, no inline polls), as describeTargetSnapshot polls, by the follow's rules.
      followTargetSnapshot: async (input: FollowTargetInput) => {
        record('followTargetSnapshot', input);
        if (input.waitSeconds > 0 || input.inlineSeconds > 0) {
          throw fail(
            'FollowInActivityUnsupported',
            'the in-memory AWS follows copies with workflow timers only',
          );
        }
        const now = await this.clock();
        const ticker: FollowTicker = {
          now: () => now,
          sleep: () => Promise.reject(new Error('the in-memory AWS never sleeps in a follow')),
          heartbeat: () => undefined,
          resumed: () => undefined,
        };
        return followTarget(input, ticker, async () => ({
          view: await describeTarget(input),
          ageMs: 0,
        }));
      },
      deleteOwnedSnapshot: async (input: DeleteOwnedSnapshotInput) => {
        await Promise.resolve();
        record('deleteOwnedSnapshot', input);
        const s = this.get(input.region, input.identifier, accountOf(input));
        if (!s) return { result: 'absent' as const };
        await this.refresh(s);
        if (input.unlessAvailable && s.status === 'available') return { result: 'kept' as const };
        // The real activity's check on the tags as they are now: not owned, or on hold, is refused.
        const refusal = deleteRefusal(s.tags, input.workflowId);
        if (refusal) {
          throw fail(
            refusal.type,
            `Refusing to delete ${s.identifier}: ${refusal.reason}`,
            refusal.hold !== undefined ? { identifier: input.identifier, hold: refusal.hold } : undefined,
          );
        }
        if (s.deletedAt !== undefined) return { result: 'deleted' as const };
        s.deletedAt = await this.clock();
        s.status = 'deleting';
        if (this.deleteDelayMs === 0) this.snapshots.delete(key(s.region, s.identifier, s.account));
        return { result: 'deleted' as const };
      },
      findCopiesOfSources: async (input: { region: string; sourceArns: string[]; role?: AssumedRole }) => {
        record('findCopiesOfSources', input);
        const wanted = new Set(input.sourceArns);
        const found = [];
        for (const s of this.snapshots.values()) {
          if (s.region !== input.region || s.account !== accountOf(input) || !isManaged(s.tags)) continue;
          await this.refresh(s);
          const sourceArn = tagValue(s.tags, OWNERSHIP_TAGS.sourceArn);
          if (s.status === 'available' && sourceArn !== undefined && wanted.has(sourceArn))
            found.push({ sourceArn, identifier: s.identifier, arn: arnOf(s) });
        }
        return found;
      },
      listOwnedCopies: async (input: ListOwnedCopiesInput): Promise<OwnedCopy[]> => {
        record('listOwnedCopies', input);
        const out: OwnedCopy[] = [];
        for (const s of this.snapshots.values()) {
          if (s.region !== input.region || s.account !== accountOf(input) || !isManaged(s.tags)) continue;
          const cluster = tagValue(s.tags, OWNERSHIP_TAGS.sourceCluster);
          if (input.sourceCluster !== undefined && cluster !== input.sourceCluster) continue;
          await this.refresh(s);
          const hold = holdOf(s.tags);
          out.push({
            identifier: s.identifier,
            arn: arnOf(s),
            status: s.status,
            createTime: new Date(s.createdAt).toISOString(),
            sourceCluster: cluster,
            workflowId: tagValue(s.tags, OWNERSHIP_TAGS.workflowId),
            ...(hold !== undefined ? { hold } : {}),
            tags: [...s.tags],
          });
        }
        this.afterListing?.(out);
        // Oldest first, as src/activities/owned-copies.ts answers (copies without a create time last).
        return out.sort((a, b) => (a.createTime ?? '\uffff').localeCompare(b.createTime ?? '\uffff'));
      },
      callerAccount: async (input: CallerAccountInput) => {
        await Promise.resolve();
        record('callerAccount', input);
        return accountOf(input);
      },
      snapshotSharedWith: async (input: ShareSnapshotInput) => {
        await Promise.resolve();
        record('snapshotSharedWith', input);
        const s = this.get(input.region, input.identifier, accountOf(input));
        if (!s) throw fail(FailureType.NotFound, `${input.identifier} not found`);
        return [...s.sharedWith];
      },
      shareSnapshot: async (input: ShareSnapshotInput) => {
        await Promise.resolve();
        record('shareSnapshot', input);
        const s = this.get(input.region, input.identifier, accountOf(input));
        if (!s) throw fail(FailureType.NotFound, `${input.identifier} not found`);
        if (s.encrypted && this.keyByArn(s.kmsKeyId)?.awsManaged)
          throw fail(FailureType.InvalidParameterValue, 'a snapshot encrypted with aws/rds cannot be shared');
        if (s.sharedWith.includes(input.accountId)) return { changed: false };
        s.sharedWith.push(input.accountId);
        return { changed: true };
      },
      unshareSnapshot: async (input: ShareSnapshotInput) => {
        await Promise.resolve();
        record('unshareSnapshot', input);
        const s = this.get(input.region, input.identifier, accountOf(input));
        if (!s?.sharedWith.includes(input.accountId)) return { changed: false };
        s.sharedWith = s.sharedWith.filter((a) => a !== input.accountId);
        return { changed: true };
      },
      checkSourceKey: async (input: CheckSourceKeyInput) => {
        await Promise.resolve();
        record('checkSourceKey', input);
        const k = this.keyByArn(input.keyArn);
        if (!k) throw fail(FailureType.KmsKeyNotAccessible, `key ${input.keyArn} not found`);
        if (k.awsManaged) return { keyArn: input.keyArn, keyManager: 'AWS' as const };
        if (!k.allowAccounts?.includes(input.targetAccountId))
          throw fail(
            FailureType.KmsKeyNotAccessible,
            `the key policy does not allow kms:CreateGrant for ${input.targetAccountId}`,
          );
        return { keyArn: input.keyArn, keyManager: 'CUSTOMER' as const };
      },
    };
  }
}

// The restore test's AWS calls: describe the copy, restore it into a throwaway cluster, add its writer, read
// both, run the SQL canary, and delete them — each delete only after re-reading the tags that say the
// restore test made it (snapcopy:managed=true, snapcopy:verify-of, and this workflow's snapcopy:workflow-id).
import {
  CreateDBInstanceCommand,
  DeleteDBClusterCommand,
  DeleteDBInstanceCommand,
  DescribeDBClustersCommand,
  DescribeDBInstancesCommand,
  EnableHttpEndpointCommand,
  RestoreDBClusterFromSnapshotCommand,
  type DBCluster,
  type DBInstance,
} from '@aws-sdk/client-rds';
import { ExecuteStatementCommand, type Field } from '@aws-sdk/client-rds-data';
import { MANAGED_TAG_VALUE, OWNERSHIP_TAGS } from '../shared/names';
import { RESOURCE_NOT_OWNED, THROWAWAY_BUSY, VERIFY_OF_TAG } from '../shared/restore-tests';
import { parseArn } from '../shared/arn';
import type { Tag } from '../shared/types';
import { sendOptions, type AwsClients } from './clients';
import { fault, retryableFailure, toActivityFailure } from './errors';
import { tagValue, toTags } from './snapshot-view';
import { ownershipRefusal } from '../shared/ownership';
import { describeClusterSnapshot, readTags } from './target-snapshot';
import type { AssumedRole } from './types';

interface InAccount {
  region: string;
  role?: AssumedRole;
}

export interface RestorableSnapshot {
  arn: string;
  identifier: string;
  accountId: string;
  status: string;
  engine: string;
  engineVersion?: string;
  encrypted: boolean;
  kmsKeyId?: string;
  /** The snapcopy:source-cluster tag of a snapcopy copy: the cluster a plan's restore tests are kept for. */
  sourceCluster?: string;
}

export interface RestoreClusterInput extends InAccount {
  snapshotArn: string;
  clusterIdentifier: string;
  engine: string;
  engineVersion?: string;
  dbSubnetGroupName?: string;
  vpcSecurityGroupIds?: string[];
  workflowId: string;
}

export interface ThrowawayCluster {
  identifier: string;
  arn?: string;
  status: string;
  engine?: string;
  engineVersion?: string;
  storageEncrypted: boolean;
  kmsKeyId?: string;
  httpEndpointEnabled: boolean;
  tags: Tag[];
}

export interface CreateWriterInput extends InAccount {
  clusterIdentifier: string;
  instanceIdentifier: string;
  instanceClass: string;
  engine: string;
  snapshotArn: string;
  workflowId: string;
}

export interface ThrowawayInstance {
  identifier: string;
  status: string;
  tags: Tag[];
}

export interface DeleteThrowawayInput extends InAccount {
  identifier: string;
  workflowId: string;
}

/** `deleting`: AWS accepted the delete (or was already deleting); `absent`: nothing is there. */
export interface DeleteThrowawayResult {
  result: 'deleting' | 'absent';
}

export interface SqlCheckInput extends InAccount {
  clusterArn: string;
  secretArn: string;
  database?: string;
  sql: string;
}

export interface SqlCheckResult {
  /** The first column of the first row (a string, number, boolean or null), when there is a row. */
  first?: string | number | boolean | null;
  rows: number;
}

function awsName(err: unknown): string | undefined {
  return err instanceof Error ? err.name : undefined;
}

/**
 * RDS's modelled client faults (quota, subnet group, capacity, bad state...) are answers, not blips: they
 * fail the call at once, named, instead of being retried for half an hour. Throttling stays retryable.
 */
function restoreFailure(err: unknown, context: string): Error {
  const failure = toActivityFailure(err, context);
  const o = err as { $fault?: string; $metadata?: { httpStatusCode?: number } } | undefined;
  const clientFault = o?.$fault === 'client' && (o.$metadata?.httpStatusCode ?? 400) < 429;
  if (clientFault && awsName(err) !== 'Throttling' && 'nonRetryable' in failure && !failure.nonRetryable) {
    return fault(awsName(err) ?? 'Error', failure.message);
  }
  return failure;
}

export async function describeRestorableSnapshot(
  clients: AwsClients,
  input: InAccount & { identifier: string },
): Promise<RestorableSnapshot> {
  const rds = clients.rds(input.region, input.role);
  const what = `DB cluster snapshot '${input.identifier}' in ${input.region}`;
  let s;
  let tags: Tag[] = [];
  try {
    s = await describeClusterSnapshot(rds, input.identifier);
    if (s) tags = await readTags(rds, s);
  } catch (err) {
    throw restoreFailure(err, `Describing ${what}`);
  }
  if (!s) throw fault('DBClusterSnapshotNotFoundFault', `${what} does not exist`);
  const sourceCluster = tagValue(tags, OWNERSHIP_TAGS.sourceCluster);
  const arn = s.DBClusterSnapshotArn;
  const accountId = arn ? parseArn(arn)?.accountId : undefined;
  if (!arn || !accountId || !s.Engine) {
    throw retryableFailure('AwsIncompleteResponse', `Describing ${what}: AWS left out its ARN or engine`);
  }
  return {
    arn,
    identifier: s.DBClusterSnapshotIdentifier ?? input.identifier,
    accountId,
    status: s.Status ?? 'unknown',
    engine: s.Engine,
    ...(s.EngineVersion ? { engineVersion: s.EngineVersion } : {}),
    encrypted: s.StorageEncrypted === true,
    ...(s.KmsKeyId ? { kmsKeyId: s.KmsKeyId } : {}),
    ...(sourceCluster ? { sourceCluster } : {}),
  };
}

function restoreTags(workflowId: string, snapshotArn: string) {
  return [
    { Key: OWNERSHIP_TAGS.managed, Value: MANAGED_TAG_VALUE },
    { Key: OWNERSHIP_TAGS.workflowId, Value: workflowId },
    { Key: VERIFY_OF_TAG, Value: snapshotArn },
  ];
}

/**
 * Restores the snapshot into the throwaway cluster (no deletion protection, the restore test's tags). A
 * cluster of that name that this workflow made already (a retried call whose answer was lost: all the restore
 * test's tags, this workflow's ID) is adopted; any other is AWS's DBClusterAlreadyExistsFault.
 */
export async function restoreThrowawayCluster(
  clients: AwsClients,
  input: RestoreClusterInput,
): Promise<ThrowawayCluster> {
  const rds = clients.rds(input.region, input.role);
  const what = `DB cluster '${input.clusterIdentifier}' in ${input.region}`;
  try {
    const out = await rds.send(
      new RestoreDBClusterFromSnapshotCommand({
        DBClusterIdentifier: input.clusterIdentifier,
        SnapshotIdentifier: input.snapshotArn,
        Engine: input.engine,
        ...(input.engineVersion ? { EngineVersion: input.engineVersion } : {}),
        ...(input.dbSubnetGroupName ? { DBSubnetGroupName: input.dbSubnetGroupName } : {}),
        ...(input.vpcSecurityGroupIds?.length ? { VpcSecurityGroupIds: input.vpcSecurityGroupIds } : {}),
        DeletionProtection: false,
        Tags: restoreTags(input.workflowId, input.snapshotArn),
      }),
      sendOptions(),
    );
    if (!out.DBCluster) throw retryableFailure('AwsIncompleteResponse', `Restoring ${what}: no DBCluster`);
    return clusterView(out.DBCluster, input.clusterIdentifier);
  } catch (err) {
    if (awsName(err) === 'DBClusterAlreadyExistsFault') {
      // Adopted only when all of the restore test's tags say this workflow made it: a cluster that merely
      // carries its workflow ID (snapcopy:managed=false, no snapcopy:verify-of) is someone else's.
      const existing = await describeThrowawayCluster(clients, input).catch(() => null);
      if (existing && !throwawayRefusal(existing.tags, input.workflowId)) return existing;
    }
    throw restoreFailure(err, `Restoring ${input.snapshotArn} into ${what}`);
  }
}

function clusterView(c: DBCluster, identifier: string): ThrowawayCluster {
  return {
    identifier: c.DBClusterIdentifier ?? identifier,
    ...(c.DBClusterArn ? { arn: c.DBClusterArn } : {}),
    status: c.Status ?? 'unknown',
    ...(c.Engine ? { engine: c.Engine } : {}),
    ...(c.EngineVersion ? { engineVersion: c.EngineVersion } : {}),
    storageEncrypted: c.StorageEncrypted === true,
    ...(c.KmsKeyId ? { kmsKeyId: c.KmsKeyId } : {}),
    httpEndpointEnabled: c.HttpEndpointEnabled === true,
    tags: toTags(c.TagList),
  };
}

/** The throwaway cluster as AWS sees it now, or null once it is gone. */
export async function describeThrowawayCluster(
  clients: AwsClients,
  input: InAccount & { clusterIdentifier: string },
): Promise<ThrowawayCluster | null> {
  const rds = clients.rds(input.region, input.role);
  try {
    const out = await rds.send(
      new DescribeDBClustersCommand({ DBClusterIdentifier: input.clusterIdentifier }),
      sendOptions(),
    );
    const c = out.DBClusters?.[0];
    return c ? clusterView(c, input.clusterIdentifier) : null;
  } catch (err) {
    if (awsName(err) === 'DBClusterNotFoundFault') return null;
    throw restoreFailure(err, `Describing DB cluster '${input.clusterIdentifier}' in ${input.region}`);
  }
}

/** Adds the cluster's writer (the cluster's tags' twins on the instance). An existing one of ours (all its tags) is adopted. */
export async function createWriterInstance(
  clients: AwsClients,
  input: CreateWriterInput,
): Promise<ThrowawayInstance> {
  const rds = clients.rds(input.region, input.role);
  const what = `DB instance '${input.instanceIdentifier}' in ${input.region}`;
  try {
    const out = await rds.send(
      new CreateDBInstanceCommand({
        DBInstanceIdentifier: input.instanceIdentifier,
        DBClusterIdentifier: input.clusterIdentifier,
        DBInstanceClass: input.instanceClass,
        Engine: input.engine,
        Tags: restoreTags(input.workflowId, input.snapshotArn),
      }),
      sendOptions(),
    );
    if (!out.DBInstance) throw retryableFailure('AwsIncompleteResponse', `Creating ${what}: no DBInstance`);
    return instanceView(out.DBInstance, input.instanceIdentifier);
  } catch (err) {
    if (awsName(err) === 'DBInstanceAlreadyExistsFault') {
      const existing = await describeThrowawayInstance(clients, {
        ...input,
        identifier: input.instanceIdentifier,
      }).catch(() => null);
      if (existing && !throwawayRefusal(existing.tags, input.workflowId)) return existing;
    }
    throw restoreFailure(err, `Creating ${what} in cluster ${input.clusterIdentifier}`);
  }
}

function instanceView(i: DBInstance, identifier: string): ThrowawayInstance {
  return {
    identifier: i.DBInstanceIdentifier ?? identifier,
    status: i.DBInstanceStatus ?? 'unknown',
    tags: toTags(i.TagList),
  };
}

/** The writer as AWS sees it now, or null once it is gone. */
export async function describeThrowawayInstance(
  clients: AwsClients,
  input: InAccount & { identifier: string },
): Promise<ThrowawayInstance | null> {
  const rds = clients.rds(input.region, input.role);
  try {
    const out = await rds.send(
      new DescribeDBInstancesCommand({ DBInstanceIdentifier: input.identifier }),
      sendOptions(),
    );
    const i = out.DBInstances?.[0];
    return i ? instanceView(i, input.identifier) : null;
  } catch (err) {
    if (awsName(err) === 'DBInstanceNotFound' || awsName(err) === 'DBInstanceNotFoundFault') return null;
    throw restoreFailure(err, `Describing DB instance '${input.identifier}' in ${input.region}`);
  }
}

/** Why the restore test may not delete a resource with these tags (undefined: it may). */
export function throwawayRefusal(tags: Tag[], workflowId: string): string | undefined {
  // The ownership rule every delete shares, plus the tag only a restore test's resources carry.
  return (
    ownershipRefusal(tags, workflowId) ??
    (tagValue(tags, VERIFY_OF_TAG) ? undefined : `it lacks the tag ${VERIFY_OF_TAG}`)
  );
}

/** What tells the two throwaway resources apart when deleting them: how to read one and how to delete it. */
interface ThrowawayKind {
  what: string;
  describe(): Promise<{ status: string; tags: Tag[] } | null>;
  remove(): Promise<unknown>;
  /** AWS's names for "not there" and "not in a state to be deleted". */
  notFound: readonly string[];
  busy: readonly string[];
}

/**
 * The one delete rule of both throwaway resources: re-read the tags first (anything the test did not make is
 * refused), a resource already deleting is left to AWS, and one AWS will not delete yet (creating, a cluster
 * still holding its writer) is busy — not retried here: the workflow waits (a restore can be creating for an
 * hour) and asks again.
 */
async function deleteThrowaway(kind: ThrowawayKind, workflowId: string): Promise<DeleteThrowawayResult> {
  const now = await kind.describe();
  if (!now) return { result: 'absent' };
  const refusal = throwawayRefusal(now.tags, workflowId);
  if (refusal) throw fault(RESOURCE_NOT_OWNED, `Refusing to delete ${kind.what}: ${refusal}`);
  if (now.status === 'deleting') return { result: 'deleting' };
  try {
    await kind.remove();
    return { result: 'deleting' };
  } catch (err) {
    const name = awsName(err) ?? '';
    if (kind.notFound.includes(name)) return { result: 'absent' };
    if (kind.busy.includes(name)) {
      throw fault(THROWAWAY_BUSY, `Deleting ${kind.what}: ${(err as Error).message} [${name}]`);
    }
    throw restoreFailure(err, `Deleting ${kind.what}`);
  }
}

/** Deletes the writer (no final snapshot) after re-reading its tags. */
export function deleteThrowawayInstance(
  clients: AwsClients,
  input: DeleteThrowawayInput,
): Promise<DeleteThrowawayResult> {
  return deleteThrowaway(
    {
      what: `DB instance '${input.identifier}' in ${input.region}`,
      describe: () => describeThrowawayInstance(clients, input),
      remove: () =>
        clients
          .rds(input.region, input.role)
          .send(
            new DeleteDBInstanceCommand({ DBInstanceIdentifier: input.identifier, SkipFinalSnapshot: true }),
            sendOptions(),
          ),
      notFound: ['DBInstanceNotFound', 'DBInstanceNotFoundFault'],
      busy: ['InvalidDBInstanceState', 'InvalidDBInstanceStateFault'],
    },
    input.workflowId,
  );
}

/** Deletes the throwaway cluster (no final snapshot) after re-reading its tags. */
export function deleteThrowawayCluster(
  clients: AwsClients,
  input: DeleteThrowawayInput,
): Promise<DeleteThrowawayResult> {
  return deleteThrowaway(
    {
      what: `DB cluster '${input.identifier}' in ${input.region}`,
      describe: () => describeThrowawayCluster(clients, { ...input, clusterIdentifier: input.identifier }),
      remove: () =>
        clients
          .rds(input.region, input.role)
          .send(
            new DeleteDBClusterCommand({ DBClusterIdentifier: input.identifier, SkipFinalSnapshot: true }),
            sendOptions(),
          ),
      notFound: ['DBClusterNotFoundFault'],
      busy: ['InvalidDBClusterStateFault'],
    },
    input.workflowId,
  );
}

/** Turns the restored cluster's Data API endpoint on (for the SQL canary); refuses a cluster not ours. */
export async function enableDataApi(
  clients: AwsClients,
  input: DeleteThrowawayInput & { clusterArn: string },
): Promise<void> {
  const now = await describeThrowawayCluster(clients, { ...input, clusterIdentifier: input.identifier });
  const refusal = now ? throwawayRefusal(now.tags, input.workflowId) : 'it does not exist';
  if (refusal)
    throw fault(RESOURCE_NOT_OWNED, `Refusing to enable the Data API of ${input.identifier}: ${refusal}`);
  if (now?.httpEndpointEnabled) return;
  try {
    await clients
      .rds(input.region, input.role)
      .send(new EnableHttpEndpointCommand({ ResourceArn: input.clusterArn }), sendOptions());
  } catch (err) {
    throw restoreFailure(err, `Enabling the Data API of ${input.identifier} in ${input.region}`);
  }
}

function fieldValue(f: Field | undefined): string | number | boolean | null | undefined {
  if (!f) return undefined;
  if (f.isNull) return null;
  if (f.stringValue !== undefined) return f.stringValue;
  if (f.longValue !== undefined) return f.longValue;
  if (f.doubleValue !== undefined) return f.doubleValue;
  if (f.booleanValue !== undefined) return f.booleanValue;
  return undefined;
}

/** Runs the canary statement through the Data API; a statement AWS refuses is a failed check, not a retry. */
export async function runSqlCheck(clients: AwsClients, input: SqlCheckInput): Promise<SqlCheckResult> {
  try {
    const out = await clients.rdsData(input.region, input.role).send(
      new ExecuteStatementCommand({
        resourceArn: input.clusterArn,
        secretArn: input.secretArn,
        sql: input.sql,
        ...(input.database ? { database: input.database } : {}),
      }),
      sendOptions(),
    );
    const rows = out.records ?? [];
    const first = fieldValue(rows[0]?.[0]);
    return { rows: rows.length, ...(first !== undefined ? { first } : {}) };
  } catch (err) {
    throw restoreFailure(err, `Running the SQL check on ${input.clusterArn}`);
  }
}

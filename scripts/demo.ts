// `npm run demo`: the main job on the built-in local stack. Starts the stack, makes an encrypted Aurora
// cluster snapshot in us-east-1 and a KMS key with an alias in us-west-2 (in the AWS emulator), copies
// the snapshot across Regions through the worker with live progress, prints the result and the Temporal
// UI link, and stops what it started (`--keep-stack` leaves it running for browsing). `--cross-account`
// copies into a second account (222222222222, through an assumed role in the emulator) instead: the source
// key's policy lets that account use it, snapcopy shares the snapshot, copies it in two hops (into the
// other account in us-east-1, then to us-west-2), and takes the share and the intermediate copy back.
import { GetKeyPolicyCommand, KMSClient, PutKeyPolicyCommand } from '@aws-sdk/client-kms';
import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import { RDSClient } from '@aws-sdk/client-rds';
import { copyStartOptions, type CopyWorkflow } from '../src/shared/contract';
import { sourceKeyPolicyStatements } from '../src/shared/cross-account';
import { connectClient } from '../src/cli/connect';
import { validateCopyInput } from '../src/shared/validation';
import { createProgressView } from '../src/cli/progress-view';
import { watchCopy } from '../src/cli/watch';
import { WORKFLOW_TYPE } from '../src/shared/names';
import type { CopyDbClusterSnapshotInput, CopyDbClusterSnapshotResult } from '../src/shared/types';
import { createCluster, createKey, createSnapshot, SOURCE_SNAPSHOT_TAGS } from './lib/aws-fixtures';
import {
  EMULATOR_ENDPOINT,
  stackAwsEnv,
  stackDown,
  stackUp,
  TEMPORAL_ADDRESS,
  UI_URL,
  STACK,
} from './lib/stack';

// On Node 20 (the Temporal SDK's floor) the AWS SDK's notice that its 2027 releases need
// Node 22 is for maintainers, not for someone watching the demo (docs/operations.md, "Node versions").
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const SOURCE_REGION = 'us-east-1';
const TARGET_REGION = 'us-west-2';
const CLUSTER = 'demo-aurora';
const ALIAS = 'alias/snapcopy-demo';
/**
 * `--cross-account`: the most common deployment — the worker in the source (production) account, the
 * emulator's default one, with its own credentials, and a role in the DR account it copies into.
 */
const TARGET_ACCOUNT = '222222222222';
const TARGET_ROLE = `arn:aws:iam::${TARGET_ACCOUNT}:role/snapcopy-target`;

function stackCredentials() {
  const env = stackAwsEnv();
  return { accessKeyId: env.AWS_ACCESS_KEY_ID!, secretAccessKey: env.AWS_SECRET_ACCESS_KEY! };
}

/** A client of the emulator, in the default account or (with `role`) in that role's account. */
function aws<T>(Client: new (cfg: object) => T, region: string, role?: string): T {
  const credentials = role
    ? fromTemporaryCredentials({
        masterCredentials: stackCredentials(),
        params: { RoleArn: role, RoleSessionName: 'snapcopy-demo' },
        clientConfig: { region, endpoint: EMULATOR_ENDPOINT },
      })
    : stackCredentials();
  return new Client({ region, endpoint: EMULATOR_ENDPOINT, credentials });
}

/** The demo's source: an encrypted Aurora PostgreSQL cluster and a fresh manual snapshot of it. */
async function makeSource(stamp: string, shareKeyWith?: string): Promise<string> {
  const kms = aws(KMSClient, SOURCE_REGION);
  const rds = aws(RDSClient, SOURCE_REGION);
  const key = await createKey(kms, undefined, { description: 'snapcopy demo source key' });
  if (shareKeyWith) {
    // What `snapcopy iam-policy --cross-account` says to add to the source key's policy.
    const { keyId: KeyId } = key;
    const policy = JSON.parse(
      (await kms.send(new GetKeyPolicyCommand({ KeyId, PolicyName: 'default' }))).Policy!,
    ) as { Statement: unknown[] };
    policy.Statement.push(...sourceKeyPolicyStatements('aws', shareKeyWith));
    await kms.send(new PutKeyPolicyCommand({ KeyId, PolicyName: 'default', Policy: JSON.stringify(policy) }));
  }
  // The cluster may be kept from an earlier run (--keep-stack).
  await createCluster(rds, CLUSTER, { kmsKeyId: key.keyArn, mayExist: true });
  return createSnapshot(rds, CLUSTER, `${CLUSTER}-${stamp}`, SOURCE_SNAPSHOT_TAGS);
}

/** The destination key: a KMS key in us-west-2 known by its alias (kept from an earlier run, if any). */
async function makeDestinationKey(role?: string): Promise<void> {
  const kms = aws(KMSClient, TARGET_REGION, role);
  await createKey(kms, ALIAS, { description: 'snapcopy demo destination key', keepExistingAlias: true });
}

async function main(): Promise<void> {
  const keepStack = process.argv.includes('--keep-stack');
  const crossAccount = process.argv.includes('--cross-account');
  const started = await stackUp();
  try {
    const stamp = new Date().toISOString().replace(/[-:T]/g, '').slice(0, 14);
    console.log(
      `creating an encrypted Aurora cluster snapshot in ${SOURCE_REGION} and ${ALIAS} in ${TARGET_REGION}` +
        (crossAccount ? ` of account ${TARGET_ACCOUNT}` : ''),
    );
    const sourceArn = await makeSource(stamp, crossAccount ? TARGET_ACCOUNT : undefined);
    await makeDestinationKey(crossAccount ? TARGET_ROLE : undefined);

    const input: CopyDbClusterSnapshotInput = {
      SourceDBClusterSnapshotIdentifier: sourceArn,
      TargetDBClusterSnapshotIdentifier: `${CLUSTER}-${stamp}-dr`,
      SourceRegion: SOURCE_REGION,
      TargetRegion: TARGET_REGION,
      KmsKeyId: ALIAS,
      CopyTags: true,
      Tags: [{ Key: 'purpose', Value: 'disaster-recovery' }],
      ...(crossAccount ? { TargetRoleArn: TARGET_ROLE } : {}),
      options: { minPollSeconds: 2, maxPollSeconds: 5 },
    };
    const connected = await connectClient({
      ...process.env,
      TEMPORAL_ADDRESS,
      TEMPORAL_NAMESPACE: STACK.namespace,
    });
    const { client } = connected;
    try {
      // The same start options as `snapcopy copy`: a summary for the UI, filterable from the first second.
      const start = copyStartOptions(input, validateCopyInput(input));
      const { workflowId } = start;
      await client.workflow.start<CopyWorkflow>(WORKFLOW_TYPE, { ...start, taskQueue: STACK.taskQueue });
      console.log(
        `copying ${sourceArn}\n     to ${input.TargetDBClusterSnapshotIdentifier} in ${TARGET_REGION} (workflow ${workflowId})`,
      );
      const result = await watchCopy<CopyDbClusterSnapshotResult>(client, workflowId, createProgressView());
      const s = result.DBClusterSnapshot;
      console.log(
        [
          `outcome:   ${result.summary.outcome}`,
          `target:    ${s?.DBClusterSnapshotArn} (${s?.Status}, ${s?.PercentProgress}%)`,
          `key:       ${s?.KmsKeyId}`,
          `tags:      ${(s?.TagList ?? []).map((t) => `${t.Key}=${t.Value}`).join(', ')}`,
          `took:      ${result.summary.copySeconds}s, ${result.summary.polls} polls`,
          ...(result.summary.crossAccount
            ? [
                `accounts:  ${result.summary.crossAccount.sourceAccountId} → ${result.summary.crossAccount.targetAccountId}` +
                  ` (shared by snapcopy: ${result.summary.crossAccount.shared ? 'yes, and taken back' : 'no'})`,
                ...result.summary.crossAccount.hops.map(
                  (h) => `hop:       ${h.hop} ${h.identifier} in ${h.accountId}/${h.region}: ${h.status}`,
                ),
              ]
            : []),
          `Temporal UI: ${UI_URL}/namespaces/${STACK.namespace}/workflows/${encodeURIComponent(workflowId)}`,
        ].join('\n'),
      );
    } finally {
      await connected.close();
    }
  } finally {
    if (keepStack) console.log('stack left running (--keep-stack); stop it with: npm run stack:down');
    else if (started.length) {
      await stackDown(started);
      console.log(`stopped what the demo started: ${started.join(', ')}`);
    }
  }
}

main().catch((err: unknown) => {
  console.error(`demo failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
});

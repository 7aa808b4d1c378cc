// Cross-account copies: which account a role is, sharing a snapshot with the destination account (and
// taking the share back), and whether the destination can use the source's KMS key.
import { DescribeKeyCommand, GetKeyPolicyCommand } from '@aws-sdk/client-kms';
import {
  DescribeDBClusterSnapshotAttributesCommand,
  ModifyDBClusterSnapshotAttributeCommand,
  type RDSClient,
} from '@aws-sdk/client-rds';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { partitionOf, sourceKeyPolicyStatements } from '../shared/cross-account';
import { missingKeyActions } from '../shared/key-policy';
import { FailureType } from '../shared/names';
import { sendOptions, type AwsClients } from './clients';
import { ActivityFailureType, fault, retryableFailure, toActivityFailure } from './errors';
import type {
  CallerAccountInput,
  CheckSourceKeyInput,
  ShareSnapshotInput,
  ShareSnapshotResult,
  SourceKeyInfo,
} from './types';

/** The `restore` attribute lists the accounts a manual snapshot is shared with (`all`: public). */
const RESTORE = 'restore';

/** The account the role (or the default credentials) acts in: STS GetCallerIdentity. */
export async function callerAccount(clients: AwsClients, input: CallerAccountInput): Promise<string> {
  try {
    const out = await clients
      .sts(input.region, input.role)
      .send(new GetCallerIdentityCommand({}), sendOptions());
    if (!out.Account) {
      throw retryableFailure(
        ActivityFailureType.IncompleteResponse,
        `Finding the account of ${input.role?.roleArn ?? 'the default credentials'}: STS returned no account`,
      );
    }
    return out.Account;
  } catch (err) {
    throw toActivityFailure(
      err,
      `Finding the account of ${input.role?.roleArn ?? 'the default credentials'}`,
    );
  }
}

async function sharedWith(rds: RDSClient, identifier: string): Promise<string[]> {
  const out = await rds.send(
    new DescribeDBClusterSnapshotAttributesCommand({ DBClusterSnapshotIdentifier: identifier }),
    sendOptions(),
  );
  const attrs = out.DBClusterSnapshotAttributesResult?.DBClusterSnapshotAttributes ?? [];
  return attrs.find((a) => a.AttributeName === RESTORE)?.AttributeValues ?? [];
}

/** The accounts the snapshot is shared with (`all`: public), read before snapcopy adds its share. */
export async function snapshotSharedWith(clients: AwsClients, input: ShareSnapshotInput): Promise<string[]> {
  try {
    return await sharedWith(clients.rds(input.region, input.role), input.identifier);
  } catch (err) {
    throw toActivityFailure(err, `Reading who '${input.identifier}' in ${input.region} is shared with`);
  }
}

/** Adds `accountId` to the snapshot's `restore` attribute, or removes it; the other values stay. */
function modifyShare(rds: RDSClient, input: ShareSnapshotInput, change: 'ValuesToAdd' | 'ValuesToRemove') {
  return rds.send(
    new ModifyDBClusterSnapshotAttributeCommand({
      DBClusterSnapshotIdentifier: input.identifier,
      AttributeName: RESTORE,
      [change]: [input.accountId],
    }),
    sendOptions(),
  );
}

/**
 * Shares the snapshot with `accountId`, keeping every share already there (idempotent). `changed: false`
 * when it was already shared with that account (or public).
 */
export async function shareSnapshot(
  clients: AwsClients,
  input: ShareSnapshotInput,
): Promise<ShareSnapshotResult> {
  const rds = clients.rds(input.region, input.role);
  try {
    const accounts = await sharedWith(rds, input.identifier);
    if (accounts.includes(input.accountId) || accounts.includes('all')) return { changed: false };
    await modifyShare(rds, input, 'ValuesToAdd');
    return { changed: true };
  } catch (err) {
    throw toActivityFailure(
      err,
      `Sharing '${input.identifier}' in ${input.region} with account ${input.accountId}`,
    );
  }
}

/** Takes back a share snapcopy added; the other shares stay. A snapshot that is gone has none. */
export async function unshareSnapshot(
  clients: AwsClients,
  input: ShareSnapshotInput,
): Promise<ShareSnapshotResult> {
  const rds = clients.rds(input.region, input.role);
  try {
    const accounts = await sharedWith(rds, input.identifier);
    if (!accounts.includes(input.accountId)) return { changed: false };
    await modifyShare(rds, input, 'ValuesToRemove');
    return { changed: true };
  } catch (err) {
    if (err instanceof Error && err.name === 'DBClusterSnapshotNotFoundFault') return { changed: false };
    throw toActivityFailure(
      err,
      `Removing the share of '${input.identifier}' in ${input.region} with account ${input.accountId}`,
    );
  }
}

/**
 * The source key: the AWS managed key aws/rds (which cannot be shared), or a customer managed key that the
 * destination account must be able to use. Its policy (read in the source account) must let the destination
 * perform what RDS does while copying (kms:DescribeKey, kms:CreateGrant, kms:Decrypt), and the destination
 * must be able to describe it (its IAM policy too). Nothing is changed or granted. A refusal names the
 * missing permission and the key-policy statements that add it.
 */
export async function checkSourceKey(
  clients: AwsClients,
  input: CheckSourceKeyInput,
): Promise<SourceKeyInfo> {
  const { region, keyArn, targetAccountId } = input;
  const sourceKms = clients.kms(region, input.source);
  let keyManager: SourceKeyInfo['keyManager'];
  let policy: string;
  try {
    const meta = (await sourceKms.send(new DescribeKeyCommand({ KeyId: keyArn }), sendOptions())).KeyMetadata;
    keyManager = meta?.KeyManager === 'AWS' ? 'AWS' : 'CUSTOMER';
    if (keyManager === 'AWS') return { keyArn, keyManager };
    policy =
      (await sourceKms.send(new GetKeyPolicyCommand({ KeyId: keyArn, PolicyName: 'default' }), sendOptions()))
        .Policy ?? '{}';
  } catch (err) {
    throw toActivityFailure(err, `Reading the source snapshot's KMS key ${keyArn} in its account`);
  }

  const refusal = (why: string) => {
    const statements = sourceKeyPolicyStatements(partitionOf(keyArn), targetAccountId);
    return fault(
      FailureType.KmsKeyNotAccessible,
      `Account ${targetAccountId} cannot use the source snapshot's KMS key ${keyArn}: ${why}. Add these ` +
        `statements to the key's policy in its account: ${JSON.stringify(statements)}, and allow kms:DescribeKey, ` +
        "kms:CreateGrant and kms:Decrypt on the key in the destination role's IAM policy " +
        '(`snapcopy iam-policy --cross-account` prints both).',
    );
  };
  const missing = missingKeyActions(policy, targetAccountId);
  if (missing.length) throw refusal(`the key policy does not allow ${missing.join(', ')} for that account`);
  try {
    await clients.kms(region, input.target).send(new DescribeKeyCommand({ KeyId: keyArn }), sendOptions());
  } catch (err) {
    if (err instanceof Error && (err.name === 'AccessDeniedException' || err.name === 'NotFoundException')) {
      throw refusal(`kms:DescribeKey from that account was refused (${err.message})`);
    }
    throw toActivityFailure(err, `Describing the source key ${keyArn} from account ${targetAccountId}`);
  }
  return { keyArn, keyManager };
}

// Resolve the KMS key for the copy in the destination Region, and check RDS can encrypt with it.
import { DescribeKeyCommand, type KeyMetadata } from '@aws-sdk/client-kms';
import { FailureType } from '../shared/names';
import { sendOptions, type AwsClients } from './clients';
import { ActivityFailureType, fault, retryableFailure, toActivityFailure } from './errors';
import { parseArn } from '../shared/arn';
import type { ResolvedKmsKey, ResolveKmsKeyInput } from './types';

/** KMS answers about the key itself, with the reason snapcopy reports for each. */
const KEY_ERROR_REASONS: Readonly<Record<string, string>> = {
  NotFoundException: 'not found',
  InvalidArnException: 'not a valid key or alias ARN',
  AccessDeniedException: 'access denied',
  DisabledException: 'disabled',
  KMSInvalidStateException: 'not in a usable state',
};

/** Why RDS cannot use this key for the copy, or undefined when it can. */
export function keyRefusal(meta: KeyMetadata, region: string): string | undefined {
  const keyRegion = meta.Arn ? parseArn(meta.Arn)?.region : undefined;
  if (keyRegion !== undefined && keyRegion !== region) {
    return `the key is in ${keyRegion}; KMS keys are Regional and the copy needs a key of ${region}`;
  }
  if (meta.KeyState !== undefined && meta.KeyState !== 'Enabled') {
    const pending = meta.KeyState === 'PendingDeletion' || meta.KeyState === 'PendingReplicaDeletion';
    return `the key is ${pending ? 'pending deletion' : meta.KeyState === 'Disabled' ? 'disabled' : `in state ${meta.KeyState}`} (it must be Enabled)`;
  }
  if (meta.KeyState === undefined && meta.Enabled === false) return 'the key is disabled';
  // Absent fields take AWS's defaults (moto omits KeyUsage on symmetric keys).
  if (meta.KeyUsage !== undefined && meta.KeyUsage !== 'ENCRYPT_DECRYPT') {
    return `the key's usage is ${meta.KeyUsage}; RDS needs ENCRYPT_DECRYPT`;
  }
  const spec = meta.KeySpec ?? meta.CustomerMasterKeySpec;
  if (spec !== undefined && spec !== 'SYMMETRIC_DEFAULT') {
    return `the key is asymmetric or HMAC (${spec}); RDS needs a SYMMETRIC_DEFAULT key`;
  }
  return undefined;
}

export async function resolveKmsKey(clients: AwsClients, input: ResolveKmsKeyInput): Promise<ResolvedKmsKey> {
  const { region, keyId } = input;
  const what = `KMS key '${keyId}' in ${region}`;
  const notAccessible = (reason: string) =>
    fault(FailureType.KmsKeyNotAccessible, `${what} cannot encrypt the copy: ${reason}`);

  // A key or alias ARN names its Region: refuse another Region's key before asking KMS.
  const inputArn = parseArn(keyId);
  if (inputArn && inputArn.region !== region) {
    throw notAccessible(
      `the key is in ${inputArn.region}; KMS keys are Regional and the copy needs a key of ${region}`,
    );
  }

  let meta: KeyMetadata | undefined;
  try {
    meta = (
      await clients.kms(region, input.role).send(new DescribeKeyCommand({ KeyId: keyId }), sendOptions())
    ).KeyMetadata;
  } catch (err) {
    const reason = err instanceof Error ? KEY_ERROR_REASONS[err.name] : undefined;
    throw toActivityFailure(
      err,
      reason ? `${what} cannot encrypt the copy: ${reason}` : `Describing ${what}`,
    );
  }
  if (!meta?.Arn)
    throw retryableFailure(ActivityFailureType.IncompleteResponse, `${what}: KMS returned no key ARN`);

  const refusal = keyRefusal(meta, region);
  if (refusal) throw notAccessible(refusal);

  const resolvedId = meta.KeyId ?? parseArn(meta.Arn)?.resource.replace(/^key\//, '') ?? meta.Arn;
  return {
    keyArn: meta.Arn,
    keyId: resolvedId,
    // moto omits MultiRegion for single-Region keys; multi-Region key IDs start with `mrk-`.
    multiRegion: meta.MultiRegion ?? resolvedId.startsWith('mrk-'),
  };
}

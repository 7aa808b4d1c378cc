"""snapcopy's local AWS emulator: moto's server plus realistic DB cluster snapshot copies and restores.

moto makes a copied cluster snapshot `available` at 100% the moment CopyDBClusterSnapshot returns. Here
a copy starts `copying` at 0%, waits queueSeconds, rises to 100% over copySeconds and turns `available`
(computed lazily from the clock whenever it is read). Copies in flight per destination Region and
manual cluster snapshots per Region are limited as on AWS, and a copy whose source is deleted while it
runs turns `failed`. Everything else (protocol, KMS, ARNs, tags, /moto-api/reset) is moto's.

Configure with flags or SNAPCOPY_EMULATOR_* env vars, and at run time with GET/POST /snapcopy-emulator/config.

For benchmarks and fault-injection tests it also observes what it serves (reset with /moto-api/reset):
- GET /snapcopy-emulator/stats: AWS calls by service and action (RDS `Action`, KMS `X-Amz-Target`) and the
  errors among them by code, since `since` (epoch ms); POST resets the counters.
- GET /snapcopy-emulator/sessions: the assumed-role sessions STS handed out (role, external ID and the
  session's keys), so a test can prove no credential reached a history or a log.
- GET /snapcopy-emulator/copies: every copy (CopyDBClusterSnapshot accepted) with its status (the last one
  before it was deleted, if it was) and timeline in epoch ms (createdAt, availableAt, failedAt, deletedAt),
  and the copies in flight (`copying`, not deleted) per Region now.

DB clusters restored from snapshots are `creating` for restoreSeconds and their instances (CreateDBInstance in
a cluster) for instanceSeconds, then `available`; a deleted cluster or instance of a cluster is `deleting` for
deleteSeconds, then gone (its automated snapshots with it). AWS's refusals hold: nothing `creating` is deleted,
nor a cluster with instances not `deleting`, nor a protected one; nothing is restored from a snapshot not
`available`; clusters per account and Region are limited (clusterQuota). A restored cluster has its snapshot's
engine and encryption and the call's tags. The RDS Data API is gated as on AWS: EnableHttpEndpoint turns a
cluster's HTTP endpoint on, and rds-data ExecuteStatement answers moto's configured results
(/moto-api/static/rds-data/statement-results) only for an available cluster with it on.
- GET /snapcopy-emulator/restores: every cluster restored and instance created, with its status now, tags and
  timeline in epoch ms (createdAt, availableAt, deleteRequestedAt, goneAt).

For fault-injection tests it can also fail AWS calls on purpose (`faults` in the config, or --faults /
SNAPCOPY_EMULATOR_FAULTS as JSON): per action (`rds:CopyDBClusterSnapshot`) or by default, a fraction of the
calls answered Throttling, a fraction answered 500/503, a fraction whose response is lost after moto acted
(the connection is dropped), and added latency; a seed makes the draws reproducible. /stats counts the
faults injected by service, action and kind. The emulator's own endpoints are never faulted.

Across accounts it follows AWS where moto looks only in the caller's account (credentials from STS AssumeRole
into arn:aws:iam::<account>:role/<name> act as that account; the default ones are 123456789012):
- A cluster snapshot ARN of another account is seen (DescribeDBClusterSnapshots by ARN, IncludeShared,
  IncludePublic, SnapshotType shared/public) and copied only while its `restore` attribute lists the caller's
  account (or `all`); else DBClusterSnapshotNotFoundFault. Only the owner reads or changes the attributes.
  A shared copy is like any other (progress, limits, COPIES), and names its source in SourceDBClusterSnapshotArn.
- An encrypted shared snapshot is copied only in its own Region (else InvalidParameterCombination), with a
  KmsKeyId (else InvalidParameterValue) of the caller's account and Region (else KMSKeyNotAccessibleFault), and
  only when its key's policy lets the caller kms:DescribeKey, kms:CreateGrant and kms:Decrypt (else
  KMSKeyNotAccessibleFault naming the source key). Sharing a snapshot encrypted with aws/rds, or an encrypted
  one with `all`, is refused (InvalidParameterValue).
- A KMS key ARN (or alias ARN, or a ciphertext) of another account in the call's Region is used by DescribeKey,
  CreateGrant, ListGrants, RevokeGrant, Encrypt, Decrypt and GenerateDataKey[WithoutPlaintext] as far as the
  key's policy allows the caller (Principal and Action; conditions are not evaluated), else
  AccessDeniedException as AWS words it; DryRun answers DryRunOperationException. aws/* keys are AWS managed.

The package, one concern a module (each imports only the ones above it, none patches moto on import):
- config.py         the options (flags, env vars, defaults), the current config, the lock, the clock
- cross_account.py  snapshots shared across accounts, KMS keys used across accounts, STS callers and sessions
- copies.py         copy progression by the clock, the copy limit and the manual-snapshot quota, the copies seen
- restores.py       restored clusters and their instances by the clock (creating, deleting, gone), AWS's refusals,
                    the cluster quota, the restores seen
- data_api.py       EnableHttpEndpoint / DisableHttpEndpoint, and rds-data ExecuteStatement gated as AWS gates it
- faults.py         fault specs, each call's fate, injected errors, lost responses, fault counters
- stats.py          AWS calls and errors counted by service and action
- aws_calls.py      the one wrapper around every AWS call moto serves: its fate, its caller, its count
- control.py        the emulator's own endpoints (/snapcopy-emulator/*) and the /moto-api/reset hook
- main.py           the command line and the server's start-up
emulator/server.py, the file that is run, only calls main.main().
"""

from . import aws_calls, copies, cross_account, data_api, restores

_installed = False


def install_patches() -> None:
    """Installs every change to moto, in this order, once. Nothing in the package patches moto on import.

    1. copies: DBClusterSnapshot.status and percent_progress follow the clock; RDSBackend's
       create/copy/delete_db_cluster_snapshot apply the quota, the copy limit and a source's deletion.
    2. cross_account: RDSBackend.get_snapshot, describe_db_cluster_snapshots, modify/describe_db_cluster_
       snapshot_attribute(s) and RDSResponse.describe_db_cluster_snapshots see shared snapshots; KmsBackend's
       aws/* keys are AWS managed; KmsResponse.kms_backend and its key-using actions reach other accounts' keys.
    3. restores: DBCluster.status and DBInstance.status follow the clock; RDSBackend's create_db_cluster,
       restore_db_cluster_from_snapshot, create_db_instance and delete_db_cluster/instance apply AWS's rules and
       the cluster quota; RDSResponse.backend forgets what is gone before every RDS call.
    4. data_api: RDSResponse.enable/disable_http_endpoint (new actions); RDSDataServiceResponse.execute_statement
       answers only for an available cluster with its HTTP endpoint enabled.
    5. aws_calls: BaseResponse.call_action decides each call's fault, records its caller and counts it.
    """
    global _installed
    if _installed:  # a second install would wrap moto's methods twice (and count every call twice)
        return
    copies.install()
    cross_account.install()
    restores.install()
    data_api.install()
    aws_calls.install()
    _installed = True

"""snapcopy's local AWS emulator: moto's server plus realistic DB cluster snapshot copies.

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
"""

import argparse
import json
import math
import os
import random
import re
import signal
import socket
import threading
import time
import uuid
from copy import deepcopy

from moto.core.exceptions import JsonRESTError
from moto.core.responses import ActionResult, BaseResponse
from moto.kms.models import Key, KmsBackend, kms_backends
from moto.kms.responses import KmsResponse
from moto.kms.utils import _deserialize_ciphertext_blob
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
from moto.rds.exceptions import (
    DBClusterSnapshotNotFoundError,
    InvalidDBClusterSnapshotStateFault,
    InvalidParameterCombination,
    InvalidParameterValue,
    KMSKeyNotAccessibleFault,
    RDSClientError,
)
from moto.rds.models import DBClusterSnapshot, RDSBackend, rds_backends
from moto.rds.responses import RDSResponse
from moto.rds.utils import split_arn
from moto.sts.models import sts_backends
from moto.utilities.utils import get_partition
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

# config key: (command line flag, env var, type, default)
OPTIONS = {
    "copySeconds": ("--copy-seconds", "SNAPCOPY_EMULATOR_COPY_SECONDS", float, 60.0),
    "queueSeconds": ("--queue-seconds", "SNAPCOPY_EMULATOR_QUEUE_SECONDS", float, 0.0),
    "copyLimit": ("--copy-limit", "SNAPCOPY_EMULATOR_COPY_LIMIT", int, 5),
    "snapshotQuota": ("--snapshot-quota", "SNAPCOPY_EMULATOR_SNAPSHOT_QUOTA", int, 100),
}
CONFIG = {key: default for key, (_, _, _, default) in OPTIONS.items()}
CONFIG_PATH = "/snapcopy-emulator/config"
STATS_PATH = "/snapcopy-emulator/stats"
COPIES_PATH = "/snapcopy-emulator/copies"
SESSIONS_PATH = "/snapcopy-emulator/sessions"
RESET_PATH = "/moto-api/reset"
LOCK = threading.RLock()  # moto's server is threaded: a quota check and its insert must not interleave


def _now_ms() -> int:
    return int(time.time() * 1000)


# What the emulator observed. CALLS[service][action] and ERRORS[service][action][code] count AWS requests;
# COPIES holds (region, account, target) for every accepted copy, in order, deleted ones included.
CALLS: dict = {}
ERRORS: dict = {}
COPIES: list = []
STATS_SINCE = _now_ms()
CONFIG_SINCE = STATS_SINCE  # when the config last changed: no copy turns available before it


class SnapshotQuotaExceeded(RDSClientError):
    # moto's SnapshotQuotaExceededFault has one fixed message; AWS's message says which limit was hit.
    def __init__(self, message: str) -> None:
        super().__init__("SnapshotQuotaExceeded", message)


def _refresh(snap: DBClusterSnapshot) -> None:
    """Brings a copy's status and progress up to date with the clock; settled states stay put."""
    state = vars(snap)
    if state.get("snapcopy_started") is None or state["_status"] != "copying" or "snapcopy_deleted_ms" in state:
        return  # not a copy, settled, or deleted (cancelled): its timeline has ended
    elapsed = time.monotonic() - state["snapcopy_started"] - CONFIG["queueSeconds"]
    if elapsed >= CONFIG["copySeconds"]:
        # When it turned available, however late it is read: its end by the clock, or the config change
        # that ended it (copies are settled before every change, so nothing ended earlier).
        end = state["snapcopy_created_ms"] + round(1000 * (CONFIG["queueSeconds"] + CONFIG["copySeconds"]))
        state.update(_status="available", _percent_progress=100, snapcopy_available_ms=max(end, CONFIG_SINCE))
    elif elapsed > 0:  # max(): progress never goes backwards when copySeconds is raised at run time
        pct = min(99, int(100 * elapsed / CONFIG["copySeconds"]))
        state["_percent_progress"] = max(state["_percent_progress"], pct)


def _clock_field(name: str) -> property:
    # A data descriptor on the class: moto's __init__ and its serializer go through it unchanged.
    def get(snap: DBClusterSnapshot) -> object:
        _refresh(snap)
        return vars(snap)[name]

    return property(get, lambda snap, value: vars(snap).__setitem__(name, value))


DBClusterSnapshot.status = _clock_field("_status")
DBClusterSnapshot.percent_progress = _clock_field("_percent_progress")


def _check_manual_quota(backend: RDSBackend) -> None:
    # moto's own MOTO_RDS_SNAPSHOT_LIMIT (default 1000) counts automated snapshots too; AWS counts manual.
    manual = sum(1 for s in backend.cluster_snapshots.values() if s.snapshot_type == "manual")
    if manual >= CONFIG["snapshotQuota"]:
        raise SnapshotQuotaExceeded(f"Cannot create more than {CONFIG['snapshotQuota']} manual snapshots")


moto_create = RDSBackend.create_db_cluster_snapshot
moto_copy = RDSBackend.copy_db_cluster_snapshot
moto_delete = RDSBackend.delete_db_cluster_snapshot


def create_db_cluster_snapshot(self, db_cluster_identifier, db_cluster_snapshot_identifier, *args, **kw):
    with LOCK:
        manual = (args[0] if args else kw.get("snapshot_type", "manual")) == "manual"
        # moto's own errors (already exists, cluster not found) take precedence.
        if manual and db_cluster_snapshot_identifier not in self.cluster_snapshots:
            if db_cluster_identifier in self.clusters:
                _check_manual_quota(self)
        return moto_create(self, db_cluster_identifier, db_cluster_snapshot_identifier, *args, **kw)


def copy_db_cluster_snapshot(self, source_db_cluster_snapshot_identifier, target_db_cluster_snapshot_identifier, **kw):
    source_id, target_id = source_db_cluster_snapshot_identifier, target_db_cluster_snapshot_identifier
    with LOCK:
        if target_id in self.cluster_snapshots:
            return moto_copy(self, source_id, target_id, **kw)  # moto raises DBClusterSnapshotAlreadyExists
        # A name, an `rds:` automated name or an ARN of any Region: moto resolves it (or raises NotFound).
        source = self.get_db_cluster_snapshot(source_id)
        if source.status != "available":  # AWS: "a valid system snapshot in the available state"
            raise InvalidDBClusterSnapshotStateFault(
                f"Source snapshot {source.db_cluster_snapshot_identifier} is {source.status}, not available."
            )
        if source.account_id != self.account_id:  # shared with this account by another one: AWS's rules for those
            kw["kms_key_id"] = _shared_copy_key(self, source, kw.get("kms_key_id"))
        _check_manual_quota(self)
        limit = CONFIG["copyLimit"]
        if sum(1 for s in self.cluster_snapshots.values() if s.status == "copying") >= limit:
            raise SnapshotQuotaExceeded(
                f"Cannot copy more than {limit} snapshots across regions. Please wait until a copy finishes."
            )
        target = moto_copy(self, source_id, target_id, **kw)
        vars(target).update(
            _status="copying", _percent_progress=0, snapcopy_started=time.monotonic(), snapcopy_created_ms=_now_ms()
        )
        vars(target)["source_db_cluster_snapshot_arn"] = source.arn  # AWS names every copy's source
        vars(source).setdefault("snapcopy_copies", []).append(target)  # so that deleting the source fails it
        COPIES.append((self.region_name, self.account_id, target))
        return target


def delete_db_cluster_snapshot(self, db_snapshot_identifier):
    with LOCK:
        snap = moto_delete(self, db_snapshot_identifier)  # a `copying` target can be deleted: AWS's cancel
        if "snapcopy_created_ms" in vars(snap):
            _refresh(snap)  # a copy deleted after it finished still shows when it became available
            vars(snap)["snapcopy_deleted_ms"] = _now_ms()
        for target in vars(snap).get("snapcopy_copies", []):
            if target.status == "copying":
                vars(target).update(_status="failed", snapcopy_failed_ms=_now_ms())  # source gone mid-copy
        return snap


RDSBackend.create_db_cluster_snapshot = create_db_cluster_snapshot
RDSBackend.copy_db_cluster_snapshot = copy_db_cluster_snapshot
RDSBackend.delete_db_cluster_snapshot = delete_db_cluster_snapshot


# Cross-account use, as AWS allows it. moto keeps every account's resources apart (credentials from STS
# AssumeRole into another account's role land in that account's backends) but never looks across them: an ARN
# of another account's snapshot or key is looked up in the caller's own account. Here such an ARN reaches the
# owner's resource, and AWS's sharing rules decide: a cluster snapshot's `restore` attribute, a KMS key's policy.
CURRENT = threading.local()  # CURRENT.response: the request being served (set in call_action), for its caller
AWS_RDS_KEY = "alias/aws/rds"
RDS_KEY_DESCRIPTION = "Default key that protects my RDS database volumes when no other key is defined"  # AWS's
DRY_RUN_MESSAGE = "The request would have succeeded, but the DryRun option is set."


class KmsError(JsonRESTError):
    # A KMS error with its message in the body: moto's AccessDeniedException drops it, AWS's says who may not.
    code = 400


def _caller(response: BaseResponse | None, account: str) -> tuple:
    """(account, ARN, role ARN or None) of who makes the current request, as sts:GetCallerIdentity names it."""
    if response is None:  # a backend called in-process, not through the server
        return account, f"arn:aws:iam::{account}:root", None
    account, partition = response.current_account, get_partition(response.region)
    sts, access_key = sts_backends[account][partition], response.get_access_key()
    role = sts.get_assumed_role_from_access_key(access_key)
    if role is not None:
        return account, role.arn, role.role_arn
    return account, sts.get_caller_identity(access_key, response.region)[1], None


def _listed(value: object) -> list:
    return [value] if isinstance(value, str) else list(value or [])


def _principal_matches(principal: object, caller: tuple) -> bool:
    """A policy statement's Principal names the caller: anyone, its account (ID or root), its user or its role."""
    account, arn, role_arn = caller
    if principal == "*":
        return True
    if not isinstance(principal, dict):
        return False
    for value in _listed(principal.get("AWS")):
        if value in ("*", account, f"arn:aws:iam::{account}:root", arn):
            return True
        # A role principal allows its sessions (a role's path is not in its session's ARN).
        if role_arn and value.startswith(f"arn:aws:iam::{account}:role/"):
            if value.split("/")[-1] == role_arn.split("/")[-1]:
                return True
    return False


def _action_matches(actions: object, action: str) -> bool:
    # IAM action names are case-insensitive; `*` and `?` are wildcards (kms:*, kms:Describe*, *).
    patterns = (re.escape(p).replace(r"\*", ".*").replace(r"\?", ".") for p in _listed(actions))
    return any(re.fullmatch(pattern, action, re.IGNORECASE) for pattern in patterns)


def _key_policy_denial(key: Key, caller: tuple, action: str) -> str | None:
    """None when the key's policy lets the caller do the action, else AWS's AccessDenied message. Conditions,
    NotPrincipal and NotAction are not evaluated; IAM policies of the caller's account are taken to allow."""
    try:
        statements = json.loads(key.policy).get("Statement", [])
    except (TypeError, ValueError, AttributeError):  # no policy, or not a JSON object
        statements = []
    statements = [statements] if isinstance(statements, dict) else statements if isinstance(statements, list) else []
    allowed = False
    for statement in statements:
        if isinstance(statement, dict) and _principal_matches(statement.get("Principal"), caller):
            if _action_matches(statement.get("Action"), action):
                if statement.get("Effect") == "Deny":
                    return f"{_denied(caller, action, key)} with an explicit deny in a resource-based policy"
                allowed = allowed or statement.get("Effect") == "Allow"
    if allowed:
        return None
    return f"{_denied(caller, action, key)} because no resource-based policy allows the {action} action"


def _denied(caller: tuple, action: str, key: Key) -> str:
    return f"User: {caller[1]} is not authorized to perform: {action} on resource: {key.arn}"


def _resolve_key(kms: KmsBackend, key_ref: str) -> Key | None:
    """A key of this backend by key ID, key ARN, alias name or alias ARN; None if there is none."""
    name = kms.get_alias_name(key_ref)
    key_id = kms.get_key_id_from_alias(name) if name.startswith("alias/") else kms.get_key_id(key_ref)
    return kms.keys.get(key_id) if key_id else None


def _key_of(key_ref: str, account: str, region: str) -> Key | None:
    """The key a resource of this account and Region names: an ARN says where it is, anything else is local.
    moto's encrypted cluster without KmsKeyId says `default_kms_key_id`: on AWS that is aws/rds."""
    key_ref = AWS_RDS_KEY if key_ref == "default_kms_key_id" else key_ref
    if key_ref.startswith("arn:"):
        region, account = key_ref.split(":")[3:5]
    kms = dict.get(kms_backends, account)
    kms = kms[region] if kms is not None and region in kms else None
    return _resolve_key(kms, key_ref) if kms is not None else None


def _is_aws_rds_key(key_ref: str | None, account: str, region: str) -> bool:
    key = _key_of(key_ref, account, region) if key_ref else None
    return key is not None and key is _key_of(AWS_RDS_KEY, account, region)


def _shared_with(snapshot: DBClusterSnapshot, account: str, shared: bool = True, public: bool = True) -> bool:
    """Whether another account's manual snapshot is shared with this account: by ID (shared) or with `all` (public)."""
    restore = snapshot.attributes.get("restore", [])
    return snapshot.snapshot_type == "manual" and ((shared and account in restore) or (public and "all" in restore))


# --- RDS -----------------------------------------------------------------------------------------------------

moto_get_snapshot = RDSBackend.get_snapshot
moto_describe_cluster_snapshots = RDSBackend.describe_db_cluster_snapshots
moto_modify_cluster_snapshot_attribute = RDSBackend.modify_db_cluster_snapshot_attribute
moto_describe_cluster_snapshot_attributes = RDSBackend.describe_db_cluster_snapshot_attributes


def get_snapshot(self, identifier, resource_type, not_found_exception):
    """moto resolves a snapshot ARN in the ARN's Region of the caller's own account; an ARN of another account
    reaches that account's snapshot, visible only when it is shared with the caller (else NotFound, as on AWS)."""
    if identifier.startswith("arn:"):
        region, account, _, name = split_arn(identifier)
        if account != self.account_id:
            owner = dict.get(rds_backends, account)
            owner = dict.get(owner, region) if owner is not None else None
            snapshot = owner.resource_map[resource_type].get(name) if owner is not None else None
            if snapshot is None or not _shared_with(snapshot, self.account_id):
                raise not_found_exception(identifier)
            return snapshot
    return moto_get_snapshot(self, identifier, resource_type, not_found_exception)


class SourceKeyNotAccessible(RDSClientError):
    # AWS names the shared snapshot's key so; moto's KMSKeyNotAccessibleFault message is for the KmsKeyId given.
    def __init__(self, key_arn: str) -> None:
        problem = "does not exist, is not enabled or you do not have permissions to access it."
        super().__init__("KMSKeyNotAccessibleFault", f"The source snapshot KMS key [{key_arn}] {problem}")


def _shared_copy_key(self: RDSBackend, source: DBClusterSnapshot, kms_key_id: str | None) -> str | None:
    """AWS's rules for copying a snapshot another account shares (CopyDBClusterSnapshot, KmsKeyId): an encrypted
    one is copied only in its own Region, only with a key of the caller's account in this Region, and only when
    the owner's key policy lets the caller use the source's key. Answers the KmsKeyId to copy with."""
    if not source.storage_encrypted:
        return kms_key_id  # moto's rules, as for a snapshot of one's own
    if source.region != self.region_name:
        raise InvalidParameterCombination(
            "An encrypted DB cluster snapshot shared from another AWS account cannot be copied to another Region. "
            "Copy it into your account in its Region first, then copy that copy across Regions."
        )
    if not kms_key_id:
        raise InvalidParameterValue(
            "KmsKeyId is required to copy an encrypted DB cluster snapshot shared from another AWS account."
        )
    target = None
    if not kms_key_id.startswith("arn:") or kms_key_id.split(":")[3:5] == [self.region_name, self.account_id]:
        target = _resolve_key(self.kms, kms_key_id)
    if target is None or not target.enabled:
        raise KMSKeyNotAccessibleFault(kms_key_id)
    source_key = _key_of(source.kms_key_id or "", source.account_id, source.region)
    if source_key is None or not source_key.enabled:
        raise SourceKeyNotAccessible(source_key.arn if source_key else str(source.kms_key_id))
    caller = _caller(getattr(CURRENT, "response", None), self.account_id)
    for action in ("kms:DescribeKey", "kms:CreateGrant", "kms:Decrypt"):
        if _key_policy_denial(source_key, caller, action):
            raise SourceKeyNotAccessible(source_key.arn)
    return target.arn


def _shared_cluster_snapshots(self: RDSBackend, shared: bool, public: bool, cluster_id, filters) -> list:
    """Other accounts' manual snapshots in this Region shared with this account, through moto's filters."""
    found = {}
    for account, regions in list(rds_backends.items()):
        backend = dict.get(regions, self.region_name)
        if account != self.account_id and backend is not None:
            for snapshot in list(backend.cluster_snapshots.values()):
                if _shared_with(snapshot, self.account_id, shared, public):
                    found[snapshot.arn] = snapshot
    filters = dict(filters or {})
    if cluster_id:
        filters["db-cluster-id"] = [cluster_id]
    return list((self._filter_resources(found, filters, DBClusterSnapshot) if filters else found).values())


def describe_db_cluster_snapshots(
    self, db_cluster_identifier, db_snapshot_identifier, snapshot_type=None, filters=None, **include
):
    """moto's describe, plus what AWS shows of other accounts' snapshots: by ARN when shared with the caller,
    SnapshotType shared (shared with this account) and public (shared with `all`), and IncludeShared /
    IncludePublic added to the caller's own snapshots when no SnapshotType is given."""
    if db_snapshot_identifier and db_snapshot_identifier.startswith("arn:"):
        region, account, _, name = split_arn(db_snapshot_identifier)
        if region == self.region_name and account != self.account_id:
            return [self.get_db_cluster_snapshot(db_snapshot_identifier)]  # NotFound unless shared
        if region == self.region_name:
            db_snapshot_identifier = name  # one's own snapshot by ARN
    if snapshot_type in ("shared", "public") and not db_snapshot_identifier:
        return _shared_cluster_snapshots(
            self, snapshot_type == "shared", snapshot_type == "public", db_cluster_identifier, filters
        )
    own = moto_describe_cluster_snapshots(self, db_cluster_identifier, db_snapshot_identifier, snapshot_type, filters)
    shared, public = include.get("include_shared", False), include.get("include_public", False)
    if (shared or public) and snapshot_type is None and not db_snapshot_identifier:
        own += _shared_cluster_snapshots(self, shared, public, db_cluster_identifier, filters)
    return own


def _own_only(self: RDSBackend, identifier: str) -> None:
    # Only a snapshot's owner reads or changes its attributes: another account's ARN is not found.
    if identifier.startswith("arn:") and split_arn(identifier)[:2] != (self.region_name, self.account_id):
        raise DBClusterSnapshotNotFoundError(identifier)


def modify_db_cluster_snapshot_attribute(
    self, db_cluster_snapshot_identifier, attribute_name, values_to_add=None, values_to_remove=None
):
    """moto's attribute change, refusing what AWS refuses to share: an encrypted snapshot with `all`, and one
    encrypted with its account's AWS managed key aws/rds with anyone."""
    _own_only(self, db_cluster_snapshot_identifier)
    snapshot = self.describe_db_cluster_snapshots(None, db_cluster_snapshot_identifier)[0]
    sharing = attribute_name == "restore" and values_to_add and snapshot.snapshot_type == "manual"
    if sharing and snapshot.storage_encrypted:
        if "all" in values_to_add:
            raise InvalidParameterValue("Encrypted snapshots cannot be shared publicly; share them with accounts.")
        if _is_aws_rds_key(snapshot.kms_key_id, self.account_id, self.region_name):
            raise InvalidParameterValue(
                "Cannot share a snapshot encrypted with the default KMS key aws/rds; copy it with a customer managed "
                "key first and share the copy."
            )
    # Sharing with an account it is already shared with changes nothing on AWS; moto would list it twice.
    present = [v for v in snapshot.attributes.get(attribute_name, []) if v not in (values_to_remove or [])]
    values_to_add = [value for value in dict.fromkeys(values_to_add or []) if value not in present]
    return moto_modify_cluster_snapshot_attribute(
        self, db_cluster_snapshot_identifier, attribute_name, values_to_add, values_to_remove
    )


def describe_db_cluster_snapshot_attributes(self, db_cluster_snapshot_identifier):
    _own_only(self, db_cluster_snapshot_identifier)
    return moto_describe_cluster_snapshot_attributes(self, db_cluster_snapshot_identifier)


def describe_db_cluster_snapshots_response(self):
    """moto's DescribeDBClusterSnapshots, which drops IncludeShared and IncludePublic: passes them on."""
    params = self.params
    snapshots = self.backend.describe_db_cluster_snapshots(
        params.get("DBClusterIdentifier"),
        params.get("DBClusterSnapshotIdentifier"),
        params.get("SnapshotType"),
        {f["Name"]: f["Values"] for f in params.get("Filters", [])},
        include_shared=params.get("IncludeShared") in (True, "true"),
        include_public=params.get("IncludePublic") in (True, "true"),
    )
    return ActionResult({"DBClusterSnapshots": snapshots})


RDSBackend.get_snapshot = get_snapshot
RDSBackend.describe_db_cluster_snapshots = describe_db_cluster_snapshots
RDSBackend.modify_db_cluster_snapshot_attribute = modify_db_cluster_snapshot_attribute
RDSBackend.describe_db_cluster_snapshot_attributes = describe_db_cluster_snapshot_attributes
RDSResponse.describe_db_cluster_snapshots = describe_db_cluster_snapshots_response


# --- KMS -----------------------------------------------------------------------------------------------------

moto_generate_default_keys = KmsBackend._generate_default_keys


def _generate_default_keys(self, alias_name):
    """moto makes an aws/* alias's key on first use, as AWS does, but as a customer managed key: AWS manages it."""
    key_id = moto_generate_default_keys(self, alias_name)
    if key_id is not None:
        self.keys[key_id].key_manager = "AWS"
        if alias_name == AWS_RDS_KEY:
            self.keys[key_id].description = RDS_KEY_DESCRIPTION
    return key_id


KmsBackend._generate_default_keys = _generate_default_keys
# The backend a KMS request works on: the caller's own, or the owner's of another account's key it may use.
KmsResponse.kms_backend = property(
    lambda self: vars(self).get("snapcopy_kms_backend") or kms_backends[self.current_account][self.region]
)


def _foreign_key(self: KmsResponse, action: str) -> tuple:
    """(owner's backend, key) when the request names a key of another account in this Region: by key or alias ARN,
    or (Decrypt without KeyId) by its ciphertext. (None, None) for the caller's own keys, left to moto."""
    key_ref = self._get_param("KeyId")
    if not key_ref and action == "kms:Decrypt":
        try:
            key_id = _deserialize_ciphertext_blob(self._get_param("CiphertextBlob")).key_id
        except Exception:
            return None, None  # moto answers InvalidCiphertextException
        if key_id in self.kms_backend.keys:
            return None, None
        for account, regions in list(kms_backends.items()):
            owner = dict.get(regions, self.region)
            if account != self.current_account and owner is not None and key_id in owner.keys:
                return owner, owner.keys[key_id]
        return None, None
    if not (isinstance(key_ref, str) and key_ref.startswith("arn:") and key_ref.count(":") >= 5):
        return None, None  # key IDs and alias names always mean the caller's own account
    region, account = key_ref.split(":")[3:5]
    if account == self.current_account or region != self.region:
        return None, None  # moto: own key, or NotFound (a key is used in its own Region's endpoint)
    owner = dict.get(kms_backends, account)
    owner = dict.get(owner, region) if owner is not None else None
    key = _resolve_key(owner, key_ref) if owner is not None else None
    if key is None:
        raise KmsError("NotFoundException", f"Key '{key_ref}' does not exist")
    return owner, key


KMS_CROSS_ACCOUNT = {  # moto's KmsResponse method: (IAM action, whether AWS takes DryRun for it)
    "describe_key": ("kms:DescribeKey", False),
    "create_grant": ("kms:CreateGrant", True),
    "list_grants": ("kms:ListGrants", False),
    "revoke_grant": ("kms:RevokeGrant", True),
    "encrypt": ("kms:Encrypt", True),
    "decrypt": ("kms:Decrypt", True),
    "generate_data_key": ("kms:GenerateDataKey", True),
    "generate_data_key_without_plaintext": ("kms:GenerateDataKeyWithoutPlaintext", True),
}


def _cross_account(name: str):
    moto_method = getattr(KmsResponse, name)
    action, dry_run = KMS_CROSS_ACCOUNT[name]

    def method(self: KmsResponse) -> str:
        """Another account's key: looked up in its owner's account and allowed by its key policy (else
        AccessDeniedException). DryRun answers DryRunOperationException once the call would have succeeded."""
        if vars(self).get("snapcopy_kms_checked"):  # e.g. GenerateDataKeyWithoutPlaintext calls GenerateDataKey
            return moto_method(self)
        owner, key = _foreign_key(self, action)
        if key is not None:
            denial = _key_policy_denial(key, _caller(self, self.current_account), action)
            if denial:
                raise KmsError("AccessDeniedException", denial)
            vars(self)["snapcopy_kms_backend"] = owner
        vars(self)["snapcopy_kms_checked"] = True
        if self._get_param("KeyId") and name in ("create_grant", "list_grants", "revoke_grant"):
            self._validate_key_id(self._get_param("KeyId"))  # moto would fail with a KeyError (500)
        if dry_run and self._get_param("DryRun") is True:
            if self._get_param("KeyId"):
                self._validate_key_id(self._get_param("KeyId"))
            raise KmsError("DryRunOperationException", DRY_RUN_MESSAGE)
        return moto_method(self)

    method.__name__ = name
    return method


for _name in KMS_CROSS_ACCOUNT:
    setattr(KmsResponse, _name, _cross_account(_name))


moto_call_action = BaseResponse.call_action
# An error's code: <Code> in RDS's XML, __type (maybe prefixed with a namespace and `#`) in KMS's JSON.
ERROR_CODE = re.compile(r'<Code>([^<]+)</Code>|"__type":\s*"(?:[^"#]*#)?([^"]+)"')


def _error_code(status: int, body: object) -> str | None:
    if status < 400:
        return None
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else str(body)
    match = ERROR_CODE.search(text)
    return next(filter(None, match.groups())) if match else str(status)


def _count(service: str, action: str, error: str | None) -> None:
    with LOCK:
        actions = CALLS.setdefault(service, {})
        actions[action] = actions.get(action, 0) + 1
        if error is not None:
            codes = ERRORS.setdefault(service, {}).setdefault(action, {})
            codes[error] = codes.get(error, 0) + 1


# Fault injection. CONFIG["faults"] (absent when none is set) is what was last set: {"seed"?: int,
# "default"?: spec, "actions"?: {"service:Action": spec}}; an action's spec overrides the default's fields.
FRACTIONS = ("throttle", "error5xx", "lostResponse")  # one draw picks at most one of them: their sum is <= 1
DELAYS = ("latencyMs", "jitterMs")  # a call first waits latencyMs plus a uniform draw of up to jitterMs
FAULT_COUNTS: dict = {}  # FAULT_COUNTS[service][action][kind]: faults injected (a FRACTIONS kind, or "latency")
# One generator per "service:Action", seeded from (seed, action): an action's n-th call meets the same fate
# for a given seed however the calls of other actions interleave with it.
GENERATORS: dict = {}
DROP = threading.local()  # DROP.now: set in call_action, carried out by the middleware, which owns the socket
# What an injected error answers, as AWS's common errors: status: (Query code, JSON __type, Type, message).
INJECTED = {
    400: ("Throttling", "ThrottlingException", "Sender", "Rate exceeded"),
    500: (
        "InternalFailure",
        "InternalFailure",
        "Receiver",
        "The request processing has failed because of an unknown error, exception or failure.",
    ),
    503: (
        "ServiceUnavailable",
        "ServiceUnavailable",
        "Receiver",
        "The request has failed due to a temporary failure of the server.",
    ),
}


def _fate(service: str, action: str) -> tuple:
    """The one place that decides what befalls an AWS call: (fault or None, status to answer, seconds to wait).

    Three draws per call whatever is configured, so that a seed gives each action the same sequence of fates.
    """
    with LOCK:
        faults = CONFIG.get("faults")
        if not faults:
            return None, None, 0.0
        key = f"{service}:{action}"
        spec = {**faults.get("default", {}), **faults.get("actions", {}).get(key, {})}
        if key not in GENERATORS:  # a str seed is hashed with SHA-512: the same in every run
            GENERATORS[key] = random.Random(None if faults.get("seed") is None else f"{faults['seed']}:{key}")
        draws = GENERATORS[key]
        pick, which, jitter = draws.random(), draws.random(), draws.random()
        fault, bound = None, 0.0
        for kind in FRACTIONS:
            bound += spec.get(kind, 0)
            if pick < bound:
                fault = kind
                break
        status = {"throttle": 400, "error5xx": 500 if which < 0.5 else 503}.get(fault)
        delay_ms = spec.get("latencyMs", 0) + spec.get("jitterMs", 0) * jitter
        for kind in (fault, "latency" if delay_ms > 0 else None):
            if kind is not None:
                counts = FAULT_COUNTS.setdefault(service, {}).setdefault(action, {})
                counts[kind] = counts.get(kind, 0) + 1
        return fault, status, delay_ms / 1000


def _injected_error(response: BaseResponse, status: int) -> tuple:
    """An error in the shape AWS answers it (and the SDK parses): JSON for the JSON protocols (KMS), else Query XML."""
    query_code, json_code, error_type, message = INJECTED[status]
    request_id = str(uuid.uuid4())
    content_type = response.headers.get("Content-Type") or ""
    if content_type.startswith("application/x-amz-json"):  # the same JSON version back (KMS: 1.1)
        body = json.dumps({"__type": json_code, "message": message})
        return status, {"Content-Type": content_type, "x-amzn-RequestId": request_id}, body
    version = (response.querystring.get("Version") or [None])[0]
    xmlns = f' xmlns="http://{response.service_name}.amazonaws.com/doc/{version}/"' if version else ""
    body = (
        f"<ErrorResponse{xmlns}><Error><Type>{error_type}</Type><Code>{query_code}</Code>"
        f"<Message>{message}</Message></Error><RequestId>{request_id}</RequestId></ErrorResponse>"
    )
    return status, {"Content-Type": "text/xml", "x-amzn-RequestId": request_id}, body


def call_action(self):
    """Every AWS request moto serves comes here (the emulator's own endpoints and /moto-api/* never do): its
    fate is decided, then it is counted by service and action, and by error code when it fails."""
    service, action = self.service_name or "unknown", self._get_action() or "unknown"
    fault, status, delay = _fate(service, action)
    if delay:
        time.sleep(delay)  # outside the lock: the server is threaded, other calls go on meanwhile
    if fault in ("throttle", "error5xx"):
        status, headers, body = _injected_error(self, status)  # refused before moto sees it, as AWS would
    else:
        DROP.now = fault == "lostResponse"  # moto acts, then the middleware drops the connection unanswered
        CURRENT.response = self  # who calls: for the cross-account rules the backends apply
        try:
            status, headers, body = moto_call_action(self)
        except Exception as err:  # e.g. an action moto does not implement: the server answers 500
            _count(service, action, type(err).__name__)
            raise
        finally:
            CURRENT.response = None
    _count(service, action, _error_code(status, body))
    return status, headers, body


BaseResponse.call_action = call_action


def _reset_stats() -> None:
    global STATS_SINCE
    CALLS.clear()
    ERRORS.clear()
    FAULT_COUNTS.clear()
    STATS_SINCE = _now_ms()


def _stats_view() -> dict:
    return {"since": STATS_SINCE, "calls": CALLS, "errors": ERRORS, "faults": FAULT_COUNTS}


def _copies_view() -> dict:
    """Every copy's timeline, brought up to date with the clock, and the copies in flight per Region."""
    copies, in_flight = [], {}
    for region, account, snap in COPIES:
        _refresh(snap)
        state = vars(snap)
        view = {
            "region": region,
            "accountId": account,
            "id": snap.db_cluster_snapshot_identifier,
            "status": state["_status"],
            "createdAt": state["snapcopy_created_ms"],
        }
        for key, field in (("availableAt", "available"), ("failedAt", "failed"), ("deletedAt", "deleted")):
            if f"snapcopy_{field}_ms" in state:
                view[key] = state[f"snapcopy_{field}_ms"]
        copies.append(view)
        if view["status"] == "copying" and "deletedAt" not in view:
            in_flight[region] = in_flight.get(region, 0) + 1
    return {"now": _now_ms(), "inFlight": in_flight, "copies": copies}


def _validated_spec(spec: object, where: str) -> dict:
    if not isinstance(spec, dict):
        raise ValueError(f"{where} must be a JSON object")
    for field, value in spec.items():
        if field not in FRACTIONS + DELAYS:
            raise ValueError(f"unknown key {where}.{field}; expected any of {list(FRACTIONS + DELAYS)}")
        number = not isinstance(value, bool) and isinstance(value, (int, float)) and math.isfinite(value)
        if field in FRACTIONS and not (number and 0 <= value <= 1):
            raise ValueError(f"{where}.{field} must be a number from 0 to 1")
        if field in DELAYS and not (number and value >= 0):
            raise ValueError(f"{where}.{field} must be a non-negative number (milliseconds)")
    return spec


def _check_fractions(spec: dict, where: str) -> None:
    if sum(spec.get(kind, 0) for kind in FRACTIONS) > 1:
        raise ValueError(f"{where}: {' + '.join(FRACTIONS)} must be at most 1 (one draw picks one of them)")


def _validated_faults(faults: object) -> dict:
    if not isinstance(faults, dict):
        raise ValueError("faults must be a JSON object")
    for key in faults:
        if key not in ("seed", "default", "actions"):
            raise ValueError(f"unknown key faults.{key}; expected any of ['seed', 'default', 'actions']")
    seed = faults.get("seed")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
        raise ValueError("faults.seed must be an integer")
    default = _validated_spec(faults.get("default", {}), "faults.default")
    _check_fractions(default, "faults.default")
    actions = faults.get("actions", {})
    if not isinstance(actions, dict):
        raise ValueError("faults.actions must be a JSON object")
    for key, spec in actions.items():
        where = f"faults.actions.{key}"
        if not re.fullmatch(r"[a-z0-9-]+:[A-Za-z0-9]+", key):
            raise ValueError(f"{where}: an action is named service:Action, e.g. rds:CopyDBClusterSnapshot")
        _check_fractions({**default, **_validated_spec(spec, where)}, f"{where} with faults.default")
    return faults


def _validated(update: object) -> dict:
    if not isinstance(update, dict):
        raise ValueError("expected a JSON object")
    for key, value in update.items():
        if key == "faults":
            _validated_faults(value)
            continue
        if key not in OPTIONS:
            raise ValueError(f"unknown key {key!r}; expected any of {sorted(OPTIONS) + ['faults']}")
        kind = OPTIONS[key][2]
        if isinstance(value, bool) or not isinstance(value, (int, kind)) or value < 0:
            raise ValueError(f"{key} must be a non-negative {kind.__name__}")
    return update


def _configure(request: Request) -> tuple:
    global CONFIG_SINCE
    if request.method == "POST":
        try:
            update = _validated(request.get_json(force=True, silent=True))
        except ValueError as err:
            return {"error": str(err)}, 400
        with LOCK:
            for _, _, snap in COPIES:
                _refresh(snap)  # settle copies under the old config: one that is done stays done
            _apply(update)
            CONFIG_SINCE = _now_ms()
    return CONFIG, 200


def _apply(update: dict) -> None:
    CONFIG.update(update)
    if "faults" in update:  # replaces the faults set before; {} removes them
        GENERATORS.clear()  # the draws start over: from the seed if one is given, else from fresh randomness
        if not CONFIG["faults"]:
            del CONFIG["faults"]  # so the config reads as it did before faults existed


def _stats(request: Request) -> tuple:
    with LOCK:
        if request.method == "POST":
            _reset_stats()
        return deepcopy(_stats_view()), 200  # taken under the lock: counting goes on meanwhile


def _copies(request: Request) -> tuple:
    if request.method != "GET":
        return {"error": "use GET"}, 405
    with LOCK:
        return _copies_view(), 200


def _sessions(_request: Request) -> tuple:
    """Every assumed-role session moto's STS handed out, secrets included: for tests that prove none leaks."""
    from moto.sts.models import sts_backends

    out = []
    for account_id, backends in sts_backends.items():
        for backend in backends.values():
            for role in backend.assumed_roles:
                out.append(
                    {
                        "account": account_id,
                        "roleArn": role.role_arn,
                        "sessionName": role.session_name,
                        "externalId": role.external_id,
                        "accessKeyId": role.access_key_id,
                        "secretAccessKey": role.secret_access_key,
                        "sessionToken": role.session_token,
                    }
                )
    return {"sessions": out}, 200


CONTROL = {CONFIG_PATH: _configure, STATS_PATH: _stats, COPIES_PATH: _copies, SESSIONS_PATH: _sessions}


def _drop_connection(environ: dict, answer) -> None:
    """A response lost after moto acted: the client reads the end of the stream where the answer should be."""
    if hasattr(answer, "close"):
        answer.close()
    environ["werkzeug.socket"].shutdown(socket.SHUT_RDWR)  # nothing was written yet: werkzeug writes on return
    # werkzeug takes a ConnectionError from the app for a client gone away: no response, no traceback.
    raise ConnectionAbortedError("snapcopy emulator: response lost on purpose")


def with_control_endpoint(app):
    """WSGI middleware: answers the CONTROL paths itself and hands every other request to moto."""

    def wsgi(environ, start_response):
        path = environ.get("PATH_INFO")
        if path == RESET_PATH and environ.get("REQUEST_METHOD") == "POST":
            with LOCK:  # moto forgets every snapshot: forget what was observed of them too
                COPIES.clear()
                _reset_stats()
        if path not in CONTROL:
            DROP.now = False
            answer = app(environ, start_response)
            if DROP.now:
                _drop_connection(environ, answer)
            return answer
        request = Request(environ)
        if request.method in ("GET", "POST"):
            body, status = CONTROL[path](request)
        else:
            body, status = {"error": "use GET or POST"}, 405
        # The pid tells a launcher that it reached the emulator it started, not another one on the port.
        headers = {"X-Snapcopy-Emulator-Pid": str(os.getpid())}
        return Response(json.dumps(body), status, headers, mimetype="application/json")(environ, start_response)

    return wsgi


FAULTS_ENV = "SNAPCOPY_EMULATOR_FAULTS"


def _json_arg(text: str) -> object:
    try:
        return json.loads(text)
    except json.JSONDecodeError as err:
        raise argparse.ArgumentTypeError(f"not JSON: {err}") from None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5000, help="0 picks a free port")
    for key, (flag, env, kind, default) in OPTIONS.items():
        # A string default goes through `type` like a flag's value, so bad env values are reported alike.
        value = os.environ.get(env, str(default))
        parser.add_argument(flag, dest=key, type=kind, default=value, metavar="N", help=f"env {env}, default {default}")
    example = '{"default": {"throttle": 0.1}, "actions": {"rds:CopyDBClusterSnapshot": {"lostResponse": 0.2}}}'
    faults, faults_help = os.environ.get(FAULTS_ENV, "{}"), f"env {FAULTS_ENV}, e.g. {example}"
    parser.add_argument("--faults", type=_json_arg, default=faults, metavar="JSON", help=faults_help)
    args = vars(parser.parse_args())
    try:
        _apply(_validated({**{key: args[key] for key in OPTIONS}, "faults": args["faults"]}))
    except ValueError as err:
        parser.error(str(err))

    app = with_control_endpoint(DomainDispatcherApplication(create_backend_app))
    server = make_server(args["host"], args["port"], app, threaded=True, request_handler=MotoRequestHandler)
    port = server.server_address[1]
    os.environ.setdefault("MOTO_PORT", str(port))  # moto builds some URLs (e.g. SQS queues) from it

    # shutdown() waits for serve_forever() to return, so it cannot run in the signal handler's thread.
    def stop(_signum, _frame):
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    print(f"snapcopy emulator listening on http://{args['host']}:{port}", flush=True)
    server.serve_forever()
    server.server_close()
    print("snapcopy emulator stopped", flush=True)


if __name__ == "__main__":
    main()

"""Cross-account use, as AWS allows it.

moto keeps every account's resources apart (credentials from STS AssumeRole into another account's role land
in that account's backends) but never looks across them: an ARN of another account's snapshot or key is looked
up in the caller's own account. Here such an ARN reaches the owner's resource, and AWS's sharing rules decide:
a cluster snapshot's `restore` attribute, a KMS key's policy. install() puts the RDS and KMS changes in place.

Also here: who makes the request being served (CURRENT, set by aws_calls.py), the rules for copying a
snapshot another account shares (`shared_copy_key`, which copies.py applies), and the assumed-role sessions STS
handed out (`sessions_view`, for GET /snapcopy-emulator/sessions).
"""

import json
import re
import threading

from moto.core.exceptions import JsonRESTError
from moto.core.responses import ActionResult, BaseResponse
from moto.kms.models import Key, KmsBackend, kms_backends
from moto.kms.responses import KmsResponse
from moto.kms.utils import _deserialize_ciphertext_blob
from moto.rds.exceptions import (
    DBClusterSnapshotNotFoundError,
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

CURRENT = threading.local()  # CURRENT.response: the request being served (set by aws_calls), for its caller
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

# moto's own methods, which the replacements below call (read here, replaced only by install()).
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


def shared_copy_key(self: RDSBackend, source: DBClusterSnapshot, kms_key_id: str | None) -> str | None:
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


# The backend a KMS request works on: the caller's own, or the owner's of another account's key it may use.
kms_backend = property(
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


# --- STS -----------------------------------------------------------------------------------------------------


def sessions_view() -> dict:
    """Every assumed-role session moto's STS handed out, secrets included: for tests that prove none leaks."""
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
    return {"sessions": out}


def install() -> None:
    """RDS: other accounts' snapshots by ARN, shared ones described, attributes for their owner only, sharing
    refused as AWS refuses it. KMS: aws/* keys AWS managed; other accounts' keys used as their policies allow."""
    RDSBackend.get_snapshot = get_snapshot
    RDSBackend.describe_db_cluster_snapshots = describe_db_cluster_snapshots
    RDSBackend.modify_db_cluster_snapshot_attribute = modify_db_cluster_snapshot_attribute
    RDSBackend.describe_db_cluster_snapshot_attributes = describe_db_cluster_snapshot_attributes
    RDSResponse.describe_db_cluster_snapshots = describe_db_cluster_snapshots_response
    KmsBackend._generate_default_keys = _generate_default_keys
    KmsResponse.kms_backend = kms_backend
    for name in KMS_CROSS_ACCOUNT:
        setattr(KmsResponse, name, _cross_account(name))

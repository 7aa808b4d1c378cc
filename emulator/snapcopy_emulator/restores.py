"""DB clusters restored from snapshots, and their instances, as AWS runs them, where moto makes them at once.

A cluster RestoreDBClusterFromSnapshot makes is `creating` for restoreSeconds, an instance CreateDBInstance makes
in a cluster `creating` for instanceSeconds, then `available`; after DeleteDBCluster / DeleteDBInstance one is
`deleting` for deleteSeconds, then gone (DBClusterNotFoundFault / DBInstanceNotFound). All of it is computed
lazily from the clock whenever it is read, like copies.py's copies. AWS's refusals: a cluster or instance still
`creating` is not deleted (InvalidDBClusterStateFault / InvalidDBInstanceState), nor a cluster that still has
instances not `deleting`; a snapshot not `available` is not restored (InvalidDBClusterSnapshotStateFault); an
identifier in use is not taken again (DBClusterAlreadyExistsFault); clusters per account and Region are limited
(clusterQuota, DBClusterQuotaExceededFault). A restored cluster is the snapshot's (Engine, EngineVersion,
StorageEncrypted, KmsKeyId) with the Tags, DeletionProtection and CopyTagsToSnapshot of the call.
RESTORES records every cluster restored and instance created, for GET /snapcopy-emulator/restores.
install() puts the clock on DBCluster and DBInstance and the rules on RDSBackend's restore, create and delete.
"""

import copy
import time

from moto.rds.exceptions import (
    DBClusterNotFoundError,
    DBClusterToBeDeletedHasActiveMembers,
    DBInstanceAlreadyExists,
    InvalidDBClusterSnapshotStateFault,
    InvalidDBClusterStateFault,
    InvalidParameterCombination,
    RDSClientError,
)
from moto.rds.models import DBCluster, DBInstance, RDSBackend
from moto.rds.responses import RDSResponse

from . import config
from .config import CONFIG, LOCK, now_ms

# (region, account, kind, resource) for every cluster restored and instance created in a cluster, in order, gone
# ones included; /moto-api/reset clears it. Clusters CreateDBCluster made are not listed (moto's, available at
# once), but they too are `deleting` for deleteSeconds once deleted.
RESTORES: list = []
# Every resource with a deletion under way or done, listed or not: settled before a config change like the rest.
DELETED: list = []


class DBClusterAlreadyExists(RDSClientError):
    def __init__(self) -> None:  # moto's create_db_cluster replaces a cluster of the same identifier
        super().__init__("DBClusterAlreadyExistsFault", "DB cluster already exists")


class DBClusterQuotaExceeded(RDSClientError):
    # AWS's model answers it with HTTP 403 (moto takes the status from the model).
    def __init__(self, quota: int) -> None:
        super().__init__(
            "DBClusterQuotaExceededFault",
            f"Cannot create more than {quota} DB clusters in this account and Region (DB cluster quota).",
        )


def _seconds(resource) -> float:
    return CONFIG["restoreSeconds"] if isinstance(resource, DBCluster) else CONFIG["instanceSeconds"]


def refresh(resource) -> None:
    """Brings a resource's timeline up to date with the clock: available, then (once deleted) gone."""
    state = vars(resource)
    if "snapcopy_started" in state and "snapcopy_available_ms" not in state:
        seconds = _seconds(resource)
        if time.monotonic() - state["snapcopy_started"] >= seconds:
            end = state["snapcopy_created_ms"] + round(1000 * seconds)
            state["snapcopy_available_ms"] = max(end, config.CONFIG_SINCE)  # however late it is read
    if "snapcopy_delete_started" in state and "snapcopy_gone_ms" not in state:
        if time.monotonic() - state["snapcopy_delete_started"] >= CONFIG["deleteSeconds"]:
            end = state["snapcopy_delete_requested_ms"] + round(1000 * CONFIG["deleteSeconds"])
            state["snapcopy_gone_ms"] = max(end, config.CONFIG_SINCE)


def phase(resource) -> str | None:
    """creating, deleting or gone by the clock; None when the timeline leaves the status to moto (available)."""
    refresh(resource)
    state = vars(resource)
    if "snapcopy_gone_ms" in state:
        return "gone"
    if "snapcopy_delete_requested_ms" in state:
        return "deleting"
    if "snapcopy_started" in state and "snapcopy_available_ms" not in state:
        return "creating"
    return None


def settle_all() -> None:
    """Brings every timeline up to date under the config in force: before a change, so what is done stays done."""
    for _, _, _, resource in RESTORES:
        refresh(resource)
    for resource in DELETED:
        refresh(resource)


def reap(backend: RDSBackend) -> RDSBackend:
    """Forgets the backend's clusters and instances whose deletion is over: from now on AWS does not know them."""
    with LOCK:
        for table in (backend.clusters, backend.databases):
            for key, resource in list(table.items()):
                if "snapcopy_delete_started" in vars(resource) and phase(resource) == "gone":
                    del table[key]
    return backend


# moto's own status of a cluster: `creating` on its first read, `available` after (CreateDBCluster's clusters).
moto_cluster_status = DBCluster.status


def _cluster_status(cluster: DBCluster) -> str:
    now = phase(cluster)
    if now == "gone":
        return "deleting"  # still read (e.g. the answer to a call already under way): its last status
    return now or moto_cluster_status.fget(cluster)


def _state_now(cluster: DBCluster) -> str:
    """A cluster's status for AWS's rules, without moto's first read: CreateDBCluster's cluster is available."""
    now = phase(cluster)
    if now is not None:
        return "deleting" if now == "gone" else now
    return "available" if vars(cluster)["_status"] == "creating" else vars(cluster)["_status"]


def _instance_status(instance: DBInstance) -> str:
    now = phase(instance)
    return "deleting" if now == "gone" else now or vars(instance).get("snapcopy_moto_status", "available")


def _start(resource, backend: RDSBackend, kind: str) -> None:
    vars(resource).update(snapcopy_started=time.monotonic(), snapcopy_created_ms=now_ms())
    RESTORES.append((backend.region_name, backend.account_id, kind, resource))


def _mark_deleting(resource) -> None:
    refresh(resource)  # when it became available, before its deletion starts
    vars(resource).update(snapcopy_delete_started=time.monotonic(), snapcopy_delete_requested_ms=now_ms())
    DELETED.append(resource)


def _check_cluster_quota(backend: RDSBackend) -> None:
    # Clusters not gone count, those `deleting` included.
    if len(backend.clusters) >= CONFIG["clusterQuota"]:
        raise DBClusterQuotaExceeded(CONFIG["clusterQuota"])


# moto's own methods, which the replacements below call (read here, replaced only by install()).
moto_create_cluster = RDSBackend.create_db_cluster
moto_create_instance = RDSBackend.create_db_instance
moto_delete_instance = RDSBackend.delete_db_instance
moto_rds_backend = RDSResponse.backend


def create_db_cluster(self, kwargs):
    with LOCK:
        if kwargs["db_cluster_identifier"] in self.clusters:
            raise DBClusterAlreadyExists()
        _check_cluster_quota(self)
        return moto_create_cluster(self, kwargs)


# What a restore takes of the snapshot's cluster as it was: not its state, identity or links to other clusters.
NOT_RESTORED = (
    "_status",
    "read_replica_identifiers",
    "global_cluster_identifier",
    "replication_source_identifier",
    "_associated_roles",
    "master_user_secret",
)


def restore_db_cluster_from_snapshot(self, from_snapshot_id, overrides):
    """A new cluster made from the snapshot, `creating` for restoreSeconds. moto takes engine, version and
    encryption from the snapshot's cluster, DeletionProtection from it too, and ignores a False given: here the
    snapshot's engine and encryption, and the call's DeletionProtection and CopyTagsToSnapshot (default false)."""
    with LOCK:
        # A name, or an ARN (of another account's snapshot shared with this one: cross_account resolves it).
        snapshot = self.describe_db_cluster_snapshots(None, from_snapshot_id)[0]
        if snapshot.status != "available":
            raise InvalidDBClusterSnapshotStateFault(
                f"Cannot restore from DB cluster snapshot {snapshot.db_cluster_snapshot_identifier}: "
                f"it is {snapshot.status}, not available."
            )
        if overrides["db_cluster_identifier"] in self.clusters:
            raise DBClusterAlreadyExists()
        _check_cluster_quota(self)
        props = {
            key: value
            for key, value in copy.copy(snapshot.cluster.get_cfg()).items()
            if not key.startswith("snapcopy_") and key not in NOT_RESTORED
        }
        props.update(
            engine=snapshot.engine,
            engine_version=snapshot.engine_version,
            storage_encrypted=snapshot.storage_encrypted,
            kms_key_id=snapshot.kms_key_id if snapshot.storage_encrypted else None,
            tags=list(snapshot.tags or []),  # no Tags given: the snapshot's
            enable_http_endpoint=None,  # AWS: EnableHttpEndpoint after the restore (data_api.py)
        )
        for key, value in overrides.items():
            if value:  # as moto: what the call gives (Engine, EngineVersion, KmsKeyId, Port, Tags, ...)
                props[key] = value
        props["deletion_protection"] = bool(overrides.get("deletion_protection"))
        props["copy_tags_to_snapshot"] = bool(overrides.get("copy_tags_to_snapshot"))
        if overrides.get("kms_key_id"):  # AWS: encrypted with that key (an ID, alias or ARN: answered as its ARN)
            props.update(kms_key_id=self._validate_kms_key(overrides["kms_key_id"]), storage_encrypted=True)
        cluster = moto_create_cluster(self, props)
        if not cluster.storage_encrypted:
            cluster.kms_key_id = None  # moto would name a "default_kms_key_id"; AWS has no key for it
        cluster.status = "available"  # what it is once `creating` is over (stop/start may change it later)
        vars(cluster)["snapcopy_snapshot_arn"] = snapshot.arn
        _start(cluster, self, "cluster")
        return cluster


def create_db_instance(self, db_kwargs):
    """moto's instance; one in a cluster is `creating` for instanceSeconds. No instance joins a cluster `deleting`."""
    with LOCK:
        cluster_id = db_kwargs.get("db_cluster_identifier")
        cluster = self.clusters.get(cluster_id) if cluster_id else None
        if db_kwargs["db_instance_identifier"] in self.databases:
            raise DBInstanceAlreadyExists()  # moto's, before the cluster's state
        if cluster is not None and phase(cluster) == "deleting":
            raise InvalidDBClusterStateFault(f"DB cluster {cluster.db_cluster_identifier} is deleting.")
        instance = moto_create_instance(self, db_kwargs)
        if cluster is not None:
            _start(instance, self, "instance")
        return instance


def delete_db_cluster(self, cluster_identifier, snapshot_name=None):
    """AWS's refusals, then moto's side effects; the cluster stays `deleting` for deleteSeconds."""
    with LOCK:
        cluster = self.clusters.get(cluster_identifier)
        if cluster is None:
            raise DBClusterNotFoundError(cluster_identifier)
        status = _state_now(cluster)
        if status == "deleting":
            raise InvalidDBClusterStateFault(f"Cluster {cluster.db_cluster_identifier} is already being deleted.")
        if cluster.deletion_protection:
            raise InvalidParameterCombination(
                "Cannot delete protected Cluster, please disable deletion protection and try again."
            )
        if status == "creating":
            raise InvalidDBClusterStateFault(
                f"Cluster {cluster.db_cluster_identifier} is in creating state and cannot be deleted until it is "
                "available."
            )
        if any(member.status != "deleting" for member in cluster._members):
            raise DBClusterToBeDeletedHasActiveMembers()  # AWS's words
        # moto's delete_db_cluster from here on, but the cluster stays in the backend until it is gone.
        global_id = cluster.global_cluster_identifier or ""
        if global_id in self.global_clusters:
            self.remove_from_global_cluster(global_id, cluster_identifier)
        if cluster.manage_master_user_password:
            cluster.master_user_secret.delete_secret()
        if snapshot_name:
            self.create_db_cluster_snapshot(cluster_identifier, snapshot_name)
        # AWS deletes the cluster's automated backups with it (DeleteAutomatedBackups defaults to true); moto
        # keeps them, so a cluster restored again under the name would clash with its automated snapshot.
        name = cluster.db_cluster_identifier
        for key, snapshot in list(self.cluster_snapshots.items()):
            if snapshot.snapshot_type == "automated" and snapshot.db_cluster_identifier == name:
                self.delete_db_cluster_snapshot(key)  # copies.py's: a copy of it still running fails
        _mark_deleting(cluster)
        return cluster


def delete_db_instance(self, db_instance_identifier, *args, **kw):
    """moto's delete (protection, automated backups), with AWS's refusals first; an instance of a cluster stays
    `deleting` for deleteSeconds (moto forgets a standalone instance at once, as before)."""
    with LOCK:
        instance = self.databases.get(db_instance_identifier)
        if instance is not None and getattr(instance, "db_cluster_identifier", None):
            name, status = instance.db_instance_identifier, instance.status
            if status == "deleting":
                raise RDSClientError("InvalidDBInstanceState", f"Instance {name} is already being deleted.")
            if instance.deletion_protection:
                raise InvalidParameterCombination(  # moto's words, before the state as for clusters
                    "Cannot delete protected DB Instance, please disable deletion protection and try again."
                )
            if status == "creating":
                raise RDSClientError(
                    "InvalidDBInstanceState",
                    f"Instance {name} is in creating state and cannot be deleted until it is available.",
                )
        instance = moto_delete_instance(self, db_instance_identifier, *args, **kw)  # forgets it
        if getattr(instance, "db_cluster_identifier", None):
            self.databases[instance.db_instance_identifier] = instance  # until it is gone
            _mark_deleting(instance)
        return instance


def restores_view() -> dict:
    """Every restored cluster's and created instance's timeline, brought up to date with the clock."""
    out = []
    for region, account, kind, resource in RESTORES:
        now = phase(resource)
        state = vars(resource)
        view = {
            "identifier": resource.db_cluster_identifier if kind == "cluster" else resource.db_instance_identifier,
            "accountId": account,
            "region": region,
            "kind": kind,
            "status": "deleted" if now == "gone" else now or resource.status,
            "tags": list(resource.tags or []),
            "createdAt": state["snapcopy_created_ms"],
        }
        if kind == "cluster":
            view["snapshotArn"] = state["snapcopy_snapshot_arn"]
        else:
            view["clusterIdentifier"] = resource.db_cluster_identifier
        for key, field in (
            ("availableAt", "available"),
            ("deleteRequestedAt", "delete_requested"),
            ("goneAt", "gone"),
        ):
            if f"snapcopy_{field}_ms" in state:
                view[key] = state[f"snapcopy_{field}_ms"]
        out.append(view)
    return {"now": now_ms(), "restores": out}


def forget() -> None:
    """/moto-api/reset: moto forgets every cluster and instance; so do the timelines."""
    RESTORES.clear()
    DELETED.clear()


def install() -> None:
    """Clusters' and instances' status follow the clock; restore, create and delete apply AWS's rules; every RDS
    request first forgets what is gone in the caller's account and Region."""
    DBCluster.status = property(_cluster_status, moto_cluster_status.fset)
    DBInstance.status = property(_instance_status, lambda db, value: vars(db).update(snapcopy_moto_status=value))
    RDSBackend.create_db_cluster = create_db_cluster
    RDSBackend.restore_db_cluster_from_snapshot = restore_db_cluster_from_snapshot
    RDSBackend.create_db_instance = create_db_instance
    RDSBackend.delete_db_cluster = delete_db_cluster
    RDSBackend.delete_db_instance = delete_db_instance
    RDSResponse.backend = property(lambda self: reap(moto_rds_backend.fget(self)))  # the caller's account's

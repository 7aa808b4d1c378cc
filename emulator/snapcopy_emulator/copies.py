"""Cluster-snapshot copies as AWS runs them, where moto makes a copy `available` at 100% at once.

A copy starts `copying` at 0%, waits queueSeconds, rises to 100% over copySeconds and turns `available`,
computed lazily from the clock whenever it is read. Copies in flight per destination Region (copyLimit) and
manual cluster snapshots per Region (snapshotQuota) are limited as on AWS, and a copy whose source is deleted
while it runs turns `failed`. COPIES records every copy accepted, for GET /snapcopy-emulator/copies.
install() puts the clock on DBClusterSnapshot and the limits on RDSBackend's create, copy and delete.
"""

import os
import time

from moto.rds.exceptions import InvalidDBClusterSnapshotStateFault, RDSClientError
from moto.rds.models import DBClusterSnapshot, RDSBackend

from . import config, cross_account
from .config import CONFIG, LOCK, now_ms

# (region, account, target) for every accepted copy, in order, deleted ones included; /moto-api/reset clears it.
COPIES: list = []


class SnapshotQuotaExceeded(RDSClientError):
    # moto's SnapshotQuotaExceededFault has one fixed message; AWS's message says which limit was hit.
    def __init__(self, message: str) -> None:
        super().__init__("SnapshotQuotaExceeded", message)


def refresh(snap: DBClusterSnapshot) -> None:
    """Brings a copy's status and progress up to date with the clock; settled states stay put."""
    state = vars(snap)
    if state.get("snapcopy_started") is None or state["_status"] != "copying" or "snapcopy_deleted_ms" in state:
        return  # not a copy, settled, or deleted (cancelled): its timeline has ended
    elapsed = time.monotonic() - state["snapcopy_started"] - CONFIG["queueSeconds"]
    if elapsed >= CONFIG["copySeconds"]:
        # When it turned available, however late it is read: its end by the clock, or the config change
        # that ended it (copies are settled before every change, so nothing ended earlier).
        end = state["snapcopy_created_ms"] + round(1000 * (CONFIG["queueSeconds"] + CONFIG["copySeconds"]))
        state.update(_status="available", _percent_progress=100, snapcopy_available_ms=max(end, config.CONFIG_SINCE))
    elif elapsed > 0:  # max(): progress never goes backwards when copySeconds is raised at run time
        pct = min(99, int(100 * elapsed / CONFIG["copySeconds"]))
        state["_percent_progress"] = max(state["_percent_progress"], pct)


def settle_all() -> None:
    """Brings every copy up to date under the config in force: before a change, so that one done stays done."""
    for _, _, snap in COPIES:
        refresh(snap)


def _clock_field(name: str) -> property:
    # A data descriptor on the class: moto's __init__ and its serializer go through it unchanged.
    def get(snap: DBClusterSnapshot) -> object:
        refresh(snap)
        return vars(snap)[name]

    return property(get, lambda snap, value: vars(snap).__setitem__(name, value))


def _check_manual_quota(backend: RDSBackend) -> None:
    # moto's own MOTO_RDS_SNAPSHOT_LIMIT (default 1000) counts automated snapshots too; AWS counts manual.
    manual = sum(1 for s in backend.cluster_snapshots.values() if s.snapshot_type == "manual")
    if manual >= CONFIG["snapshotQuota"]:
        raise SnapshotQuotaExceeded(f"Cannot create more than {CONFIG['snapshotQuota']} manual snapshots")


# moto's own methods, which the replacements below call (read here, replaced only by install()).
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
            kw["kms_key_id"] = cross_account.shared_copy_key(self, source, kw.get("kms_key_id"))
        _check_manual_quota(self)
        limit = CONFIG["copyLimit"]
        if sum(1 for s in self.cluster_snapshots.values() if s.status == "copying") >= limit:
            raise SnapshotQuotaExceeded(
                f"Cannot copy more than {limit} snapshots across regions. Please wait until a copy finishes."
            )
        target = moto_copy(self, source_id, target_id, **kw)
        vars(target).update(
            _status="copying", _percent_progress=0, snapcopy_started=time.monotonic(), snapcopy_created_ms=now_ms()
        )
        vars(target)["source_db_cluster_snapshot_arn"] = source.arn  # AWS names every copy's source
        vars(source).setdefault("snapcopy_copies", []).append(target)  # so that deleting the source fails it
        COPIES.append((self.region_name, self.account_id, target))
        return target


def delete_db_cluster_snapshot(self, db_snapshot_identifier):
    with LOCK:
        snap = moto_delete(self, db_snapshot_identifier)  # a `copying` target can be deleted: AWS's cancel
        if "snapcopy_created_ms" in vars(snap):
            refresh(snap)  # a copy deleted after it finished still shows when it became available
            vars(snap)["snapcopy_deleted_ms"] = now_ms()
        for target in vars(snap).get("snapcopy_copies", []):
            if target.status == "copying":
                vars(target).update(_status="failed", snapcopy_failed_ms=now_ms())  # source gone mid-copy
        return snap


def copies_view() -> dict:
    """Every copy's timeline, brought up to date with the clock, and the copies in flight per Region."""
    copies, in_flight = [], {}
    for region, account, snap in COPIES:
        refresh(snap)
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
    return {"now": now_ms(), "inFlight": in_flight, "copies": copies}


def install() -> None:
    """A cluster snapshot's status and progress follow the clock; create, copy and delete apply AWS's limits."""
    # AWS's quota (manual snapshots per Region, snapshotQuota) is the only one: moto's own cap of 1000 (which
    # counts automated snapshots too) would refuse the bench's thousand sources before snapcopy ran.
    os.environ.setdefault("MOTO_RDS_SNAPSHOT_LIMIT", "1000000")
    DBClusterSnapshot.status = _clock_field("_status")
    DBClusterSnapshot.percent_progress = _clock_field("_percent_progress")
    RDSBackend.create_db_cluster_snapshot = create_db_cluster_snapshot
    RDSBackend.copy_db_cluster_snapshot = copy_db_cluster_snapshot
    RDSBackend.delete_db_cluster_snapshot = delete_db_cluster_snapshot

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
- GET /snapcopy-emulator/copies: every copy (CopyDBClusterSnapshot accepted) with its status (the last one
  before it was deleted, if it was) and timeline in epoch ms (createdAt, availableAt, failedAt, deletedAt),
  and the copies in flight (`copying`, not deleted) per Region now.
"""

import argparse
import json
import os
import re
import signal
import threading
import time
from copy import deepcopy

from moto.core.responses import BaseResponse
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
from moto.rds.exceptions import InvalidDBClusterSnapshotStateFault, RDSClientError
from moto.rds.models import DBClusterSnapshot, RDSBackend
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


def call_action(self):
    """Counts every AWS request moto serves by service and action, and by error code when it fails."""
    service, action = self.service_name or "unknown", self._get_action() or "unknown"
    try:
        status, headers, body = moto_call_action(self)
    except Exception as err:  # e.g. an action moto does not implement: the server answers 500
        _count(service, action, type(err).__name__)
        raise
    _count(service, action, _error_code(status, body))
    return status, headers, body


BaseResponse.call_action = call_action


def _reset_stats() -> None:
    global STATS_SINCE
    CALLS.clear()
    ERRORS.clear()
    STATS_SINCE = _now_ms()


def _stats_view() -> dict:
    return {"since": STATS_SINCE, "calls": CALLS, "errors": ERRORS}


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


def _validated(update: object) -> dict:
    if not isinstance(update, dict):
        raise ValueError("expected a JSON object")
    for key, value in update.items():
        if key not in OPTIONS:
            raise ValueError(f"unknown key {key!r}; expected any of {sorted(OPTIONS)}")
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
            CONFIG.update(update)
            CONFIG_SINCE = _now_ms()
    return CONFIG, 200


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


CONTROL = {CONFIG_PATH: _configure, STATS_PATH: _stats, COPIES_PATH: _copies}


def with_control_endpoint(app):
    """WSGI middleware: answers the CONTROL paths itself and hands every other request to moto."""

    def wsgi(environ, start_response):
        path = environ.get("PATH_INFO")
        if path == RESET_PATH and environ.get("REQUEST_METHOD") == "POST":
            with LOCK:  # moto forgets every snapshot: forget what was observed of them too
                COPIES.clear()
                _reset_stats()
        if path not in CONTROL:
            return app(environ, start_response)
        request = Request(environ)
        if request.method in ("GET", "POST"):
            body, status = CONTROL[path](request)
        else:
            body, status = {"error": "use GET or POST"}, 405
        # The pid tells a launcher that it reached the emulator it started, not another one on the port.
        headers = {"X-Snapcopy-Emulator-Pid": str(os.getpid())}
        return Response(json.dumps(body), status, headers, mimetype="application/json")(environ, start_response)

    return wsgi


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5000, help="0 picks a free port")
    for key, (flag, env, kind, default) in OPTIONS.items():
        # A string default goes through `type` like a flag's value, so bad env values are reported alike.
        value = os.environ.get(env, str(default))
        parser.add_argument(flag, dest=key, type=kind, default=value, metavar="N", help=f"env {env}, default {default}")
    args = vars(parser.parse_args())
    try:
        CONFIG.update(_validated({key: args[key] for key in OPTIONS}))
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

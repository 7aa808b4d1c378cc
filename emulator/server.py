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

For fault-injection tests it can also fail AWS calls on purpose (`faults` in the config, or --faults /
SNAPCOPY_EMULATOR_FAULTS as JSON): per action (`rds:CopyDBClusterSnapshot`) or by default, a fraction of the
calls answered Throttling, a fraction answered 500/503, a fraction whose response is lost after moto acted
(the connection is dropped), and added latency; a seed makes the draws reproducible. /stats counts the
faults injected by service, action and kind. The emulator's own endpoints are never faulted.
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


CONTROL = {CONFIG_PATH: _configure, STATS_PATH: _stats, COPIES_PATH: _copies}


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

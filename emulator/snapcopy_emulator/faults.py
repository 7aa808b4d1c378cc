"""Fault injection: AWS calls failed on purpose, for fault-injection tests.

CONFIG["faults"] (absent when none is set) is what was last set: {"seed"?: int, "default"?: spec,
"actions"?: {"service:Action": spec}}; an action's spec overrides the default's fields. A spec gives the
fraction of calls answered Throttling, answered 500/503, or whose response is lost after moto acted (the
connection is dropped), and added latency. `fate` decides each call's (aws_calls.py carries it out), after the
RDS rate limit's bucket (throttle.py) had its say; `validated_faults` checks a spec before control.py applies it.
The emulator's own endpoints are never faulted.
"""

import json
import math
import random
import re
import socket
import threading
import uuid

from moto.core.responses import BaseResponse

from . import throttle
from .config import CONFIG, LOCK

FRACTIONS = ("throttle", "error5xx", "lostResponse")  # one draw picks at most one of them: their sum is <= 1
DELAYS = ("latencyMs", "jitterMs")  # a call first waits latencyMs plus a uniform draw of up to jitterMs
FAULT_COUNTS: dict = {}  # FAULT_COUNTS[service][action][kind]: faults injected (a FRACTIONS kind, or "latency")
# One generator per "service:Action", seeded from (seed, action): an action's n-th call meets the same fate
# for a given seed however the calls of other actions interleave with it.
GENERATORS: dict = {}
DROP = threading.local()  # DROP.now: set in aws_calls.call_action, carried out by control's middleware (the socket's)
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


def fate(service: str, action: str, caller: tuple | None = None) -> tuple:
    """The one place that decides what befalls an AWS call: (fault or None, status to answer, seconds to wait).

    First the RDS rate limit: a call of the caller's (account, Region) that finds no token in its bucket is
    "rateLimited", answered Throttling at once, and takes no draw (so the calls that get through meet the same
    fates however the clock refused others). Then three draws per call whatever is configured, so that a seed
    gives each action the same sequence of fates.
    """
    with LOCK:
        if caller is not None and not throttle.admit(service, action, *caller):
            return "rateLimited", 400, 0.0
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


def injected_error(response: BaseResponse, status: int) -> tuple:
    """An error in the shape AWS answers it (and the SDK parses): JSON for the JSON protocols (KMS; rds-data's
    REST-JSON, which names the error in x-amzn-ErrorType too), else Query XML."""
    query_code, json_code, error_type, message = INJECTED[status]
    request_id = str(uuid.uuid4())
    content_type = response.headers.get("Content-Type") or ""
    if content_type.startswith("application/x-amz-json"):  # the same JSON version back (KMS: 1.1)
        body = json.dumps({"__type": json_code, "message": message})
        return status, {"Content-Type": content_type, "x-amzn-RequestId": request_id}, body
    if content_type.startswith("application/json"):  # REST-JSON (rds-data)
        body = json.dumps({"__type": json_code, "message": message})
        headers = {"Content-Type": "application/json", "x-amzn-RequestId": request_id, "x-amzn-ErrorType": json_code}
        return status, headers, body
    version = (response.querystring.get("Version") or [None])[0]
    xmlns = f' xmlns="http://{response.service_name}.amazonaws.com/doc/{version}/"' if version else ""
    body = (
        f"<ErrorResponse{xmlns}><Error><Type>{error_type}</Type><Code>{query_code}</Code>"
        f"<Message>{message}</Message></Error><RequestId>{request_id}</RequestId></ErrorResponse>"
    )
    return status, {"Content-Type": "text/xml", "x-amzn-RequestId": request_id}, body


def drop_connection(environ: dict, answer) -> None:
    """A response lost after moto acted: the client reads the end of the stream where the answer should be."""
    if hasattr(answer, "close"):
        answer.close()
    environ["werkzeug.socket"].shutdown(socket.SHUT_RDWR)  # nothing was written yet: werkzeug writes on return
    # werkzeug takes a ConnectionError from the app for a client gone away: no response, no traceback.
    raise ConnectionAbortedError("snapcopy emulator: response lost on purpose")


def restart_draws() -> None:
    """The faults were replaced: the draws start over, from the seed if one is given, else from fresh randomness."""
    GENERATORS.clear()


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


def validated_faults(faults: object) -> dict:
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

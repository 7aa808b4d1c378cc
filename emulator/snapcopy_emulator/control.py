"""The emulator's own endpoints, answered before moto sees the request (and never faulted):

- GET/POST /snapcopy-emulator/config: the effective config; POST changes it (validated as at start-up).
- GET/POST /snapcopy-emulator/stats: the calls, errors and faults counted (stats.py); POST resets them.
- GET /snapcopy-emulator/copies: every copy's timeline and the copies in flight per Region (copies.py).
- GET /snapcopy-emulator/restores: every restored cluster's and created instance's timeline (restores.py).
- GET /snapcopy-emulator/sessions: the assumed-role sessions STS handed out (cross_account.py).
- POST /moto-api/reset (moto's): also forgets the copies and restores seen, resets the counters and refills the
  RDS buckets.
Every answer carries X-Snapcopy-Emulator-Pid. `with_control_endpoint` wraps moto's WSGI app with them.
"""

import json
import os
from copy import deepcopy

from werkzeug.wrappers import Request, Response

from . import config, copies, cross_account, faults, restores, stats, throttle
from .config import CONFIG, LOCK, OPTIONS, now_ms

CONFIG_PATH = "/snapcopy-emulator/config"
STATS_PATH = "/snapcopy-emulator/stats"
COPIES_PATH = "/snapcopy-emulator/copies"
RESTORES_PATH = "/snapcopy-emulator/restores"
SESSIONS_PATH = "/snapcopy-emulator/sessions"
RESET_PATH = "/moto-api/reset"


def validated(update: object) -> dict:
    """A config change (POST body, or the flags and env vars at start-up) as it may be applied; else ValueError.
    rdsRateLimit comes back as applied: `aws` spelled out as AWS's figures."""
    if not isinstance(update, dict):
        raise ValueError("expected a JSON object")
    update = dict(update)
    for key, value in update.items():
        if key == "faults":
            faults.validated_faults(value)
            continue
        if key not in OPTIONS:
            raise ValueError(f"unknown key {key!r}; expected any of {sorted(OPTIONS) + ['faults']}")
        if key == "rdsRateLimit":
            update[key] = throttle.validated_rate_limit(value)
            continue
        kind = OPTIONS[key][2]
        if isinstance(value, bool) or not isinstance(value, (int, kind)) or value < 0:
            raise ValueError(f"{key} must be a non-negative {kind.__name__}")
    return update


def apply(update: dict) -> None:
    CONFIG.update(update)
    if "faults" in update:  # replaces the faults set before; {} removes them
        faults.restart_draws()
        if not CONFIG["faults"]:
            del CONFIG["faults"]  # so the config reads as it did before faults existed
    if "rdsRateLimit" in update:  # set (even to the same figures): every bucket starts full; null turns it off
        throttle.refill()
        if CONFIG["rdsRateLimit"] is None:
            del CONFIG["rdsRateLimit"]  # off reads as the config did before the rate limit existed


def _configure(request: Request) -> tuple:
    if request.method == "POST":
        try:
            update = validated(request.get_json(force=True, silent=True))
        except ValueError as err:
            return {"error": str(err)}, 400
        with LOCK:
            copies.settle_all()  # settle copies under the old config: one that is done stays done
            restores.settle_all()  # and restored clusters, instances and deletions likewise
            apply(update)
            config.CONFIG_SINCE = now_ms()
    return CONFIG, 200


def _stats(request: Request) -> tuple:
    with LOCK:
        if request.method == "POST":
            stats.reset()
        return deepcopy(stats.stats_view()), 200  # taken under the lock: counting goes on meanwhile


def _copies(request: Request) -> tuple:
    if request.method != "GET":
        return {"error": "use GET"}, 405
    with LOCK:
        return copies.copies_view(), 200


def _restores(request: Request) -> tuple:
    if request.method != "GET":
        return {"error": "use GET"}, 405
    with LOCK:
        return restores.restores_view(), 200


def _sessions(_request: Request) -> tuple:
    return cross_account.sessions_view(), 200


CONTROL = {
    CONFIG_PATH: _configure,
    STATS_PATH: _stats,
    COPIES_PATH: _copies,
    RESTORES_PATH: _restores,
    SESSIONS_PATH: _sessions,
}


def with_control_endpoint(app):
    """WSGI middleware: answers the CONTROL paths itself and hands every other request to moto."""

    def wsgi(environ, start_response):
        path = environ.get("PATH_INFO")
        if path == RESET_PATH and environ.get("REQUEST_METHOD") == "POST":
            with LOCK:  # moto forgets every snapshot, cluster and instance: forget what was observed of them too
                copies.COPIES.clear()
                restores.forget()
                stats.reset()
                throttle.refill()  # and every account's RDS bucket is full again
        if path not in CONTROL:
            faults.DROP.now = False
            answer = app(environ, start_response)
            if faults.DROP.now:
                faults.drop_connection(environ, answer)
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

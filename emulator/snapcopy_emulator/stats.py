"""What the emulator counts of the AWS calls it serves, for GET/POST /snapcopy-emulator/stats.

CALLS[service][action] and ERRORS[service][action][code] count AWS requests (RDS `Action`, KMS `X-Amz-Target`)
since STATS_SINCE; faults.FAULT_COUNTS, the faults injected, and throttle.THROTTLED, the calls the RDS rate limit
refused, are reported and reset with them. Both kinds of refusal count as `Throttling` in ERRORS; `faults` and
`throttled` tell them apart.
"""

import re

from . import config, faults, throttle
from .config import LOCK, now_ms

CALLS: dict = {}
ERRORS: dict = {}
STATS_SINCE = config.CONFIG_SINCE  # the emulator's start, until the counters are reset
# An error's code: <Code> in RDS's XML, __type (maybe prefixed with a namespace and `#`) in KMS's JSON.
ERROR_CODE = re.compile(r'<Code>([^<]+)</Code>|"__type":\s*"(?:[^"#]*#)?([^"]+)"')


def error_code(status: int, body: object) -> str | None:
    if status < 400:
        return None
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else str(body)
    match = ERROR_CODE.search(text)
    return next(filter(None, match.groups())) if match else str(status)


def count(service: str, action: str, error: str | None) -> None:
    with LOCK:
        actions = CALLS.setdefault(service, {})
        actions[action] = actions.get(action, 0) + 1
        if error is not None:
            codes = ERRORS.setdefault(service, {}).setdefault(action, {})
            codes[error] = codes.get(error, 0) + 1


def reset() -> None:
    global STATS_SINCE
    CALLS.clear()
    ERRORS.clear()
    faults.FAULT_COUNTS.clear()
    throttle.THROTTLED.clear()
    STATS_SINCE = now_ms()


def stats_view() -> dict:
    return {
        "since": STATS_SINCE,
        "calls": CALLS,
        "errors": ERRORS,
        "faults": faults.FAULT_COUNTS,
        "throttled": throttle.THROTTLED,
    }

"""The one wrapper around every AWS call moto serves (BaseResponse.call_action; the emulator's own endpoints
and /moto-api/* never come here): the call's fate is decided (faults.py, after the RDS rate limit of throttle.py),
its caller is recorded for the cross-account rules (cross_account.CURRENT), and it is counted (stats.py).
install() puts it in place."""

import time

from moto.core.responses import BaseResponse

from . import faults, stats
from .cross_account import CURRENT

# moto's own method, which call_action calls (read here, replaced only by install()).
moto_call_action = BaseResponse.call_action


def call_action(self):
    """Every AWS request moto serves comes here (the emulator's own endpoints and /moto-api/* never do): its
    fate is decided, then it is counted by service and action, and by error code when it fails."""
    service, action = self.service_name or "unknown", self._get_action() or "unknown"
    # The caller's account as moto derived it from the access key (an assumed role's session acts as the role's
    # account, as cross_account._caller reads it), and the Region the request was signed for.
    fault, status, delay = faults.fate(service, action, (self.current_account, self.region))
    if delay:
        time.sleep(delay)  # outside the lock: the server is threaded, other calls go on meanwhile
    if fault in ("rateLimited", "throttle", "error5xx"):
        status, headers, body = faults.injected_error(self, status)  # refused before moto sees it, as AWS would
    else:
        faults.DROP.now = fault == "lostResponse"  # moto acts, then the middleware drops the connection unanswered
        CURRENT.response = self  # who calls: for the cross-account rules the backends apply
        try:
            status, headers, body = moto_call_action(self)
        except Exception as err:  # e.g. an action moto does not implement: the server answers 500
            stats.count(service, action, type(err).__name__)
            raise
        finally:
            CURRENT.response = None
    stats.count(service, action, stats.error_code(status, body))
    return status, headers, body


def install() -> None:
    BaseResponse.call_action = call_action

"""The emulator's options (command line flag, env var, default), its current config, and what every module
shares: the lock and the clock. Changing the config at run time is control.py's (POST /snapcopy-emulator/config)."""

import threading
import time

# config key: (command line flag, env var, type, default)
OPTIONS = {
    "copySeconds": ("--copy-seconds", "SNAPCOPY_EMULATOR_COPY_SECONDS", float, 60.0),
    "queueSeconds": ("--queue-seconds", "SNAPCOPY_EMULATOR_QUEUE_SECONDS", float, 0.0),
    "copyLimit": ("--copy-limit", "SNAPCOPY_EMULATOR_COPY_LIMIT", int, 5),
    "snapshotQuota": ("--snapshot-quota", "SNAPCOPY_EMULATOR_SNAPSHOT_QUOTA", int, 100),
}
# The effective config: every OPTIONS key, plus "faults" while faults are set (see faults.py).
CONFIG = {key: default for key, (_, _, _, default) in OPTIONS.items()}
LOCK = threading.RLock()  # moto's server is threaded: a quota check and its insert must not interleave


def now_ms() -> int:
    return int(time.time() * 1000)


# When the config last changed (epoch ms): no copy turns available before it. Read it as config.CONFIG_SINCE
# (control.py sets it), never through `from .config import CONFIG_SINCE`, which would keep the first value.
CONFIG_SINCE = now_ms()

"""The emulator's options (command line flag, env var, default), its current config, and what every module
shares: the lock and the clock. Changing the config at run time is control.py's (POST /snapcopy-emulator/config)."""

import argparse
import json
import threading
import time


def rate_limit(text: str) -> object:
    """--rds-rate-limit's value (and its env var's): `aws`, JSON (an object, or null), or empty / off / None (off,
    main's default). Its shape is control.py's to check (throttle.validated_rate_limit), like any POSTed value."""
    if text == "aws":
        return text
    if text in ("", "off", "None"):
        return None
    try:
        return json.loads(text)
    except json.JSONDecodeError as err:
        example = '{"burst": 300, "perSecond": 12}'
        raise argparse.ArgumentTypeError(f'expected "aws", "off" or JSON such as {example} ({err})') from None


# config key: (command line flag, env var, type, default); a None default is off: the key is absent from CONFIG.
OPTIONS = {
    "copySeconds": ("--copy-seconds", "SNAPCOPY_EMULATOR_COPY_SECONDS", float, 60.0),
    "queueSeconds": ("--queue-seconds", "SNAPCOPY_EMULATOR_QUEUE_SECONDS", float, 0.0),
    "copyLimit": ("--copy-limit", "SNAPCOPY_EMULATOR_COPY_LIMIT", int, 5),
    "snapshotQuota": ("--snapshot-quota", "SNAPCOPY_EMULATOR_SNAPSHOT_QUOTA", int, 100),
    "rdsRateLimit": ("--rds-rate-limit", "SNAPCOPY_EMULATOR_RDS_RATE_LIMIT", rate_limit, None),  # see throttle.py
    # Restored DB clusters and their instances (see restores.py).
    "restoreSeconds": ("--restore-seconds", "SNAPCOPY_EMULATOR_RESTORE_SECONDS", float, 20.0),
    "instanceSeconds": ("--instance-seconds", "SNAPCOPY_EMULATOR_INSTANCE_SECONDS", float, 20.0),
    "deleteSeconds": ("--delete-seconds", "SNAPCOPY_EMULATOR_DELETE_SECONDS", float, 3.0),
    "clusterQuota": ("--cluster-quota", "SNAPCOPY_EMULATOR_CLUSTER_QUOTA", int, 40),
}
# The effective config: every OPTIONS key that is set, plus "faults" while faults are set (see faults.py).
CONFIG = {key: default for key, (_, _, _, default) in OPTIONS.items() if default is not None}
LOCK = threading.RLock()  # moto's server is threaded: a quota check and its insert must not interleave


def now_ms() -> int:
    return int(time.time() * 1000)


# When the config last changed (epoch ms): no copy, restored cluster or instance turns available (or gone) before
# it. Read it as config.CONFIG_SINCE (control.py sets it), never through `from .config import CONFIG_SINCE`,
# which would keep the first value.
CONFIG_SINCE = now_ms()

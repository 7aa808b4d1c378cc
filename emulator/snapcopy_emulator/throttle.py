"""RDS request throttling as AWS applies it: a token bucket per account and Region.

AWS documents it ("Request throttling for the Amazon RDS API", RDS User Guide): every RDS API request of an
account in a Region, whoever makes it, takes a token from one bucket of 300 that refills at 12 a second; a
request that finds none is answered Throttling / Rate exceeded. CONFIG["rdsRateLimit"] (absent when off, the
default) is {"burst": tokens the bucket holds, "perSecond": its refill}; `aws` sets AWS's figures.

`admit` decides a call's token (faults.fate asks it first: a refused call is answered at once, moto never sees
it); the bucket refills by the clock, continuously. Setting rdsRateLimit or resetting moto fills every bucket.
THROTTLED counts the refused calls, apart from the faults injected on purpose (stats.py reports both).
"""

import math
import time

from .config import CONFIG, LOCK

AWS = {"burst": 300, "perSecond": 12}  # RDS's documented default for every account in every Region
SERVICES = ("rds",)  # KMS, STS and SNS have limits of their own on AWS, not modelled here
BUCKETS: dict = {}  # BUCKETS[(account, region)]: [tokens, when they were counted (clock seconds)]
THROTTLED: dict = {}  # THROTTLED[service][action]: calls refused for want of a token
# The buckets' clock: elapsed seconds, immune to changes of the system time (replaceable in-process).
clock = time.monotonic


def admit(service: str, action: str, account: str, region: str) -> bool:
    """Takes a token from the caller's bucket: True if there was one (the call goes on), else counts a refusal."""
    with LOCK:  # moto's server is threaded: two calls must not take the same last token
        limit = CONFIG.get("rdsRateLimit")
        if not limit or service not in SERVICES:
            return True
        now, burst = clock(), limit["burst"]
        bucket = BUCKETS.setdefault((account, region), [burst, now])  # a bucket starts full
        bucket[0], bucket[1] = min(burst, bucket[0] + (now - bucket[1]) * limit["perSecond"]), now
        if bucket[0] >= 1:
            bucket[0] -= 1
            return True
        actions = THROTTLED.setdefault(service, {})
        actions[action] = actions.get(action, 0) + 1
        return False


def refill() -> None:
    """Every bucket full again (each starts full on its next call): the rate limit was set, or moto reset."""
    BUCKETS.clear()


def validated_rate_limit(value: object) -> dict | None:
    """rdsRateLimit as it may be applied: None (off), `aws` (AWS's figures), {"burst", "perSecond"}; else ValueError."""
    if value is None:
        return None
    if value == "aws":
        return dict(AWS)
    if not isinstance(value, dict):
        raise ValueError('rdsRateLimit must be null (off), "aws" or a JSON object {"burst": 300, "perSecond": 12}')
    for field in value:
        if field not in AWS:
            raise ValueError(f"unknown key rdsRateLimit.{field}; expected any of {list(AWS)}")
    for field in AWS:
        if field not in value:
            raise ValueError(f"rdsRateLimit.{field} is missing")
    burst, per_second = value["burst"], value["perSecond"]
    if isinstance(burst, bool) or not isinstance(burst, int) or burst < 1:
        raise ValueError("rdsRateLimit.burst must be a positive integer (the tokens a full bucket holds)")
    number = not isinstance(per_second, bool) and isinstance(per_second, (int, float)) and math.isfinite(per_second)
    if not (number and per_second >= 0):
        raise ValueError("rdsRateLimit.perSecond must be a non-negative number (tokens added a second; 0: never)")
    return {"burst": burst, "perSecond": per_second}

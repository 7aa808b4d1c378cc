"""The RDS Data API as AWS gates it, for the restore tests' SQL canary.

RDS EnableHttpEndpoint / DisableHttpEndpoint (moto has neither) turn a DB cluster's HTTP endpoint on and off
(DescribeDBClusters shows HttpEndpointEnabled). rds-data ExecuteStatement answers moto's configured results
(POST /moto-api/static/rds-data/statement-results, per account and Region), but only for a cluster of the
caller's account and Region that exists, is `available` and has its HTTP endpoint enabled; else
BadRequestException, as AWS answers. install() puts both in place.
"""

from moto.core.exceptions import JsonRESTError
from moto.core.responses import ActionResult
from moto.rds.exceptions import RDSClientError
from moto.rds.models import RDSBackend
from moto.rds.responses import RDSResponse
from moto.rdsdata.responses import RDSDataServiceResponse

from .config import LOCK

TROUBLESHOOTING = "https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/data-api.html#data-api.troubleshooting"


class ResourceNotFound(RDSClientError):
    def __init__(self, arn: str) -> None:
        super().__init__("ResourceNotFoundFault", f"The specified resource ARN {arn} can't be found.")


class BadRequest(JsonRESTError):
    code = 400

    def __init__(self, message: str) -> None:
        super().__init__("BadRequestException", message)


def _own_cluster(backend: RDSBackend, arn: str):
    """The cluster an ARN names in this account and Region (not gone), or None."""
    parts = arn.split(":") if isinstance(arn, str) else []
    if len(parts) != 7 or parts[2] != "rds" or parts[5] != "cluster":
        return None
    if (parts[3], parts[4]) != (backend.region_name, backend.account_id):
        return None
    return backend.clusters.get(parts[6])


def set_http_endpoint(self: RDSBackend, resource_arn: str, enabled: bool):
    with LOCK:
        cluster = _own_cluster(self, resource_arn)
        if cluster is None or cluster.status == "deleting":
            raise ResourceNotFound(resource_arn)
        vars(cluster)["_enable_http_endpoint"] = enabled  # what moto's HttpEndpointEnabled reads
        return cluster


def _http_endpoint_action(enabled: bool):
    def action(self: RDSResponse) -> ActionResult:
        arn = self.params.get("ResourceArn")
        set_http_endpoint(self.backend, arn, enabled)
        return ActionResult({"ResourceArn": arn, "HttpEndpointEnabled": enabled})

    action.__name__ = "enable_http_endpoint" if enabled else "disable_http_endpoint"
    return action


# moto's own method, which the replacement below calls (read here, replaced only by install()).
moto_execute_statement = RDSDataServiceResponse.execute_statement


def execute_statement(self: RDSDataServiceResponse) -> str:
    """moto's configured result, once AWS's gate is passed: the cluster exists, is available, has its endpoint."""
    arn = self._get_param("resourceArn")
    rds = RDSResponse.backend.fget(self)  # the caller's account and Region, gone clusters forgotten (restores.py)
    with LOCK:
        cluster = _own_cluster(rds, arn)
        if cluster is None or cluster.status == "deleting":
            raise BadRequest(f"Database cluster {arn} not found. Check the resourceArn.")
        name = cluster.db_cluster_identifier
        if cluster.status != "available":
            raise BadRequest(f"Database cluster {name} is {cluster.status}, not available.")
        if not cluster.http_endpoint_enabled:
            raise BadRequest(f"HttpEndpoint is not enabled for cluster {name}. Please refer to {TROUBLESHOOTING}")
    return moto_execute_statement(self)


def install() -> None:
    RDSResponse.enable_http_endpoint = _http_endpoint_action(True)
    RDSResponse.disable_http_endpoint = _http_endpoint_action(False)
    RDSDataServiceResponse.execute_statement = execute_statement

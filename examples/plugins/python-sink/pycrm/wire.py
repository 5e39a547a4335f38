"""gwsync's error contract on the wire, and the host's instance names.

A failed call is a gRPC status whose code approximates gwsync's error code
and whose `grpc-status-details-bin` trailer carries a google.rpc.Status
with a gwsync.plugin.v1.Status detail: the exact code
(plugins/status.go). A per-item failure inside a batch is a Status field
in that item's result instead."""
import grpc

from .gen import rpcstatus_pb2, types_pb2

E = types_pb2

# gwsync code -> the gRPC code of a failed call (plugins/status.go: grpcCodes).
GRPC_CODES = {
    E.ERROR_CODE_UNKNOWN: grpc.StatusCode.UNKNOWN,
    E.ERROR_CODE_NOT_FOUND: grpc.StatusCode.NOT_FOUND,
    E.ERROR_CODE_CONFLICT: grpc.StatusCode.ABORTED,
    E.ERROR_CODE_UNAUTHORIZED: grpc.StatusCode.UNAUTHENTICATED,
    E.ERROR_CODE_UNSUPPORTED: grpc.StatusCode.UNIMPLEMENTED,
    E.ERROR_CODE_INVALID_CONFIG: grpc.StatusCode.INVALID_ARGUMENT,
    E.ERROR_CODE_TEMPORARY: grpc.StatusCode.UNAVAILABLE,
    E.ERROR_CODE_CURSOR_INVALID: grpc.StatusCode.FAILED_PRECONDITION,
    E.ERROR_CODE_INVALID_ITEM: grpc.StatusCode.INVALID_ARGUMENT,
}

# The call metadata key naming the instance a call addresses, and the
# response header by which a plugin says it keeps instances apart
# (plugins/proto/gwsync/plugin/v1/source.proto, "Instances").
INSTANCE_KEY = "gwsync-instance"
INSTANCES_HEADER = "gwsync-instances"


class PluginError(Exception):
    """An error with a gwsync code (types_pb2.ERROR_CODE_*)."""

    def __init__(self, code, message):
        super().__init__(message)
        self.code = code
        self.message = message

    def to_status(self):
        """The per-item form, for a result's `error` field."""
        return types_pb2.Status(code=self.code, message=self.message)


def abort(context, code, message):
    """Fails the call with gwsync's code in the status detail. Raises."""
    grpc_code = GRPC_CODES.get(code, grpc.StatusCode.UNKNOWN)
    status = rpcstatus_pb2.Status(code=grpc_code.value[0], message=message)
    status.details.add().Pack(types_pb2.Status(code=code, message=message))
    context.set_trailing_metadata((("grpc-status-details-bin", status.SerializeToString()),))
    context.abort(grpc_code, message)


def instance_name(context):
    """The instance a call addresses; "" is the process's unnamed one."""
    for key, value in context.invocation_metadata():
        if key == INSTANCE_KEY:
            return value
    return ""

"""Makes the generated protocol stubs importable.

The stubs under gen/ import each other by their .proto paths
(`from gwsync.plugin.v1 import types_pb2`), so gen/ goes on sys.path."""
import os
import sys

GEN_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "gen")
if GEN_DIR not in sys.path:
    sys.path.insert(0, GEN_DIR)

from gwsync.plugin.v1 import sink_pb2, sink_pb2_grpc, types_pb2  # noqa: E402
from goplugin import goplugin_pb2, goplugin_pb2_grpc  # noqa: E402
from goplugin import health_pb2, health_pb2_grpc, rpcstatus_pb2  # noqa: E402

__all__ = [
    "sink_pb2", "sink_pb2_grpc", "types_pb2",
    "goplugin_pb2", "goplugin_pb2_grpc",
    "health_pb2", "health_pb2_grpc", "rpcstatus_pb2",
]

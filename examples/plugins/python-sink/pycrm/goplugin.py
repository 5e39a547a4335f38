"""The plugin side of hashicorp/go-plugin's gRPC protocol, in Python.

What a gwsync host (go-plugin v1.8.0's client) needs from a plugin process:

1. The magic cookie in the environment (GWSYNC_PLUGIN=...); without it the
   program was started by hand and says so instead of waiting forever.
2. A gRPC server on a Unix socket in PLUGIN_UNIX_SOCKET_DIR (a private
   directory the host made), or on 127.0.0.1 when there is none.
3. The handshake line on stdout, once the server listens:
   CORE-PROTOCOL-VERSION|APP-PROTOCOL-VERSION|NETWORK-TYPE|NETWORK-ADDR|PROTOCOL
   e.g. `1|1|unix|$TMPDIR/gwsync-plugin-123/plugin456|grpc`.
4. The health service (grpc.health.v1.Health/Check, service "plugin"),
   which the host calls to see that the plugin is alive.
5. go-plugin's GRPCController.Shutdown (the host's Close: exit cleanly),
   GRPCStdio.StreamStdio (the host relays the plugin's output; this plugin
   writes its logs to stderr, which the host reads directly, so the stream
   carries nothing and stays open until shutdown) and GRPCBroker.StartStream
   (extra connections, which gwsync never opens).

Windows hosts use TCP with go-plugin's AutoMTLS, which this example does not
implement: it refuses to start when the host asks for it.
"""
import os
import signal
import sys
import tempfile
import threading
from concurrent import futures

import grpc

from .gen import goplugin_pb2, goplugin_pb2_grpc, health_pb2, health_pb2_grpc

# The handshake values of gwsync (plugins/goplugin.go: Handshake,
# ProtocolVersion). A breaking protocol change would be version 2.
MAGIC_COOKIE_KEY = "GWSYNC_PLUGIN"
MAGIC_COOKIE_VALUE = "7f3c2a1e-gwsync-adapter-plugin"
CORE_PROTOCOL_VERSION = 1
APP_PROTOCOL_VERSION = 1

# gwsync's message limit in both directions (plugins/goplugin.go).
MAX_MESSAGE_BYTES = 64 << 20


class Health(health_pb2_grpc.HealthServicer):
    """Answers SERVING for "plugin" (go-plugin's name) and the server."""

    def Check(self, request, context):
        if request.service not in ("", "plugin"):
            context.abort(grpc.StatusCode.NOT_FOUND, "unknown service %r" % request.service)
        return health_pb2.HealthCheckResponse(status=health_pb2.HealthCheckResponse.SERVING)


class Controller(goplugin_pb2_grpc.GRPCControllerServicer):
    """Shutdown is how the host closes the plugin."""

    def __init__(self, stopping):
        self._stopping = stopping

    def Shutdown(self, request, context):
        self._stopping.set()
        return goplugin_pb2.Empty()


def _until_stopped(stopping, context):
    """Blocks until the plugin stops or the host drops the call."""
    gone = threading.Event()
    context.add_callback(gone.set)
    while not stopping.is_set() and not gone.is_set():
        stopping.wait(0.5)


class Stdio(goplugin_pb2_grpc.GRPCStdioServicer):
    def __init__(self, stopping):
        self._stopping = stopping

    def StreamStdio(self, request, context):
        _until_stopped(self._stopping, context)
        return
        yield  # a stream that sends nothing


class Broker(goplugin_pb2_grpc.GRPCBrokerServicer):
    def __init__(self, stopping):
        self._stopping = stopping

    def StartStream(self, request_iterator, context):
        # gwsync opens no brokered connections: keep the stream open until
        # the plugin stops or the host drops it, answer nothing. (Reading
        # the host's side instead would block a shutdown until the host
        # closed it.)
        _until_stopped(self._stopping, context)
        return
        yield


def _fail(message):
    sys.stderr.write(message + "\n")
    sys.stderr.flush()
    sys.exit(1)


def _check_host():
    """Exits with a message unless a go-plugin host of gwsync started us."""
    if os.environ.get(MAGIC_COOKIE_KEY) != MAGIC_COOKIE_VALUE:
        _fail("This is a gwsync plugin. It is started by gwsync (plugin_dir), not by hand.")
    versions = os.environ.get("PLUGIN_PROTOCOL_VERSIONS", str(APP_PROTOCOL_VERSION)).split(",")
    if str(APP_PROTOCOL_VERSION) not in [v.strip() for v in versions]:
        _fail("gwsync asks for plugin protocol versions %s; this plugin speaks %d"
              % (",".join(versions), APP_PROTOCOL_VERSION))
    if os.environ.get("PLUGIN_CLIENT_CERT"):
        _fail("gwsync asks for AutoMTLS (TCP on Windows), which this example plugin does not implement")


def _listen(server):
    """Binds the server as go-plugin would: a fresh socket path in the
    host's private directory, else an ephemeral loopback port. Returns the
    handshake's network type and address, and the socket path to remove."""
    socket_dir = os.environ.get("PLUGIN_UNIX_SOCKET_DIR")
    if socket_dir or os.name != "nt":
        fd, path = tempfile.mkstemp(prefix="plugin", dir=socket_dir or None)
        os.close(fd)
        os.remove(path)  # the name is ours; the socket takes its place
        if server.add_insecure_port("unix:" + path) == 0:
            _fail("cannot listen on Unix socket %s" % path)
        return "unix", path, path
    port = server.add_insecure_port("127.0.0.1:0")
    if port == 0:
        _fail("cannot listen on 127.0.0.1")
    return "tcp", "127.0.0.1:%d" % port, None


def serve(register_services, max_workers=16):
    """Serves the plugin until the host shuts it down, then exits.

    register_services(server) adds the plugin's own services (gwsync's
    SinkService) to the grpc.Server."""
    parent = os.getppid()  # the host, which waits for the handshake line
    _check_host()
    stopping = threading.Event()
    server = grpc.server(
        futures.ThreadPoolExecutor(max_workers=max_workers),
        options=[("grpc.max_receive_message_length", MAX_MESSAGE_BYTES),
                 ("grpc.max_send_message_length", MAX_MESSAGE_BYTES)],
    )
    health_pb2_grpc.add_HealthServicer_to_server(Health(), server)
    goplugin_pb2_grpc.add_GRPCControllerServicer_to_server(Controller(stopping), server)
    goplugin_pb2_grpc.add_GRPCStdioServicer_to_server(Stdio(stopping), server)
    goplugin_pb2_grpc.add_GRPCBrokerServicer_to_server(Broker(stopping), server)
    register_services(server)

    network, address, socket_path = _listen(server)
    server.start()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stopping.set())
    # The handshake: from here on the host talks gRPC. Nothing else may be
    # written to stdout before this line.
    sys.stdout.write("%d|%d|%s|%s|grpc\n" % (CORE_PROTOCOL_VERSION, APP_PROTOCOL_VERSION, network, address))
    sys.stdout.flush()

    # A plugin dies with its host. Linux hosts set PR_SET_PDEATHSIG on the
    # child, which covers this process too; the parent-PID check below is
    # the fallback everywhere else (as gwsync's Go plugins do).
    while not stopping.wait(1.0):
        if os.getppid() != parent:
            sys.stderr.write("host process went away; exiting\n")
            break
    server.stop(grace=0.5).wait()
    if socket_path and os.path.exists(socket_path):
        os.remove(socket_path)

"""The plugin's entry point: serve gwsync, or `seed` a CRM file."""
import json
import logging
import os
import sys
import time

from . import goplugin, seed
from .gen import sink_pb2_grpc
from .sink import SinkService

# gwsync relays a plugin's stderr as hclog JSON lines at the level it asks
# for in GWSYNC_PLUGIN_LOG_LEVEL (plugins/launch.go).
LEVELS = {"trace": logging.DEBUG, "debug": logging.DEBUG, "info": logging.INFO,
          "warn": logging.WARNING, "error": logging.ERROR, "off": logging.CRITICAL + 1}


class HclogJSON(logging.Formatter):
    def format(self, record):
        level = {logging.DEBUG: "debug", logging.INFO: "info", logging.WARNING: "warn"}.get(record.levelno, "error")
        return json.dumps({
            "@level": level, "@message": record.getMessage(), "@module": record.name,
            "@timestamp": time.strftime("%Y-%m-%dT%H:%M:%S.000000Z", time.gmtime(record.created)),
        })


def main(argv):
    if argv[1:2] == ["seed"]:
        return seed.main(argv[2:])
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(HclogJSON())
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(LEVELS.get(os.environ.get("GWSYNC_PLUGIN_LOG_LEVEL", "info").lower(), logging.INFO))

    service = SinkService()
    goplugin.serve(lambda server: sink_pb2_grpc.add_SinkServiceServicer_to_server(service, server))
    service.close_all()
    return 0

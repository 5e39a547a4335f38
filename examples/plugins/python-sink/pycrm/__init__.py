"""pycrm: an example gwsync CRM sink written in Python.

It serves gwsync's SinkService (plugins/proto/gwsync/plugin/v1) over
hashicorp/go-plugin's gRPC protocol and keeps its activities in a SQLite
file. Modules, one job each:

- goplugin: go-plugin's side of the plugin process (handshake line, health,
  controller, stdio, broker, the socket it listens on);
- wire: gwsync's error codes as gRPC statuses, and instances;
- convert: gwsync.plugin.v1.Activity <-> the store's rows;
- store: the SQLite CRM (schema, upsert by key, time changes, listing);
- sink: the SinkService itself;
- seed: loads activities "created in the CRM" from JSON, for tests and demos.
"""

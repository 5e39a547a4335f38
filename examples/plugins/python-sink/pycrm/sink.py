"""gwsync's SinkService (plugins/proto/gwsync/plugin/v1/sink.proto) over
the SQLite store: the CRM contract of adapters/sink.go, in Python."""
import json
import logging
import threading

import grpc

from . import convert
from .gen import sink_pb2, sink_pb2_grpc, types_pb2
from .store import Conflict, NotFound, Store
from .wire import INSTANCES_HEADER, PluginError, abort, instance_name

E = types_pb2
ADAPTER = "pycrm"
VERSION = "0.1.0"
# Options this sink accepts; any other key is an invalid config, so that a
# misspelt option is an error rather than ignored. database_file ends in
# _file so that gwsync resolves it against the config file's directory.
OPTIONS = ("database_file",)
# Activities per ListActivities message: small messages, few of them.
LIST_BATCH = 200
# The activity types gwsync knows (adapters/types.go). FOLLOWUP is read
# from a CRM but never created.
TYPES = ("MAILIN", "TASK", "APPOINTMENT", "MEETING", "FOLLOWUP")

log = logging.getLogger("pycrm")


def parse_options(config):
    """The store of a Configure call's AdapterConfig. Does no I/O. The
    adapter name is not checked: gwsync names a plugin after its file
    (gwsync-plugin-NAME), so a renamed copy serves under its new name."""
    raw = config.options_json.decode("utf-8").strip() or "{}"
    try:
        options = json.loads(raw)
    except ValueError as e:
        raise PluginError(E.ERROR_CODE_INVALID_CONFIG, "options: not JSON: %s" % e)
    if options is None:
        options = {}
    if not isinstance(options, dict):
        raise PluginError(E.ERROR_CODE_INVALID_CONFIG, "options: want a mapping, got %s" % type(options).__name__)
    for key in options:
        if key not in OPTIONS:
            raise PluginError(E.ERROR_CODE_INVALID_CONFIG,
                              "options: unknown option %r (known: %s)" % (key, ", ".join(OPTIONS)))
    path = options.get("database_file")
    if not isinstance(path, str) or not path:
        raise PluginError(E.ERROR_CODE_INVALID_CONFIG, "options: database_file is required (the SQLite file of the CRM)")
    return Store(path)


def check_upsert(a):
    """Raises the per-item error for an activity this CRM refuses."""
    if a.type == "FOLLOWUP":
        raise PluginError(E.ERROR_CODE_INVALID_ITEM, "%r: gwsync never creates FOLLOWUP activities" % a.key)
    if a.type not in TYPES:
        raise PluginError(E.ERROR_CODE_INVALID_ITEM, "%r: unknown activity type %r" % (a.key, a.type))
    if not a.key:
        raise PluginError(E.ERROR_CODE_INVALID_ITEM, "activity %r has no key: only imported activities are upserted" % a.subject)


class SinkService(sink_pb2_grpc.SinkServiceServicer):
    """One process, any number of named instances (a worker's pool)."""

    def __init__(self):
        self._lock = threading.Lock()
        self._instances = {}

    def _store(self, context):
        name = instance_name(context)
        with self._lock:
            store = self._instances.get(name)
        if store is None:
            context.abort(grpc.StatusCode.FAILED_PRECONDITION,
                          "instance %r is not configured: Configure must be the first call" % name)
        return store

    def Configure(self, request, context):
        name = instance_name(context)
        try:
            store = parse_options(request.config)
        except PluginError as e:
            abort(context, e.code, "%s: %s" % (request.config.instance_name or ADAPTER, e.message))
        with self._lock:
            old = self._instances.pop(name, None)
            self._instances[name] = store
        if old is not None:
            old.close()
        if name:
            context.send_initial_metadata(((INSTANCES_HEADER, "1"),))
        log.info("configured %s instance %r: %s", ADAPTER, name, store.path)
        return sink_pb2.SinkServiceConfigureResponse()

    def Release(self, request, context):
        name = instance_name(context)
        with self._lock:
            store = self._instances.pop(name, None)
        if store is not None:
            store.close()
        return sink_pb2.SinkServiceReleaseResponse()

    def Info(self, request, context):
        self._store(context)
        # No optional capability: ListChanges (a change cursor) is left to
        # the generated servicer, which answers UNIMPLEMENTED; gwsync never
        # calls it unless Info declares list_changes.
        return sink_pb2.SinkServiceInfoResponse(info=types_pb2.Info(name=ADAPTER, version=VERSION))

    def ListActivities(self, request, context):
        store = self._store(context)
        try:
            rows = store.list(request.owner, list(request.types))
        except Exception as e:  # noqa: BLE001 - any store failure fails the listing
            abort(context, E.ERROR_CODE_TEMPORARY, "%s: list activities of %s: %s" % (store.path, request.owner, e))
        batch = sink_pb2.ListActivitiesResponse()
        for row in rows:
            if not context.is_active():
                return
            batch.activities.append(convert.activity_from_row(row))
            if len(batch.activities) == LIST_BATCH:
                yield batch
                batch = sink_pb2.ListActivitiesResponse()
        batch.end.count = len(rows)
        yield batch

    def Upsert(self, request, context):
        store = self._store(context)
        out = sink_pb2.UpsertResponse()
        results = [out.results.add(key=a.key) for a in request.activities]
        accepted = []  # (result, activity) that pass check_upsert
        for result, a in zip(results, request.activities):
            try:
                check_upsert(a)
            except PluginError as e:
                result.error.CopyFrom(e.to_status())
                continue
            accepted.append((result, a))
        try:
            stored = store.upsert_batch([(convert.row_from_activity(a), list(a.owners), list(a.contacts),
                                          convert.attachments_from_activity(a)) for _, a in accepted])
        except Exception as e:  # noqa: BLE001 - the store failed: the whole call did
            abort(context, E.ERROR_CODE_TEMPORARY, "%s: upsert %d activities: %s" % (store.path, len(accepted), e))
        for (result, a), got in zip(accepted, stored):
            if isinstance(got, Exception):
                result.error.CopyFrom(types_pb2.Status(code=E.ERROR_CODE_TEMPORARY,
                                                       message="%s: upsert %r: %s" % (store.path, a.key, got)))
                continue
            row, created = got
            # The caller sent the body: the result leaves it out (sink.go).
            result.activity.CopyFrom(convert.activity_from_row(row, with_body=False))
            result.created = created
        return out

    def UpdateTimes(self, request, context):
        store = self._store(context)
        out = sink_pb2.UpdateTimesResponse()
        for change in request.changes:
            result = out.results.add(id=change.id)
            try:
                activity_id = int(change.id)
            except ValueError:
                result.error.CopyFrom(types_pb2.Status(code=E.ERROR_CODE_NOT_FOUND,
                                                       message="activity %r does not exist" % change.id))
                continue
            try:
                result.version = str(store.update_times(activity_id, change.if_version,
                                                        convert.times_from_raster(change.raster)))
            except NotFound as e:
                result.error.CopyFrom(types_pb2.Status(code=E.ERROR_CODE_NOT_FOUND, message=str(e)))
            except Conflict as e:
                result.error.CopyFrom(types_pb2.Status(code=E.ERROR_CODE_CONFLICT, message=str(e)))
            except Exception as e:  # noqa: BLE001
                result.error.CopyFrom(types_pb2.Status(code=E.ERROR_CODE_TEMPORARY,
                                                       message="%s: update times of %s: %s" % (store.path, change.id, e)))
        return out

    def close_all(self):
        with self._lock:
            stores, self._instances = list(self._instances.values()), {}
        for s in stores:
            s.close()

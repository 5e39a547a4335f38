"""gwsync.plugin.v1.Activity <-> the store's rows (see store.py)."""
import calendar
import datetime

from .gen import types_pb2


def _seconds(msg, field):
    """A Timestamp field as seconds, or None when unset (a zero time)."""
    return getattr(msg, field).seconds if msg.HasField(field) else None


def times_from_raster(raster):
    return {
        "start_s": _seconds(raster, "start"),
        "end_s": _seconds(raster, "end"),
        "due_s": _seconds(raster, "due"),
        "all_day": 1 if raster.all_day else 0,
        "time_zone": raster.time_zone,
    }


def row_from_activity(a):
    """The row an Upsert writes for a gwsync activity."""
    row = times_from_raster(a.raster)
    row.update({
        "type": a.type, "subject": a.subject, "body": a.body, "busy": a.busy,
        "location": a.location, "key": a.key, "source": a.source, "source_item": a.source_item,
        "modified_s": a.modified.seconds if a.HasField("modified") else None,
    })
    return row


def attachments_from_activity(a):
    return [{"name": x.name, "type": x.type, "size": x.size or len(x.data), "data": bytes(x.data) or None}
            for x in a.attachments]


def activity_from_row(row, with_body=True):
    """The gwsync activity of a stored row (listings never carry
    attachment content; Stored says the CRM holds it)."""
    a = types_pb2.Activity(
        id=str(row["id"]), version=str(row["version"]), type=row["type"], subject=row["subject"],
        busy=row["busy"], location=row["location"], key=row["key"] or "",
        source=row["source"], source_item=row["source_item"],
        owners=row.get("owners", []), contacts=row.get("contacts", []),
    )
    if with_body:
        a.body = row["body"]
    r = a.raster
    for field, column in (("start", "start_s"), ("end", "end_s"), ("due", "due_s")):
        if row[column] is not None:
            getattr(r, field).seconds = row[column]
    r.all_day = bool(row["all_day"])
    r.time_zone = row["time_zone"]
    if row["modified_s"] is not None:
        a.modified.seconds = row["modified_s"]
    for x in row.get("attachments", []):
        a.attachments.add(name=x["name"], type=x["type"], size=x["size"], stored=True)
    return a


def seconds_from_rfc3339(text):
    """Seconds of an RFC 3339 time ("2026-04-01T10:00:00Z"), None for ""."""
    if not text:
        return None
    t = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    return calendar.timegm(t.utctimetuple())

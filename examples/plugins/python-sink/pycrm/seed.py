"""`gwsync-plugin-pycrm seed DATABASE_FILE < activities.json`: creates
activities in the CRM as its users would (no groupware key), from a JSON
array of gwsync activities (adapters.Activity's JSON: type, subject, body,
raster {start, end, due, all_day, time_zone} in RFC 3339, busy, owners,
contacts, location). Prints the new ids, one a line."""
import json
import sys

from .convert import seconds_from_rfc3339
from .store import Store


def seed(path, activities):
    store = Store(path)
    ids = []
    try:
        for a in activities:
            r = a.get("raster") or {}
            row = {
                "type": a["type"], "subject": a.get("subject", ""), "body": a.get("body", ""),
                "start_s": seconds_from_rfc3339(r.get("start")), "end_s": seconds_from_rfc3339(r.get("end")),
                "due_s": seconds_from_rfc3339(r.get("due")), "all_day": 1 if r.get("all_day") else 0,
                "time_zone": r.get("time_zone", ""), "busy": a.get("busy", ""), "location": a.get("location", ""),
                "key": None, "source": "", "source_item": "", "modified_s": seconds_from_rfc3339(a.get("modified")),
            }
            ids.append(store.insert_crm(row, a.get("owners") or [], a.get("contacts") or []))
    finally:
        store.close()
    return ids


def main(args):
    if len(args) != 1:
        sys.stderr.write("usage: gwsync-plugin-pycrm seed DATABASE_FILE < activities.json\n")
        return 2
    for i in seed(args[0], json.load(sys.stdin)):
        print(i)
    return 0

#!/usr/bin/python3
"""Reference expansion for gwsync's differential test (differential_test.go).

Reads JSON lines {"id", "ics", "from", "to"} on stdin (window bounds as
UTC "YYYYMMDDTHHMMSSZ"), expands each calendar's VEVENTs with the Debian
packages python3-recurring-ical-events and python3-icalendar, and writes
JSON lines {"id", "occurrences": [[start, end], ...]} or {"id", "error"}.
Instants are UTC "YYYYMMDDTHHMMSSZ"; all-day values are "YYYYMMDD";
floating times are read as UTC (gwsync reads them with Location UTC).

Run it with Debian's interpreter (/usr/bin/python3): another python3 on
PATH may lack these modules.
"""
import datetime
import json
import sys

import icalendar
import recurring_ical_events
from icalendar.timezone_cache import _timezone_cache


def utc(s):
    return datetime.datetime.strptime(s, "%Y%m%dT%H%M%SZ").replace(tzinfo=datetime.timezone.utc)


def fmt(v):
    if isinstance(v, datetime.datetime):
        if v.tzinfo is None:
            v = v.replace(tzinfo=datetime.timezone.utc)
        return v.astimezone(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    return v.strftime("%Y%m%d")


def expand(case):
    # The library caches file-defined zones by TZID across calendars: two
    # cases defining one TZID differently must not share it.
    _timezone_cache.clear()
    cal = icalendar.Calendar.from_ical(case["ics"])
    events = recurring_ical_events.of(cal).between(utc(case["from"]), utc(case["to"]))
    out = []
    for ev in events:
        start = ev["DTSTART"].dt
        end = ev["DTEND"].dt if "DTEND" in ev else start
        out.append([fmt(start), fmt(end)])
    out.sort()
    return out


def main():
    for line in sys.stdin:
        case = json.loads(line)
        try:
            res = {"id": case["id"], "occurrences": expand(case)}
        except Exception as e:  # one case's failure is that case's answer
            res = {"id": case["id"], "error": "%s: %s" % (type(e).__name__, e)}
        sys.stdout.write(json.dumps(res) + "\n")


if __name__ == "__main__":
    main()

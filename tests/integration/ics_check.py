#!/usr/bin/python3
"""Reads an iCalendar file with Python's icalendar (Debian python3-icalendar),
a parser independent of the libical that wrote it, checks what every
calendar of clubcrm must hold, and prints what the C tests compare as JSON:
{"calname", "tzids": [VTIMEZONE TZIDs], "events": [{"uid", "summary",
"description", "status", "sequence", "tzid", "start", "end" (Unix seconds),
"local_start" ("YYYY-MM-DD HH:MM" in the event's zone)}]}.
Exits non-zero (with the reason on stderr) when it cannot."""
import json
import sys

import icalendar


def fail(why):
    sys.stderr.write("ics_check: %s\n" % why)
    sys.exit(1)


def main():
    raw = open(sys.argv[1], "rb").read()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        fail("not UTF-8: %s" % e)
    for line in text.split("\r\n")[:-1]:
        if "\n" in line:
            fail("a line not ended by CRLF: %r" % line)
        if len(line.encode("utf-8")) > 75:
            fail("a line longer than 75 octets: %r" % line)
    cal = icalendar.Calendar.from_ical(raw)
    if cal.name != "VCALENDAR":
        fail("not a VCALENDAR")
    if str(cal.get("VERSION")) != "2.0" or not cal.get("PRODID"):
        fail("no VERSION 2.0 or no PRODID")
    tzids = [str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")]
    events = []
    for ev in cal.walk("VEVENT"):
        for need in ("UID", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY"):
            if need not in ev:
                fail("an event without %s" % need)
        start, end = ev.decoded("DTSTART"), ev.decoded("DTEND")
        if start.tzinfo is None or end.tzinfo is None:
            fail("a floating time in %s" % ev["UID"])
        tzid = ev["DTSTART"].params.get("TZID")
        if tzid is not None and str(tzid) not in tzids:
            fail("TZID %s has no VTIMEZONE" % tzid)
        if end <= start:
            fail("DTEND not after DTSTART in %s" % ev["UID"])
        events.append({
            "uid": str(ev["UID"]),
            "summary": str(ev["SUMMARY"]),
            "description": str(ev.get("DESCRIPTION", "")),
            "status": str(ev.get("STATUS", "")),
            "sequence": int(ev.get("SEQUENCE", 0)),
            "tzid": None if tzid is None else str(tzid),
            "start": int(start.timestamp()),
            "end": int(end.timestamp()),
            "local_start": start.strftime("%Y-%m-%d %H:%M"),
        })
    uids = [e["uid"] for e in events]
    if len(set(uids)) != len(uids):
        fail("a UID twice")
    print(json.dumps({"calname": str(cal.get("X-WR-CALNAME", "")),
                      "tzids": tzids, "events": events}))


main()

#!/usr/bin/python3
"""Count the TAP results in meson testlog.json files and plain TAP files.

Usage: tap-summary.py FILE...   (FILE: a meson testlog*.json, or TAP text)

Prints "N passed, N failed" (and ", N skipped" when there are skips) as the
last line. A test in a testlog that produced no TAP result line (it crashed,
timed out, or is not a TAP test) counts once, by meson's verdict. A TAP file
with no result line, one that is missing, or one with "Bail out!" counts as
one failure.
"""
import json
import re
import sys

RESULT = re.compile(r"^(not ok|ok)\b(.*)$")


def count_tap(text, counted):
    """Adds the results of the TAP lines in @text; returns whether it bailed out."""
    bailed = False
    for tap_line in text.splitlines():
        tap_line = tap_line.strip()
        if tap_line.startswith("Bail out!"):
            bailed = True
        match = RESULT.match(tap_line)
        if not match:
            continue
        directive = match.group(2)
        if re.search(r"#\s*skip", directive, re.IGNORECASE):
            counted["skipped"] += 1
        elif match.group(1) == "ok" or re.search(r"#\s*todo", directive, re.IGNORECASE):
            counted["passed"] += 1
        else:
            counted["failed"] += 1
    return bailed


def count_testlog(log, totals):
    for line in log:
        entry = json.loads(line)
        counted = {"passed": 0, "failed": 0, "skipped": 0}
        count_tap(entry.get("stdout") or "", counted)
        verdict = entry.get("result", "")
        if sum(counted.values()) == 0:
            if verdict in ("OK", "EXPECTEDFAIL"):
                counted["passed"] = 1
            elif verdict == "SKIP":
                counted["skipped"] = 1
            else:
                counted["failed"] = 1
        elif verdict in ("FAIL", "TIMEOUT", "ERROR", "UNEXPECTEDPASS") and counted["failed"] == 0:
            # every sub-test passed but the program itself failed (a crash at exit, a timeout)
            counted["failed"] = 1
        for key, value in counted.items():
            totals[key] += value


def count(path, totals):
    try:
        with open(path, encoding="utf-8", errors="replace") as log:
            if path.endswith(".json"):
                count_testlog(log, totals)
                return
            counted = {"passed": 0, "failed": 0, "skipped": 0}
            bailed = count_tap(log.read(), counted)
    except OSError:
        counted, bailed = {"passed": 0, "failed": 0, "skipped": 0}, True
    if bailed or sum(counted.values()) == 0:
        counted["failed"] = max(counted["failed"], 1)
    for key, value in counted.items():
        totals[key] += value


def main():
    totals = {"passed": 0, "failed": 0, "skipped": 0}
    for path in sys.argv[1:]:
        count(path, totals)
    line = f"{totals['passed']} passed, {totals['failed']} failed"
    if totals["skipped"]:
        line += f", {totals['skipped']} skipped"
    print(line)


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""Count the TAP results of every test in one or more meson testlog.json files.

Prints "N passed, N failed" (and ", N skipped" when there are skips) as the
last line. A test that produced no TAP result line (it crashed, timed out, or
is not a TAP test) counts once, by meson's verdict.
"""
import json
import re
import sys

RESULT = re.compile(r"^(not ok|ok)\b(.*)$")


def count(log_path, totals):
    with open(log_path, encoding="utf-8") as log:
        for line in log:
            entry = json.loads(line)
            counted = {"passed": 0, "failed": 0, "skipped": 0}
            for tap_line in (entry.get("stdout") or "").splitlines():
                match = RESULT.match(tap_line.strip())
                if not match:
                    continue
                directive = match.group(2)
                if re.search(r"#\s*skip", directive, re.IGNORECASE):
                    counted["skipped"] += 1
                elif match.group(1) == "ok" or re.search(r"#\s*todo", directive, re.IGNORECASE):
                    counted["passed"] += 1
                else:
                    counted["failed"] += 1
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

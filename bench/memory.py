#!/usr/bin/python3
"""Resident memory of an idle headless server with a full history.

Usage: bench/memory.py HEARTSIM [HEARTSIM ...]

Each binary runs `--headless --port 0 --interval-ms 10` until /health says
the 10,000-sample history is full (about 100 s), no client connected; then
its VmRSS, and the part of it that is its own (RssAnon) and the part that
is mapped files, libraries mostly (RssFile), are read from
/proc/PID/status. Loopback only; each run ends by itself within 300 s.

SPDX-License-Identifier: GPL-3.0-or-later
"""
import json
import re
import subprocess
import sys
import time
import urllib.request

DEADLINE_S = 300


def status_kb(pid, field):
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        match = re.search(rf"^{field}:\s+(\d+) kB", status.read(), re.MULTILINE)
    return int(match.group(1)) if match else 0


def measure(binary):
    server = subprocess.Popen([binary, "--headless", "--port", "0", "--interval-ms", "10"],
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        url = None
        for line in server.stdout:
            match = re.search(r"(http://127\.0\.0\.1:\d+)/", line)
            if match:
                url = match.group(1)
                break
        if url is None:
            return None
        deadline = time.monotonic() + DEADLINE_S
        while time.monotonic() < deadline:
            with urllib.request.urlopen(url + "/health", timeout=5) as reply:
                history = json.load(reply)["history"]
            if history["length"] >= history["capacity"]:
                return {field: status_kb(server.pid, field) / 1024 for field in ("VmRSS", "RssAnon", "RssFile")}
            time.sleep(1)
        return None
    finally:
        server.terminate()
        server.wait(timeout=10)


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    print("| binary | VmRSS MB | own (RssAnon) MB | mapped files (RssFile) MB |")
    print("|---|---|---|---|")
    for binary in sys.argv[1:]:
        figures = measure(binary)
        if figures is None:
            print(f"| {binary} | did not fill its history in {DEADLINE_S} s | | |")
        else:
            print(f"| {binary} | {figures['VmRSS']:.1f} | {figures['RssAnon']:.1f} | {figures['RssFile']:.1f} |")


if __name__ == "__main__":
    main()

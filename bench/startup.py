#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Start-up and shutdown of `heartsim --headless` (docs/architecture.md): time from launch
until GET /health answers, and from SIGTERM until the process has exited.

    python3 bench/startup.py BUILD_DIR/src/heartsim
"""
import subprocess, time, http.client, sys, signal
binary = sys.argv[1]
results = []
for i in range(7):
    t0 = time.monotonic()
    p = subprocess.Popen([binary, "--headless", "--port", "18400"], stdout=subprocess.DEVNULL)
    while True:
        try:
            c = http.client.HTTPConnection("127.0.0.1", 18400, timeout=1)
            c.request("GET", "/health")
            r = c.getresponse(); r.read()
            if r.status == 200:
                break
        except OSError:
            time.sleep(0.001)
    results.append((time.monotonic() - t0) * 1000)
    t1 = time.monotonic()
    p.send_signal(signal.SIGTERM); p.wait()
    results[-1] = (results[-1], (time.monotonic() - t1) * 1000, p.returncode)
for r in results: print("health after %.1f ms; exit after SIGTERM %.1f ms, status %d" % r)
s = sorted(x[0] for x in results); print("median start-up %.1f ms" % s[len(s)//2])

#!/usr/bin/python3
"""The Python consumer of docs/scale.md ("Consumers"), run as written.

Starts a real mosquitto on a free loopback port and `heartsim --headless
--subjects 3 --mqtt` publishing to it, then runs the documented paho-mqtt
snippet, taken from the page itself, with two changes only: its
connect("broker", 1883) goes to the test's broker, and its loop_forever()
ends once every subject has sent a few values (or after a deadline). What
the snippet prints is then checked: each subject's heart rate and RR
intervals, in range and in order. A user who copies the page gets what
this test got.

Prints TAP. Needs Debian's python3-paho-mqtt and mosquitto
(build-aux/install-deps.sh test); without them it bails out saying so.

SPDX-License-Identifier: GPL-3.0-or-later
"""
import contextlib
import datetime
import getpass
import io
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time

SUBJECTS = 3
ENOUGH = 3            # values of each channel from each subject
DEADLINE_S = 30.0


def bail(message):
    print("Bail out! " + message)
    sys.exit(1)


def documented_snippet(source_dir):
    """The ```python block under "**Python**" in docs/scale.md"""
    with open(os.path.join(source_dir, "docs", "scale.md"), encoding="utf-8") as page:
        text = page.read()
    match = re.search(r"\*\*Python\*\*.*?```python\n(.*?)```", text, re.DOTALL)
    if match is None:
        bail("docs/scale.md: no ```python block under **Python**")
    return match.group(1)


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_port(port, process, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and process.poll() is None:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return True
        except OSError:
            time.sleep(0.05)
    return False


def start_broker(folder):
    """mosquitto on a free port, as this user, with nothing kept on disk"""
    binary = shutil.which("mosquitto") or next(
        (p for p in ("/usr/sbin/mosquitto", "/usr/local/sbin/mosquitto") if os.access(p, os.X_OK)), None)
    if binary is None:
        bail("mosquitto not found: build-aux/install-deps.sh test")
    conf = os.path.join(folder, "mosquitto.conf")
    for _ in range(5):
        port = free_port()
        with open(conf, "w", encoding="utf-8") as out:
            out.write(f"user {getpass.getuser()}\npersistence false\nallow_anonymous true\n"
                      f"listener {port} 127.0.0.1\n")
        broker = subprocess.Popen([binary, "-c", conf], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if wait_for_port(port, broker, 10):
            return broker, port
        stop(broker)
    bail("mosquitto did not listen on a free loopback port in five tries")
    return None, 0


def stop(process):
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def run_snippet(snippet, port, mqtt):
    """Runs the page's code; returns the lines it printed, and those lines
    by (subject, channel)"""
    lines = []
    heard = {}

    class TestClient(mqtt.Client):
        def connect(self, host, port_=1883, *args, **kwargs):
            assert (host, port_) == ("broker", 1883), "the page's connect() changed: update this test"
            return super().connect("127.0.0.1", port, *args, **kwargs)

        def loop_forever(self, *args, **kwargs):
            deadline = time.monotonic() + DEADLINE_S
            while time.monotonic() < deadline and missing(heard):
                self.loop(timeout=0.1)
            self.disconnect()

    class Counting(io.TextIOBase):
        """Keeps the lines printed as they end (print writes each of its
        arguments on its own)"""
        partial = ""

        def write(self, text):
            *ended, self.partial = (self.partial + text).split("\n")
            for line in filter(str.strip, ended):
                lines.append(line)
                fields = line.split()
                if len(fields) >= 2:
                    heard.setdefault((fields[0], fields[1]), []).append(line)
            return len(text)

    namespace = {"__name__": "docs_scale_consumer"}
    real_client = mqtt.Client
    mqtt.Client = TestClient
    try:
        with contextlib.redirect_stdout(Counting()):
            exec(compile(snippet, "docs/scale.md", "exec"), namespace)
    finally:
        mqtt.Client = real_client
    return lines, heard


def missing(heard):
    """The subject/channel pairs that have printed fewer than ENOUGH lines"""
    return [f"{s}/{c}" for s in range(SUBJECTS) for c in ("heart_rate", "rr_interval")
            if len(heard.get((str(s), c), [])) < ENOUGH]


def parse_time(text):
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))


def check_lines(lines):
    """Each line is "SUBJECT CHANNEL TIME [OFFSET] VALUE"; returns the problems"""
    problems = []
    last = {}
    for line in lines:
        fields = line.split()
        subject, channel = fields[0], fields[1]
        try:
            when = parse_time(fields[2])
            value = float(fields[-1])
        except ValueError:
            problems.append(f"not a time and a number: {line!r}")
            continue
        if channel == "heart_rate":
            low, high = 30, 220
            when += datetime.timedelta(seconds=float(fields[3]))
        else:
            low, high = 250, 2000
        if not low <= value <= high:
            problems.append(f"{channel} out of {low}..{high}: {line!r}")
        key = (subject, channel)
        if key in last and when <= last[key]:
            problems.append(f"{channel} of subject {subject} not in order: {line!r}")
        last[key] = when
    return problems


def main():
    source_dir = os.environ.get("HEARTSIM_SOURCE_DIR", os.path.join(os.path.dirname(__file__), ".."))
    binary = os.environ.get("HEARTSIM_BINARY")
    if not binary:
        bail("HEARTSIM_BINARY is not set")
    try:
        import paho.mqtt.client as mqtt
    except ImportError:
        bail("python3-paho-mqtt is missing: build-aux/install-deps.sh test")
    snippet = documented_snippet(source_dir)

    print("1..3")
    with tempfile.TemporaryDirectory(prefix="heartsim-docs-mqtt-") as folder:
        broker, port = start_broker(folder)
        log_path = os.path.join(folder, "heartsim.log")
        with open(log_path, "w", encoding="utf-8") as log:
            heartsim = subprocess.Popen(
                [binary, "--headless", "--port", "0", "--seed", "42", "--subjects", str(SUBJECTS),
                 "--mqtt", f"mqtt://127.0.0.1:{port}"],
                stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        try:
            lines, heard = run_snippet(snippet, port, mqtt)
        except Exception as error:  # the page's code failed: say how, as TAP
            print(f"not ok 1 - the page's paho-mqtt consumer runs: {type(error).__name__}: {error}")
            print("not ok 2 - what it prints has the documented fields: nothing printed")
            print("not ok 3 - the values are in range and in order: nothing printed")
            sys.exit(1)
        finally:
            stop(heartsim)
            stop(broker)
        too_few = missing(heard)
        if too_few:
            print(f"not ok 1 - the page's paho-mqtt consumer hears every subject: too few from {too_few}")
            with open(log_path, encoding="utf-8") as log:
                for line in log.read().splitlines()[-20:]:
                    print("# heartsim: " + line)
        else:
            print("ok 1 - the page's paho-mqtt consumer hears every subject's heart_rate and rr_interval")

        shapes = [line for line in lines
                  if not re.fullmatch(r"\d+ heart_rate \S+ \d+(\.\d+)? \S+|\d+ rr_interval \S+ \S+", line)]
        if shapes or not lines:
            print(f"not ok 2 - what it prints has the documented fields: {shapes[:3]}")
        else:
            print("ok 2 - what it prints has the documented fields (subject, channel, time, offset, value)")

        problems = check_lines(lines) if lines and not shapes else ["nothing readable printed"]
        if problems:
            print(f"not ok 3 - the values are in range and in order: {problems[:3]}")
        else:
            print(f"ok 3 - the {len(lines)} values are in range and each channel's in order")


if __name__ == "__main__":
    main()

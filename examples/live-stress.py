#!/usr/bin/python3
"""Classify a running Heartsim every 30 s with a model saved by stress-classifier.py.

    examples/stress-classifier.py --save-model model.pkl
    heartsim --headless &
    examples/live-stress.py --model model.pkl --scenario lab-stress-protocol

Reads the typed WebSocket stream (WS /ws/stream?types=..., docs/api.md): the same channel
values a dataset holds, so stress-classifier.py's window_features() works on them
unchanged. The first --calibrate seconds are the person's baseline, to normalise
against as in training: keep the person calm for them. --scenario starts a scenario
on the server (POST /simulation/scenario), whose phase is printed beside each answer.
Needs numpy, scikit-learn and websockets (Debian: python3-numpy python3-sklearn
python3-websockets). docs/ml.md.
"""

import argparse
import asyncio
import importlib.util
import json
import os
import pickle
import sys
import urllib.request

import numpy as np
import websockets

sys.dont_write_bytecode = True   # no __pycache__ beside the examples
here = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location("sc", os.path.join(here, "stress-classifier.py"))
sc = importlib.util.module_from_spec(spec)
spec.loader.exec_module(sc)


def add(buf, name, t, value):
    ts, vs = buf[name]
    ts.append(t)
    vs.append(value)


async def run(server, saved, calibrate_s, step_s):
    window_s = saved["window_s"]
    url = (server.replace("http", "ws", 1) + "/ws/stream?types="
           + ",".join(sc.CHANNELS + ["condition"]))
    buf = {name: ([], []) for name in sc.CHANNELS}
    t_first = stats = None
    next_t = calibrate_s
    async with websockets.connect(url) as ws:
        async for message in ws:
            frame = json.loads(message)
            name = frame.get("type")
            if name not in sc.CHANNELS:
                continue   # the "connected" frame and the condition labels
            if "values" in frame:   # a periodic channel: one batch a tick
                t0 = sc.parse_time(frame["t0"])
                t_first = t0 if t_first is None else t_first
                for i, value in enumerate(frame["values"]):
                    add(buf, name, t0 - t_first + i / frame["fs"], value)
                t = t0 - t_first
            else:                   # rr_interval and scr: one frame a value
                t = sc.parse_time(frame["timestamp"])
                t_first = t if t_first is None else t_first
                t -= t_first
                add(buf, name, t, frame["value"])
            if t < next_t:
                continue
            series = {k: (np.array(ts), np.array(vs)) for k, (ts, vs) in buf.items()}
            if stats is None:
                X, _ = sc.person_windows(series, [(0.0, "baseline")], calibrate_s,
                                         window_s, step_s)
                if len(X) < 2:
                    sys.exit("live-stress: too few calibration windows: a longer --calibrate")
                stats = sc.baseline_stats(X)
                print(f"calibrated on {len(X)} windows of the first {calibrate_s:g} s", flush=True)
            else:
                row = np.array([sc.window_features(series, t - window_s, t)])
                if not np.any(np.isnan(row)):
                    if saved["normalised"]:
                        row = sc.normalise(row, stats)
                    phase = frame.get("condition") or "-"
                    print(f"{t / 60:6.1f} min  predicted {saved['model'].predict(row)[0]:<11}"
                          f" scenario phase {phase}", flush=True)
            next_t = t + step_s


def main():
    ap = argparse.ArgumentParser(description="Classify a running Heartsim's stream.")
    ap.add_argument("server", nargs="?", default="http://127.0.0.1:8000")
    ap.add_argument("--model", required=True, help="from stress-classifier.py --save-model")
    ap.add_argument("--scenario", help="start this bundled scenario on the server first")
    ap.add_argument("--calibrate", type=float, default=300,
                    help="seconds of baseline at the start (default: 300)")
    ap.add_argument("--step", type=float, default=30, help="seconds between answers")
    args = ap.parse_args()
    with open(args.model, "rb") as fh:
        saved = pickle.load(fh)
    if saved["features"] != sc.FEATURES:
        sys.exit("live-stress: the model was trained on other features")
    if args.scenario:
        req = urllib.request.Request(
            f"{args.server}/simulation/scenario?name={args.scenario}", method="POST")
        urllib.request.urlopen(req).close()
    try:
        asyncio.run(run(args.server.rstrip("/"), saved, args.calibrate, args.step))
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()

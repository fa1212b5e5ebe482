"""heartbeat_sim.py: a re-creation of the "Virtual Heartbeat Simulation API"
prototype, from its README, as the peer of Heartsim's REST and WebSocket
benchmarks (bench/peers.sh). Written the way that README describes and the way
a typical FastAPI app of its kind is written: one asyncio loop, one background
task that makes a sample every 500 ms and awaits send_json to each connected
WebSocket in turn.

    uvicorn heartbeat_sim:app --reload          (the README)
    python3 -m uvicorn heartbeat_sim:app --host 127.0.0.1 --port 8000   (bench/peers.sh)

Departures from the README, each for the benchmark:
  - timestamp: ISO-8601 UTC with milliseconds and "Z", as in the README's
    example response ("2026-01-09T12:34:56.789Z"), rather than the bare
    datetime.utcnow().isoformat() of its code snippet, so one client measures
    latency the same way against every server;
  - HEARTBEAT_INTERVAL_MS (default 500) sets the sleep of simulation_loop(),
    the knob the README's "Adjust timing" section points at;
  - POST /heartbeat/start is an alias of POST /simulation/start.

SPDX-License-Identifier: GPL-3.0-or-later
"""
import asyncio
import os
import random
from datetime import datetime, timezone
from typing import List, Optional

from fastapi import FastAPI, Query, WebSocket, WebSocketDisconnect
from fastapi.responses import JSONResponse
from pydantic import BaseModel

INTERVAL_S = int(os.environ.get("HEARTBEAT_INTERVAL_MS", "500")) / 1000.0


def utc_timestamp() -> str:
    now = datetime.now(timezone.utc)
    return now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"


class HeartbeatData(BaseModel):
    timestamp: str        # ISO format
    bpm: int              # Heart rate (60-180)
    variability: float    # HRV indicator (0-1)
    stress_level: float   # Current stress (0-1)
    state: str            # "stopped" | "running"


class ConnectionManager:
    """Every connected WebSocket; broadcast() sends to each in turn."""

    def __init__(self) -> None:
        self.active_connections: List[WebSocket] = []

    async def connect(self, websocket: WebSocket) -> None:
        await websocket.accept()
        self.active_connections.append(websocket)

    def disconnect(self, websocket: WebSocket) -> None:
        if websocket in self.active_connections:
            self.active_connections.remove(websocket)

    async def broadcast(self, message: dict) -> None:
        disconnected = []
        for connection in self.active_connections:
            try:
                await connection.send_json(message)
            except Exception:
                disconnected.append(connection)
        for connection in disconnected:
            self.disconnect(connection)


class HeartbeatSimulator:
    """Baseline 60-80 BPM at rest, +-2.5 BPM of noise, a gradual rise under
    stress to 90-120 BPM, a slow recovery, and a 2 % chance of a stress spike
    at each update."""

    def __init__(self) -> None:
        self.baseline_bpm = 72.0
        self.current_bpm = self.baseline_bpm
        self.stress_level = 0.0
        self.target_stress = 0.0
        self.running = False
        self.task: Optional[asyncio.Task] = None
        self.latest: Optional[HeartbeatData] = None

    @property
    def state(self) -> str:
        return "running" if self.running else "stopped"

    def generate_heartbeat(self) -> HeartbeatData:
        if random.random() < 0.02:
            self.target_stress = random.uniform(0.5, 1.0)
        # stress rises quickly towards its target and both decay slowly
        self.stress_level += (self.target_stress - self.stress_level) * 0.1
        self.target_stress = max(0.0, self.target_stress - 0.01)
        self.stress_level = min(1.0, max(0.0, self.stress_level))

        target_bpm = self.baseline_bpm + self.stress_level * (110.0 - self.baseline_bpm)
        self.current_bpm += (target_bpm - self.current_bpm) * 0.05
        actual_bpm = self.current_bpm + random.uniform(-2.5, 2.5)

        # heart rate variability falls as stress rises
        variability = max(0.0, min(1.0, 0.5 - 0.4 * self.stress_level + random.uniform(-0.05, 0.05)))
        data = HeartbeatData(
            timestamp=utc_timestamp(),
            bpm=int(round(max(40.0, min(180.0, actual_bpm)))),
            variability=round(variability, 3),
            stress_level=round(self.stress_level, 3),
            state=self.state,
        )
        self.latest = data
        return data

    async def simulation_loop(self) -> None:
        while self.running:
            data = self.generate_heartbeat()
            await manager.broadcast(data.dict())
            await asyncio.sleep(INTERVAL_S)

    def start(self) -> bool:
        if self.running:
            return False
        self.running = True
        self.task = asyncio.create_task(self.simulation_loop())
        return True

    async def stop(self) -> bool:
        if not self.running:
            return False
        self.running = False
        if self.task is not None:
            self.task.cancel()
            try:
                await self.task
            except asyncio.CancelledError:
                pass
            self.task = None
        return True


app = FastAPI(title="Virtual Heartbeat Simulation API", version="1.0.0")
manager = ConnectionManager()
simulator = HeartbeatSimulator()


@app.on_event("shutdown")
async def shutdown() -> None:
    await simulator.stop()


@app.get("/health")
async def health():
    return {
        "status": "healthy",
        "simulation_state": simulator.state,
        "connected_clients": len(manager.active_connections),
    }


@app.post("/simulation/start")
async def start_simulation():
    started = simulator.start()
    return {"status": "started" if started else "already running", "interval_ms": int(INTERVAL_S * 1000)}


# not in the README: the name the benchmark's brief used for the same thing
@app.post("/heartbeat/start")
async def start_heartbeat():
    return await start_simulation()


@app.post("/simulation/stop")
async def stop_simulation():
    stopped = await simulator.stop()
    return {"status": "stopped" if stopped else "not running"}


@app.get("/heartbeat/current")
async def current_heartbeat():
    if simulator.latest is None:
        return JSONResponse(status_code=404,
                            content={"detail": "No heartbeat data yet: POST /simulation/start"})
    data = simulator.latest.dict()
    data["state"] = simulator.state
    return data


@app.post("/simulation/trigger-stress")
async def trigger_stress(stress_level: float = Query(0.8, ge=0.0, le=1.0)):
    simulator.target_stress = stress_level
    return {"status": "stress triggered", "stress_level": stress_level}


@app.post("/simulation/set-baseline")
async def set_baseline(baseline_bpm: int = Query(..., ge=40, le=120)):
    simulator.baseline_bpm = float(baseline_bpm)
    return {"status": "baseline updated", "baseline_bpm": baseline_bpm}


@app.websocket("/ws/heartbeat")
async def websocket_heartbeat(websocket: WebSocket):
    await manager.connect(websocket)
    try:
        await websocket.send_json({
            "type": "connected",
            "message": "Connected to heartbeat stream",
            "state": simulator.state,
        })
        # keep the connection open; clients send nothing, this sees them leave
        while True:
            await websocket.receive_text()
    except WebSocketDisconnect:
        manager.disconnect(websocket)
    except Exception:
        manager.disconnect(websocket)

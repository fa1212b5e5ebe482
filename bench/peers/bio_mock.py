"""bio_mock.py: a re-creation of the "Bio Mock" streaming backend
(bio_mock/backend/app.py), from its README, as the peer of Heartsim's
Server-Sent Events benchmark (bench/peers.sh). As that README describes it:
one endpoint, GET /api/stream, a StreamingResponse of text/event-stream that
yields one `data: {json}\\n\\n` event a second, an in-memory buffer of the last
10,000 data points, CORS open to every origin. Each connection runs its own
generator, the usual shape of a FastAPI SSE endpoint.

    uvicorn app:app --reload --host 0.0.0.0 --port 8000      (the README)
    python3 -m uvicorn bio_mock:app --host 127.0.0.1 --port 8000   (bench/peers.sh)

Departure from the README, for the benchmark: the timestamp is ISO-8601 UTC
with milliseconds and "Z" (the README's example is "2026-02-03T10:30:00Z",
its code datetime.now().isoformat(), local time with microseconds and no
zone), so one client measures every server the same way.

SPDX-License-Identifier: GPL-3.0-or-later
"""
import asyncio
import json
import random
from collections import deque
from datetime import datetime, timezone

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import StreamingResponse

BUFFER_SIZE = 10_000

app = FastAPI(title="Bio Mock streaming backend")
app.add_middleware(
    CORSMiddleware,
    allow_origins=["*"],
    allow_credentials=True,
    allow_methods=["*"],
    allow_headers=["*"],
)

# the last 10,000 data points; the oldest go first
data_buffer: deque = deque(maxlen=BUFFER_SIZE)


def utc_timestamp() -> str:
    now = datetime.now(timezone.utc)
    return now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"


def mock_heart_rate(previous: int) -> int:
    """A resting heart rate that wanders by a beat or two per second."""
    return max(50, min(120, previous + random.randint(-2, 2)))


async def event_stream():
    value = random.randint(62, 80)
    while True:
        value = mock_heart_rate(value)
        data = {
            "value": value,
            "timestamp": utc_timestamp(),
            "type": "heart_rate",
        }
        data_buffer.append(data)
        yield f"data: {json.dumps(data)}\n\n"
        await asyncio.sleep(1)


@app.get("/api/stream")
async def stream():
    return StreamingResponse(event_stream(), media_type="text/event-stream")

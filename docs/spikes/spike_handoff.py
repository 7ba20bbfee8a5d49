"""Spike for issue 4 (agent handoff): what Rasa 3.6's socketio channel and HTTP API really do.

Run against a server started by start_spike_server.sh (REST + socketio, --enable-api,
--auth-token spike-token).  Prints every observation as JSON so docs/design/handoff-mechanics.md can quote it.

    /work/main/.venv/bin/python docs/spikes/spike_handoff.py --port 5606 [--metadata-key customData]
"""
from __future__ import annotations

import argparse
import asyncio
import json
import time
import uuid

import aiohttp
import socketio

received: list = []


def show(title, value):
    print(f"\n### {title}\n{json.dumps(value, indent=2, ensure_ascii=False, default=str)}", flush=True)


async def main(args):
    base = f"http://localhost:{args.port}"
    token = {"token": args.token}
    session_id = "spike-" + uuid.uuid4().hex[:8]
    sio = socketio.AsyncClient()
    confirmed = asyncio.Event()

    @sio.on("session_confirm")
    async def on_confirm(data):
        show("session_confirm payload", data)
        confirmed.set()

    @sio.on("bot_uttered")
    async def on_bot(*data):
        received.append({"t": round(time.monotonic() - t0, 2), "args": list(data)})

    async def collect(seconds):
        start = len(received)
        await asyncio.sleep(seconds)
        return received[start:]

    async def say(text):
        payload = {"message": text, "session_id": session_id, args.metadata_key: {"language": "sv"}}
        show(f"emit user_uttered", payload)
        await sio.emit("user_uttered", payload)
        return await collect(args.wait)

    async def tracker(http):
        async with http.get(f"{base}/conversations/{session_id}/tracker", params=token) as r:
            return await r.json()

    t0 = time.monotonic()
    await sio.connect(base, transports=[args.transport])
    show("socket sid", sio.sid)
    await sio.emit("session_request", {"session_id": session_id})
    await asyncio.wait_for(confirmed.wait(), 10)

    # A second customer on another session: must NOT see anything meant for the first one.
    bystander = socketio.AsyncClient()
    bystander_got: list = []
    bystander.on("bot_uttered", lambda *d: bystander_got.append(list(d)))
    await bystander.connect(base, transports=[args.transport])
    await bystander.emit("session_request", {"session_id": session_id + "-other"})

    async with aiohttp.ClientSession() as http:
        # ---- Q1: customData / metadata and buttons over socket.io
        show("Q1 bot_uttered after 'hej'", await say("hej"))
        show("Q1 bot_uttered after complaint (expect buttons)", await say("jag vill reklamera ett paket, det kom trasigt"))
        async with http.post(f"{base}/conversations/{session_id}/execute",
                             params={**token, "output_channel": "latest"},
                             json={"name": "utter_ask_complaint_type"}) as r:
            show("Q1 POST /execute utter_ask_complaint_type (a response with buttons) -> status", r.status)
        show("Q1 bot_uttered for a response with buttons", await collect(args.wait))
        tr = await tracker(http)
        show("Q1 tracker.latest_message.metadata", tr["latest_message"].get("metadata"))
        show("Q1 tracker latest_input_channel", tr.get("latest_input_channel"))
        show("Q1 tracker slot language", tr["slots"].get("language"))

        # ---- Q2: pause
        async with http.post(f"{base}/conversations/{session_id}/tracker/events", params=token,
                             json={"event": "pause"}) as r:
            show("Q2 POST pause -> status, paused", [r.status, (await r.json()).get("paused")])
        n_before = len((await tracker(http))["events"])
        show("Q2 bot_uttered while paused (expect none)", await say("hallå? är det någon där"))
        tr = await tracker(http)
        new = tr["events"][n_before:]
        show("Q2 events added while paused", [{k: e.get(k) for k in ("event", "text", "name", "timestamp", "input_channel")} for e in new])
        show("Q2 tracker.paused", tr.get("paused"))

        # ---- Q3: agent message to the customer
        agent_evt = {"event": "bot", "text": "Hei, jeg heter Kari og hjelper deg videre.",
                     "metadata": {"agent": "Kari"}, "timestamp": time.time()}
        async with http.post(f"{base}/conversations/{session_id}/tracker/events",
                             params={**token, "output_channel": "latest"}, json=agent_evt) as r:
            show("Q3a POST bot event ?output_channel=latest -> status", r.status)
        show("Q3a socket received", await collect(args.wait))

        agent_evt["text"] = "Melding 2 fra Kari (execute_side_effects=true)."
        agent_evt["timestamp"] = time.time()
        async with http.post(f"{base}/conversations/{session_id}/tracker/events",
                             params={**token, "output_channel": "latest", "execute_side_effects": "true"},
                             json=agent_evt) as r:
            show("Q3b POST bot event ?output_channel=latest&execute_side_effects=true -> status", r.status)
        show("Q3b socket received", await collect(args.wait))

        custom_evt = {"event": "bot", "text": None, "timestamp": time.time(),
                      "data": {"custom": {"data": {"text": "Melding 3 fra Kari (custom)", "agent": "Kari"}}},
                      "metadata": {"agent": "Kari"}}
        async with http.post(f"{base}/conversations/{session_id}/tracker/events",
                             params={**token, "output_channel": "latest", "execute_side_effects": "true"},
                             json=custom_evt) as r:
            show("Q3c POST bot event with data.custom ... execute_side_effects=true -> status", r.status)
        show("Q3c socket received", await collect(args.wait))

        async with http.post(f"{base}/conversations/{session_id}/execute",
                             params={**token, "output_channel": "latest"},
                             json={"name": "utter_handoff_not_connected"}) as r:
            body = await r.json()
            show("Q3d POST /execute utter_handoff_not_connected ?output_channel=latest -> status, keys",
                 [r.status, list(body)])
        show("Q3d socket received", await collect(args.wait))

        tr = await tracker(http)
        show("Q3 bot events in tracker after the pushes",
             [{k: e.get(k) for k in ("event", "text", "metadata", "data", "timestamp")} for e in tr["events"] if e["event"] == "bot"][-4:])

        # ---- Q2 resume
        async with http.post(f"{base}/conversations/{session_id}/tracker/events", params=token,
                             json={"event": "resume"}) as r:
            show("Q2 POST resume -> status, paused", [r.status, (await r.json()).get("paused")])
        show("Q2 bot_uttered after resume", await say("hej igen"))

        # ---- Q4: transcript shape and auth
        async with http.get(f"{base}/conversations/{session_id}/tracker") as r:
            show("Q4 GET tracker WITHOUT token -> status", [r.status, (await r.text())[:200]])
        async with http.get(f"{base}/conversations/{session_id}/tracker",
                            headers={"Authorization": "Bearer spike-token"}) as r:
            show("Q4 GET tracker with 'Authorization: Bearer' header (no ?token) -> status", r.status)
        tr = await tracker(http)
        show("Q4 tracker top-level keys", sorted(tr))
        show("Q4 transcript (user/bot events)",
             [{k: e.get(k) for k in ("event", "timestamp", "text", "metadata", "input_channel", "data")}
              for e in tr["events"] if e["event"] in ("user", "bot")])
        show("Q4 all event types", [e["event"] for e in tr["events"]])
        show("Q4 one full user event", next(e for e in tr["events"] if e["event"] == "user"))
        show("Q4 one full bot event", next(e for e in tr["events"] if e["event"] == "bot"))
    await sio.disconnect()
    await bystander.disconnect()
    show("bystander (other session) received", bystander_got)
    show("ALL socket.io bot_uttered frames (t = seconds since connect)", received)


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, default=5606)
    p.add_argument("--token", default="spike-token")
    p.add_argument("--metadata-key", default="customData")
    p.add_argument("--wait", type=float, default=4.0)
    # aiohttp 3.9 (pinned by Rasa) lacks ClientWSTimeout that python-engineio 4.15's websocket client needs,
    # so the Python test client uses long-polling; browsers are not affected.
    p.add_argument("--transport", default="polling")
    asyncio.run(main(p.parse_args()))

"""Spike: an agent message pushed while the customer's socket is gone, and after a reconnect.

Against the patched channel (credentials-fixed-socketio.yml):
    /work/main/.venv/bin/python docs/spikes/spike_reconnect.py --port 5606
"""
import argparse, asyncio, json, time, uuid

import aiohttp
import socketio


async def client(base, session_id, got):
    sio = socketio.AsyncClient()
    sio.on("bot_uttered", lambda *d: got.append(list(d)))
    done = asyncio.Event()
    sio.on("session_confirm", lambda *_: done.set())
    await sio.connect(base, transports=["polling"])
    await sio.emit("session_request", {"session_id": session_id})
    await asyncio.wait_for(done.wait(), 10)
    return sio


async def push(http, base, session_id, text):
    async with http.post(f"{base}/conversations/{session_id}/tracker/events",
                         params={"token": "spike-token", "output_channel": "latest", "execute_side_effects": "true"},
                         json={"event": "bot", "text": text, "metadata": {"agent": "Kari"}, "timestamp": time.time()}) as r:
        return r.status


async def main(port):
    base, sid = f"http://localhost:{port}", "spike-rc-" + uuid.uuid4().hex[:6]
    out = {}
    async with aiohttp.ClientSession() as http:
        first: list = []
        a = await client(base, sid, first)
        await a.emit("user_uttered", {"message": "hej", "session_id": sid, "customData": {"language": "sv"}})
        await asyncio.sleep(3)
        await a.disconnect()
        out["first socket received"] = first
        out["push while no socket is connected -> status"] = await push(http, base, sid, "Kari: melding mens kunden var borte")
        second: list = []
        b = await client(base, sid, second)  # same session_id, new socket
        await asyncio.sleep(1)
        out["second socket received right after reconnect (no replay?)"] = list(second)
        out["push after reconnect -> status"] = await push(http, base, sid, "Kari: melding etter gjenoppkobling")
        await asyncio.sleep(2)
        out["second socket received in total"] = second
        await b.disconnect()
        async with http.get(f"{base}/conversations/{sid}/tracker", params={"token": "spike-token"}) as r:
            tr = await r.json()
        out["transcript in tracker"] = [[e["event"], e.get("text")] for e in tr["events"] if e["event"] in ("user", "bot")]
    print(json.dumps(out, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    p = argparse.ArgumentParser(); p.add_argument("--port", type=int, default=5606)
    asyncio.run(main(p.parse_args().port))

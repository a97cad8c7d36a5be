#!/usr/bin/env python3
"""A Fetchbus client over the TCP event-bus bridge, in plain Python 3 (standard library only).

The bridge is off unless Fetchbus runs with FETCHBUS_BRIDGE_PORT set. Then:

    # submit a job and print its progress until it ends
    python3 examples/bridge_client.py --port 7001 submit https://example.org/ https://example.com/

    # follow a job that is already running
    python3 examples/bridge_client.py --port 7001 watch 0b6f2c1e-8a43-4c3e-9d51-5f7a0e2b9c10

    # cancel a job
    python3 examples/bridge_client.py --port 7001 cancel 0b6f2c1e-8a43-4c3e-9d51-5f7a0e2b9c10

When Fetchbus has API tokens (FETCHBUS_API_TOKENS), pass one with --token or FETCHBUS_API_TOKEN.

Output: "submitted <id>" once a job is stored, then one "progress <json>" line per progress event, the last
one with "final": true; "completed" never goes down from one line to the next. A cancel prints
"cancelled <json>". Errors go to stderr and the exit code is 1.

The wire protocol (Vert.x TCP event-bus bridge): every frame, both ways, is a 4-byte big-endian length followed
by that many bytes of UTF-8 JSON. A client sends
    {"type": "send", "address": ..., "body": {...}, "headers": {...}, "replyAddress": ...}   (a request)
    {"type": "register", "address": ..., "headers": {...}}                                  (subscribe)
    {"type": "ping"}
and receives
    {"type": "message", "address": ..., "body": {...}}   (a reply: address = our replyAddress; or an event)
    {"type": "err", "message": ..., "failureCode"?: ...} (a refused frame, or a failed request)
    {"type": "pong"}
The addresses and bodies are documented in docs/eventbus.yaml.
"""

import argparse
import json
import os
import socket
import struct
import sys
import uuid

SUBMIT = "fetchbus.jobs.submit"
CANCEL = "fetchbus.fetch.jobs.cancel"
GET = "fetchbus.store.jobs.get"
EVENTS = "fetchbus.events.job."
FINISHED = ("done", "cancelled", "failed")
PING_EVERY_S = 30  # well inside the bridge's idle timeout (bridge.idleTimeoutSeconds)


class BridgeError(Exception):
    """The bridge refused a frame, or a request failed (the Fetchbus failure code is in the message)."""


class Bridge:
    """One connection to the bridge. Not thread-safe; one request at a time is enough for a command-line client."""

    def __init__(self, host, port, token=None):
        self.sock = socket.create_connection((host, port), timeout=10)
        self.sock.settimeout(PING_EVERY_S)
        self.token = token

    def close(self):
        self.sock.close()

    def _headers(self):
        return {"token": self.token} if self.token else {}

    def _write(self, frame):
        data = json.dumps(frame).encode("utf-8")
        self.sock.sendall(struct.pack(">I", len(data)) + data)

    def _read_exactly(self, n):
        chunks = []
        while n > 0:
            try:
                chunk = self.sock.recv(n)
            except socket.timeout:
                self._write({"type": "ping"})  # quiet for a while: keep the connection from idling out
                continue
            if not chunk:
                raise BridgeError("the bridge closed the connection")
            chunks.append(chunk)
            n -= len(chunk)
        return b"".join(chunks)

    def read(self):
        """The next frame from the bridge, pongs skipped; an "err" frame raises BridgeError."""
        while True:
            (length,) = struct.unpack(">I", self._read_exactly(4))
            frame = json.loads(self._read_exactly(length).decode("utf-8"))
            if frame.get("type") == "pong":
                continue
            if frame.get("type") == "err":
                code = frame.get("failureCode")
                raise BridgeError(frame.get("message") + ("" if code is None else " (failure code %d)" % code))
            return frame

    def request(self, address, body, on_other=None):
        """Sends a request and returns the reply's body; frames for other addresses go to on_other meanwhile."""
        reply_to = "reply." + str(uuid.uuid4())
        self._write({"type": "send", "address": address, "body": body, "headers": self._headers(),
                     "replyAddress": reply_to})
        while True:
            frame = self.read()
            if frame.get("address") == reply_to:
                return frame.get("body")
            if on_other:
                on_other(frame)

    def register(self, address):
        """Subscribes to an address. The bridge does not acknowledge it; frames are handled in order, though,
        so a request sent afterwards is handled after the subscription exists."""
        self._write({"type": "register", "address": address, "headers": self._headers()})


class ProgressPrinter:
    """Prints progress lines that never go backwards. The stored job (the reply to a read) can arrive after newer
    live events, and live counts run ahead of stored ones (they include results not yet stored), so a line whose
    "completed" is below one already printed is dropped, and so is anything after the final line."""

    def __init__(self):
        self.completed = -1
        self.final = False

    def show(self, event):
        if self.final or event["completed"] < self.completed:
            return
        self.completed = event["completed"]
        self.final = bool(event.get("final"))
        print("progress " + json.dumps(event, sort_keys=True), flush=True)


def watch(bridge, job_id):
    """Prints the job's progress until its final event; a job that has already ended prints its final state."""
    printer = ProgressPrinter()

    def on_event(frame):
        if frame.get("address") == EVENTS + job_id:
            printer.show(frame["body"])

    bridge.register(EVENTS + job_id)
    # Subscribed first, then asked: the job cannot end unseen in between (it may end before either).
    printer.show(as_progress(bridge.request(GET, {"id": job_id}, on_other=on_event)))
    while not printer.final:
        on_event(bridge.read())


def as_progress(job):
    """A stored job in the shape of a progress event (no live byte count or rate)."""
    return {"id": job["id"], "status": job["status"], "total": job["total"], "completed": job["completed"],
            "succeeded": job["succeeded"], "failed": job["failed"], "bytes": 0, "perSecond": 0.0,
            "final": job["status"] in FINISHED}


def main(argv):
    parser = argparse.ArgumentParser(description="Submit, watch or cancel Fetchbus jobs over the TCP bridge.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True, help="the bridge port (FETCHBUS_BRIDGE_PORT)")
    parser.add_argument("--token", default=os.environ.get("FETCHBUS_API_TOKEN"),
                        help="an API token (default: $FETCHBUS_API_TOKEN)")
    commands = parser.add_subparsers(dest="command", required=True)
    submit = commands.add_parser("submit", help="submit a job and print its progress until it ends")
    submit.add_argument("urls", nargs="+")
    submit.add_argument("--concurrency", type=int)
    submit.add_argument("--per-host", type=int)
    submit.add_argument("--idempotency-key")
    commands.add_parser("watch", help="print a job's progress until it ends").add_argument("id")
    commands.add_parser("cancel", help="cancel a job").add_argument("id")
    args = parser.parse_args(argv)

    bridge = Bridge(args.host, args.port, args.token)
    try:
        if args.command == "submit":
            job = {"urls": args.urls}
            if args.concurrency is not None:
                job["concurrency"] = args.concurrency
            if args.per_host is not None:
                job["perHost"] = args.per_host
            if args.idempotency_key:
                job["idempotencyKey"] = args.idempotency_key
            submitted = bridge.request(SUBMIT, job)
            print("submitted " + submitted["id"], flush=True)
            watch(bridge, submitted["id"])
        elif args.command == "watch":
            watch(bridge, args.id)
        else:
            print("cancelled " + json.dumps(bridge.request(CANCEL, {"id": args.id}), sort_keys=True), flush=True)
    except BridgeError as e:
        print("error: %s" % e, file=sys.stderr, flush=True)
        return 1
    finally:
        bridge.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

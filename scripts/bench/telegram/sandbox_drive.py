#!/usr/bin/env python3
"""Drives the sandbox (issue 12's fake Bot API server) through its control endpoints (docs/sandbox.md, "Control API":
POST /sandbox/say, GET /sandbox/report, GET /sandbox/calls) for the benchmarks of scripts/bench/telegram/. The figures
are the sandbox's own (its /sandbox/report: a user message is answered by the bot's reply in that chat; latency from
the message's injection to the reply's arrival), so both bots are judged by the same clock and the same rule.

  await-polled --api URL [--deadline 300] BOT_ID...
      returns once every bot has called getUpdates (it is started and idle), or fails naming how many did.
  burst --api URL --bot ID --count M --chats C [--pause PID] [--drain 30] [--cpu PID,…] [--cpu-comm NAME]
      with PID stopped (SIGSTOP) so that nothing is consumed meanwhile, queues M messages over C chats, resumes PID
      (SIGCONT), waits until every one is answered (or nothing more is answered for DRAIN s) and prints sent,
      answered, duplicates, seconds (resume -> last reply) and per_second; with --cpu (and --cpu-comm: every
      process of that name, e.g. postgres), also cpu_ms_per_reply: the CPU time (user + system) those processes
      spent from the resume to the end of the wait, per reply. (A steady load is the sandbox's own
      driver, 'botvisor sandbox load'.)
Every request is bounded (10 s); every wait has a deadline. Bench tokens only: no token passes through here.
"""
import argparse
import http.client
import json
import os
import signal
import sys
import time
import urllib.parse


class Sandbox:
    """One keep-alive connection to the sandbox; reconnects once on a dropped connection."""

    def __init__(self, api):
        u = urllib.parse.urlsplit(api)
        if u.scheme != "http" or not u.hostname:
            sys.exit(f"sandbox_drive.py: --api \"{api}\" is not an http://HOST:PORT URL")
        self.host, self.port = u.hostname, u.port or 80
        self.conn = None
        self.run, self.said = f"drive-{os.getpid()}-{time.time_ns()}", 0

    def call(self, method, path, params=None):
        body = json.dumps(params).encode() if params is not None else None
        for attempt in (1, 2):
            try:
                if self.conn is None:
                    self.conn = http.client.HTTPConnection(self.host, self.port, timeout=10)
                headers = {"Content-Type": "application/json"} if body is not None else {}
                self.conn.request(method, path, body=body, headers=headers)
                resp = self.conn.getresponse()
                data = json.loads(resp.read() or b"null")
                break
            except (ConnectionError, http.client.HTTPException, OSError):
                self.conn = None
                if attempt == 2:
                    raise
        if not isinstance(data, dict) or not data.get("ok"):
            sys.exit(f"sandbox_drive.py: {method} {path} answered {data}")
        return data["result"]

    def say(self, bot, chat, text):
        # The key makes call()'s retry on a dropped connection safe: the sandbox says a keyed message once.
        self.said += 1
        return self.call("POST", "/sandbox/say", {"bot": bot, "chat": chat, "text": text,
                                                  "key": f"{self.run}-{self.said}"})

    def report(self, bot, since_ms):
        return self.call("GET", f"/sandbox/report?bots={bot}&since={since_ms}")


def now_ms():
    return int(time.time() * 1000)


def drain(sb, bot, since_ms, expect, quiet_s):
    """Waits until `expect` messages are answered, or nothing more is answered for quiet_s; the last report."""
    last, changed = None, time.monotonic()
    while True:
        r = sb.report(bot, since_ms)
        if last is None or r["answered"] != last["answered"] or r["duplicates"] != last["duplicates"]:
            changed = time.monotonic()
        last = r
        if r["answered"] >= expect and time.monotonic() - changed >= 0.5:
            return r  # half a second more to see duplicates that follow the last answer
        if time.monotonic() - changed > quiet_s:
            return r
        time.sleep(0.1)


def await_polled(a):
    sb, want, seen, since = Sandbox(a.api), {int(b) for b in a.bots}, set(), 0
    deadline = time.monotonic() + a.deadline
    while True:
        for c in sb.call("GET", f"/sandbox/calls?since={since}"):
            since = max(since, c["seq"])
            if c["method"] == "getUpdates":
                seen.add(c["botId"])
        if want <= seen:
            return
        if time.monotonic() > deadline:
            sys.exit(f"sandbox_drive.py: {len(want & seen)} of {len(want)} bots polled the sandbox within "
                     f"{a.deadline:.0f} s")
        time.sleep(0.5)


def cpu_ticks(pids, comm):
    """utime + stime of the given pids and of every process named comm, in clock ticks (missing ones count 0)."""
    want = set(pids)
    if comm:
        for d in os.listdir("/proc"):
            if d.isdigit():
                try:
                    with open(f"/proc/{d}/comm") as f:
                        if f.read().strip() == comm:
                            want.add(int(d))
                except OSError:
                    pass
    total = 0
    for pid in want:
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
        except (OSError, IndexError, ValueError):
            pass
    return total


def burst(a):
    sb = Sandbox(a.api)
    since = now_ms()
    # botvisor's supervisor kills a child it finds stopped (state T) in two samples in a row (1-2 s): keep M small
    # enough that the queueing (one connection: ~2,000 a second here; more connections were slower) ends well before.
    sb.call("GET", "/sandbox/faults")  # the connection is open before the pause (a read: no message, no reply)
    since = now_ms()
    if a.pause:
        os.kill(a.pause, signal.SIGSTOP)
    try:
        t = time.monotonic()
        for i in range(a.count):
            sb.say(a.bot, 1 + i % a.chats, f"b{i}")
        inject_s = time.monotonic() - t
    finally:
        if a.pause:
            try:
                os.kill(a.pause, signal.SIGCONT)
            except ProcessLookupError:
                sys.exit(f"sandbox_drive.py: the paused bot (pid {a.pause}) is gone: its supervisor may have killed it "
                         f"while stopped (queueing {a.count} messages took {time.monotonic() - t:.2f} s; try fewer)")
    go = now_ms()
    pids = [int(p) for p in a.cpu.split(",") if p] if a.cpu else []
    before = cpu_ticks(pids, a.cpu_comm)  # the processes that die meanwhile (a backend) are not counted: a lower bound
    r = drain(sb, a.bot, since, a.count, a.drain)
    used_ms = (cpu_ticks(pids, a.cpu_comm) - before) * 1000 / os.sysconf("SC_CLK_TCK")
    s = max(0.001, (r["lastReplyMillis"] - go) / 1000) if r["answered"] else 0
    cpu = f" cpu_ms_per_reply={used_ms / r['answered']:.3f}" if (pids or a.cpu_comm) and r["answered"] else ""
    print(f"sent={r['sent']} answered={r['answered']} duplicates={r['duplicates']} seconds={s:.3f} "
          f"per_second={r['answered'] / s if s else 0:.1f} queued_in_s={inject_s:.2f}{cpu}")


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("await-polled")
    p.add_argument("--api", required=True)
    p.add_argument("--deadline", type=float, default=300)
    p.add_argument("bots", nargs="+")
    p = sub.add_parser("burst")
    for name, kind in (("--api", str), ("--bot", int), ("--count", int), ("--chats", int)):
        p.add_argument(name, type=kind, required=True)
    p.add_argument("--pause", type=int)
    p.add_argument("--drain", type=float, default=30)
    p.add_argument("--cpu", default="")
    p.add_argument("--cpu-comm", default="")
    a = ap.parse_args()
    try:
        {"await-polled": await_polled, "burst": burst}[a.cmd](a)
    except (OSError, http.client.HTTPException) as e:
        sys.exit(f"sandbox_drive.py: cannot reach the sandbox at {a.api} ({e}); is it running?")


if __name__ == "__main__":
    main()

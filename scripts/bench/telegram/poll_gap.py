#!/usr/bin/env python3
"""The poll gaps of one bot in the sandbox's call record (GET /sandbox/calls, docs/sandbox.md): how long no process
polled the bot's token across each restart. A process that stops polling confirms what it recorded with a non-waiting
getUpdates (timeout 0); the gap is from that call's arrival to the arrival of the next getUpdates (the next process's
first poll). Also counts the 409s the sandbox answered (an abandoned poll of the old process, ended by the new one's
first poll, is one; two live pollers would make more).

  poll_gap.py --api URL --bot ID [--since SEQ]
prints: restarts=N max_gap_ms=G gaps_ms=g1,g2,... conflicts=K last_seq=S
"""
import argparse
import json
import sys
import urllib.request


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--api", required=True)
    ap.add_argument("--bot", required=True, type=int)
    ap.add_argument("--since", type=int, default=0)
    a = ap.parse_args()
    with urllib.request.urlopen(f"{a.api}/sandbox/calls?bot={a.bot}&since={a.since}", timeout=30) as r:
        data = json.load(r)
    if not data.get("ok"):
        sys.exit(f"poll_gap.py: /sandbox/calls answered {data}")
    calls = sorted((c for c in data["result"] if c["method"].lower() == "getupdates"), key=lambda c: c["seq"])
    gaps, conflicts = [], 0
    for i, c in enumerate(calls):
        if c["status"] == 409:
            conflicts += 1
        timeout = int((c.get("params") or {}).get("timeout", 0) or 0)
        if timeout == 0 and i + 1 < len(calls):
            gaps.append(calls[i + 1]["arrivedAtMillis"] - c["arrivedAtMillis"])
    last = max((c["seq"] for c in data["result"]), default=a.since)
    print(f"restarts={len(gaps)} max_gap_ms={max(gaps, default=0)} gaps_ms={','.join(map(str, gaps)) or '-'} "
          f"conflicts={conflicts} last_seq={last}")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Memory and idle CPU of a fleet of bots, from /proc, the way scripts/bench/fleet.sh measures them.

PSS is /proc/PID/smaps_rollup's Pss (shared pages divided among their sharers, so per-bot figures add up to the
whole); CPU is utime+stime from /proc/PID/stat over a window, as % of one core. Every root PID stands for its whole
process tree (children read from /proc/PID/task/*/children), so a bot that forks is counted whole.

Usage: fleet_measure.py --label NAME --bots PID,PID,... [--part NAME=PID]... [--aside NAME=PID]...
                        [--window 30] [--offset 15]...
  --bots   the bots' root processes (one each); per-bot PSS is the sum over the bot's tree.
  --part   something else the fleet needs (supervisor, database, PM2's daemon): its tree, less every process already
           claimed by the bots or an earlier --part, counted in the fleet's totals. Order matters: name the database
           before the supervisor that started it.
  --aside  measured and shown, but not in the fleet's totals (the fake Bot API server).
  --offset seconds after start at which a CPU window begins (several allowed; default 15).
Prints one line for people, then 'RESULT label=... key=value ...' for scripts.
"""
import argparse
import os
import statistics
import sys
import time

HZ = os.sysconf("SC_CLK_TCK")


def children(pid):
    kids = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as f:
                kids.extend(int(k) for k in f.read().split())
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        pass
    return kids


def tree(pid):
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        if p not in out:
            out.append(p)
            todo.extend(children(p))
    return out


def ticks(pid):
    """utime+stime of a live process, 0 for one gone (it may exit during the window: its share is then lost)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            s = f.read()
    except (FileNotFoundError, ProcessLookupError):
        return 0
    fields = s[s.rindex(")") + 2:].split()
    return int(fields[11]) + int(fields[12])


def pss_mb(pid):
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) / 1024
    except (FileNotFoundError, ProcessLookupError):
        pass
    return 0.0


def named(values):
    out = []
    for v in values:
        name, _, pid = v.partition("=")
        if not pid.isdigit():
            sys.exit(f"fleet_measure.py: \"{v}\" is not NAME=PID")
        out.append((name, int(pid)))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--label", required=True)
    ap.add_argument("--bots", required=True)
    ap.add_argument("--part", action="append", default=[])
    ap.add_argument("--aside", action="append", default=[])
    ap.add_argument("--window", type=float, default=30)
    ap.add_argument("--offset", type=float, action="append")
    a = ap.parse_args()
    offsets = a.offset or [15.0]
    roots = [int(p) for p in a.bots.split(",") if p]
    dead = [p for p in roots if not os.path.exists(f"/proc/{p}")]
    if dead:
        sys.exit(f"fleet_measure.py: {len(dead)} of {len(roots)} bots are not running (pids {dead[:5]}…)")
    t0 = time.time()

    def groups():
        """Bots' trees, then each part's tree less what is already claimed; re-read each time (backends come, go)."""
        claimed, bots, parts, aside = set(), [], [], []
        for r in roots:
            t = tree(r)
            claimed.update(t)
            bots.append(t)
        for name, pid in named(a.part):
            t = [p for p in tree(pid) if p not in claimed]
            claimed.update(t)
            parts.append((name, t))
        for name, pid in named(a.aside):
            aside.append((name, [p for p in tree(pid) if p not in claimed]))
        return bots, parts, aside

    cpu = []
    for off in offsets:
        time.sleep(max(0.0, t0 + off - time.time()))
        bots, parts, aside = groups()
        allp = {p for t in bots for p in t} | {p for _, t in parts for p in t} | {p for _, t in aside for p in t}
        c0, w0 = {p: ticks(p) for p in allp}, time.time()
        time.sleep(a.window)
        w1 = time.time()
        # Processes born during the window count from 0; those gone count nothing (their last ticks are lost).
        bots1, parts1, aside1 = groups()
        allp1 = {p for t in bots1 for p in t} | {p for _, t in parts1 for p in t} | {p for _, t in aside1 for p in t}
        c1 = {p: ticks(p) for p in allp1}

        def pct(pids):
            return 100 * sum(max(0, c1.get(p, 0) - c0.get(p, 0)) for p in pids) / HZ / (w1 - w0)

        row = {"bots": pct({p for t in bots1 for p in t})}
        for name, t in parts1:
            row[name] = pct(t)
        row["fleet"] = sum(row.values())
        for name, t in aside1:
            row[name + "(aside)"] = pct(t)
        cpu.append((off, row))

    bots, parts, aside = groups()
    per_bot = [sum(pss_mb(p) for p in t) for t in bots]
    part_mb = {name: sum(pss_mb(p) for p in t) for name, t in parts}
    aside_mb = {name: sum(pss_mb(p) for p in t) for name, t in aside}
    total = sum(per_bot) + sum(part_mb.values())
    n = len(roots)
    mem = (f"PSS per bot median {statistics.median(per_bot):.1f} MB (min {min(per_bot):.1f}, max {max(per_bot):.1f}); "
           + "".join(f"{k} {v:.0f} MB; " for k, v in part_mb.items())
           + f"fleet total {total:.0f} MB = {total / n:.1f} MB per bot all-in"
           + "".join(f"; {k} {v:.0f} MB (not counted)" for k, v in aside_mb.items()))
    cpus = "; ".join(f"t+{off:.0f}s " + ", ".join(f"{k} {v:.2f} %" for k, v in row.items()) for off, row in cpu)
    print(f"{a.label}: {n} bots: {mem}. Idle CPU over {a.window:.0f} s windows (% of one core): {cpus}")
    kv = {"bots": n, "pss_median_mb": f"{statistics.median(per_bot):.1f}", "pss_all_in_mb": f"{total / n:.1f}",
          "pss_total_mb": f"{total:.0f}"}
    for k, v in part_mb.items():
        kv[f"pss_{k}_mb"] = f"{v:.0f}"
    for off, row in cpu:
        kv[f"cpu_fleet_t{off:.0f}"] = f"{row['fleet']:.2f}"
        kv[f"cpu_bots_t{off:.0f}"] = f"{row['bots']:.2f}"
    print("RESULT label=" + a.label + " " + " ".join(f"{k}={v}" for k, v in kv.items()))


if __name__ == "__main__":
    main()

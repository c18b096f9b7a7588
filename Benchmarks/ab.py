#!/usr/bin/env python3
"""A/B of two sentineld builds on one machine: CPU time per request and p50 latency, interleaved.

    .venv/bin/python Benchmarks/ab.py --base DIR --current DIR [--method call|list] [--era handshake,modern] [--rounds 6]

DIR holds `sentineld` and `sentinelctl` (e.g. a release build of another commit, from a git worktree). Both
daemons sit in front of one fast upstream (`--no-auth` endpoint, concurrency 1): `call` is tools/call echo, `list`
is tools/list of 500 enabled tools (one ~100 KB result, no upstream traffic); each round runs
the load generator against each in turn (the order alternates), and reads the daemon's user+system CPU time from
/proc before and after. CPU per request is the figure to compare on a busy machine: latency moves with whatever
else runs, the work a request costs much less. Prints the medians and the current/base ratios.
"""

import argparse
import os
import statistics
import tempfile
from pathlib import Path

import bench


def cpu_seconds(pid):
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


LIST_TOOLS = 499  # plus echo: 500


def sentinel(work, build, upstream, method):
    bench.SENTINELD, bench.SENTINELCTL = Path(build) / "sentineld", Path(build) / "sentinelctl"
    daemon = bench.Sentinel(work)
    daemon.ctl("server", "add", "fast", "--url", upstream.url)
    daemon.ctl("endpoint", "create", "bench", "--no-auth", "--server", "fast")
    tools = ["fast/echo"] + ([f"fast/fast_tool_{i}" for i in range(LIST_TOOLS)] if method == "list" else [])
    daemon.ctl("endpoint", "enable", "bench", *tools)
    return daemon


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", required=True, help="directory with the baseline sentineld and sentinelctl")
    parser.add_argument("--current", default=str(bench.SENTINEL_BIN), help="directory of the build to judge")
    parser.add_argument("--method", choices=["call", "list"], default="call")
    parser.add_argument("--era", default="handshake,modern")
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--seconds", type=float, default=3.0, help="measured seconds per run")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="sentinel-ab-"))
    try:
        upstream = bench.Upstream(work, tools=LIST_TOOLS if args.method == "list" else 0)
        daemons = {name: sentinel(work, build, upstream, args.method)
                   for name, build in [("base", args.base), ("current", args.current)]}
        load = {"call": dict(method="tools/call", tool="fast__echo"), "list": dict(method="tools/list")}[args.method]
        for era in args.era.split(","):
            figures = {name: {"cpu_us": [], "p50_us": []} for name in daemons}
            for round_index in range(args.rounds):
                order = list(daemons.items())
                for name, daemon in order if round_index % 2 == 0 else reversed(order):
                    before = cpu_seconds(daemon.process.pid)
                    run = bench.load(daemon.url("bench"), era=era, duration=args.seconds, warmup=0.5, **load)
                    if run["errors"]:
                        raise RuntimeError(f"{name}: {run['errors']} errors: {run.get('first_error')}")
                    figures[name]["cpu_us"].append((cpu_seconds(daemon.process.pid) - before) * 1e6 / run["requests"])
                    figures[name]["p50_us"].append(run["p50_us"])
            medians = {name: {k: statistics.median(v) for k, v in f.items()} for name, f in figures.items()}
            base, current = medians["base"], medians["current"]
            print(f"{args.method} {era:>9}  CPU/request base {base['cpu_us']:.0f} µs, current {current['cpu_us']:.0f} µs "
                  f"(x{current['cpu_us'] / base['cpu_us']:.3f});  p50 base {base['p50_us']:.0f} µs, "
                  f"current {current['p50_us']:.0f} µs (x{current['p50_us'] / base['p50_us']:.3f})")
    finally:
        bench.stop_all()


if __name__ == "__main__":
    main()

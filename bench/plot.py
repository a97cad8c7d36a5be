#!/usr/bin/env python3
"""Renders a benchmark's CSV as an SVG chart (matplotlib; Debian's python3-matplotlib).

Usage: plot.py fetch-per-job CSV SVG   (CSV from bench/fetch-peers.sh: client,job,objects_per_s,cpu_s_per_1000)
"""
import csv
import sys
from collections import defaultdict

import matplotlib

matplotlib.use("svg")
import matplotlib.pyplot as plt  # noqa: E402

LABELS = {"fetchbus": "Fetchbus (one JVM, every result stored)", "go": "Go client (a process per job)",
          "aiohttp-uvloop": "aiohttp + uvloop (a process per job)"}


def fetch_per_job(rows, out):
    by_client = defaultdict(list)
    for row in rows:
        by_client[row["client"]].append((int(row["job"]), float(row["objects_per_s"]), float(row["cpu_s_per_1000"])))
    fig, (rate, cpu) = plt.subplots(1, 2, figsize=(11, 4.2))
    for client, points in by_client.items():
        points.sort()
        jobs = [p[0] for p in points]
        rate.plot(jobs, [p[1] for p in points], marker="o", label=LABELS.get(client, client))
        cpu.plot(jobs, [p[2] for p in points], marker="o", label=LABELS.get(client, client))
    rate.set(title="12,000 objects from nginx on loopback", xlabel="job number", ylabel="objects/s")
    cpu.set(title="CPU per 1,000 URLs (client process; Fetchbus: its JVM)", xlabel="job number",
            ylabel="CPU seconds")
    for axis in (rate, cpu):
        axis.grid(alpha=0.3)
        axis.set_ylim(bottom=0)
    rate.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(out, metadata={"Date": None})


if __name__ == "__main__":
    kind, source, target = sys.argv[1:4]
    with open(source) as f:
        {"fetch-per-job": fetch_per_job}[kind](list(csv.DictReader(f)), target)

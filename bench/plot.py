#!/usr/bin/env python3
"""Renders a benchmark's CSV as an SVG chart (matplotlib; Debian's python3-matplotlib).

Usage: plot.py fetch-per-job CSV SVG   (CSV from bench/fetch-peers.sh: client,job,objects_per_s,cpu_s_per_1000)
       plot.py cluster CSV SVG         (CSV from bench/cluster.sh: nodes,urls,job,objects_per_s,fetched_by)
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


def cluster(rows, out):
    by_size = defaultdict(lambda: defaultdict(list))
    for row in rows:
        by_size[int(row["urls"])][int(row["nodes"])].append(float(row["objects_per_s"]))
    sizes = sorted(by_size)
    fig, axis = plt.subplots(figsize=(7, 4))
    width = 0.38
    for offset, nodes in ((-width / 2, 1), (width / 2, 2)):
        axis.bar([i + offset for i in range(len(sizes))], [max(by_size[s][nodes], default=0) for s in sizes],
                 width, label="%d fetch node%s" % (nodes, "" if nodes == 1 else "s"))
    axis.set_xticks(range(len(sizes)), ["%s URLs" % format(s, ",") for s in sizes])
    axis.set(title="One job, one or two fetch nodes, 2-core machine (best of the runs)", ylabel="objects/s")
    axis.legend()
    axis.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    fig.savefig(out, metadata={"Date": None})


if __name__ == "__main__":
    kind, source, target = sys.argv[1:4]
    with open(source) as f:
        {"fetch-per-job": fetch_per_job, "cluster": cluster}[kind](list(csv.DictReader(f)), target)

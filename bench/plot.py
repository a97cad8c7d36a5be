#!/usr/bin/env python3
"""Renders a benchmark's CSV as an SVG chart (matplotlib; Debian's python3-matplotlib).

Usage: plot.py fetch-per-job CSV SVG   (CSV from bench/fetch-peers.sh: client,job,objects_per_s,cpu_s_per_1000)
       plot.py cluster CSV SVG         (CSV from bench/cluster.sh: nodes,urls,job,objects_per_s,fetched_by)
       plot.py hello CSV SVG           (CSV from bench/hello-peers.sh: scenario,server,rep,rps,p50_ms,p99_ms,...)
       plot.py upload-rss CSV SVG      (CSV from bench/upload.sh: seconds,phase,rss_kib)
"""
import csv
import statistics
import sys
from collections import defaultdict

import matplotlib

matplotlib.use("svg")
import matplotlib.pyplot as plt  # noqa: E402

LABELS = {"fetchbus": "Fetchbus (one JVM, every result stored)", "go": "Go client (a process per job)",
          "aiohttp-uvloop": "aiohttp + uvloop (a process per job)"}
SCENARIOS = {"S1": "no delay\n400 connections", "S2": "100 ms delay\n400 connections",
             "S3": "100 ms delay\n10,000 connections"}
SERVERS = {"fetchbus": "Fetchbus", "vertx-epoll": "bare Vert.x (epoll)", "vertx-nio": "bare Vert.x (NIO)",
           "go": "Go net/http", "aiohttp-uvloop": "aiohttp + uvloop", "aiohttp": "aiohttp", "node": "Node",
           "nginx": "nginx"}


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


def hello(rows, out):
    runs = defaultdict(list)
    for row in rows:
        runs[(row["scenario"], row["server"])].append(row)
    scenarios = sorted({s for s, _ in runs})
    servers = list(dict.fromkeys(row["server"] for row in rows))
    fig, (rate, p99) = plt.subplots(1, 2, figsize=(11, 4.2))
    width = 0.8 / len(servers)
    for k, server in enumerate(servers):
        xs = [i - 0.4 + width * (k + 0.5) for i in range(len(scenarios))]
        for axis, column in ((rate, "rps"), (p99, "p99_ms")):
            axis.bar(xs, [statistics.median(float(r[column]) for r in runs[(s, server)]) if runs[(s, server)] else 0
                          for s in scenarios], width, label=SERVERS.get(server, server))
    for axis, title, unit in ((rate, "GET /hello/Ada: throughput (median of runs)", "requests/s"),
                              (p99, "GET /hello/Ada: 99th percentile latency (median of runs)", "ms")):
        axis.set_xticks(range(len(scenarios)), [SCENARIOS.get(s, s) for s in scenarios], fontsize=8)
        axis.set(title=title, ylabel=unit)
        axis.title.set_fontsize(10)
        axis.grid(axis="y", alpha=0.3)
    rate.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(out, metadata={"Date": None})


def upload_rss(rows, out):
    fig, axis = plt.subplots(figsize=(9, 4))
    phases = defaultdict(list)
    for row in rows:
        phases[row["phase"]].append((float(row["seconds"]), int(row["rss_kib"]) / 1024))
    for phase, points in phases.items():
        axis.plot([p[0] for p in points], [p[1] for p in points], label=phase, linewidth=1.2)
    axis.set(title="Fetchbus JVM resident memory while 2 GiB bodies stream in (VmRSS every 0.1 s)",
             xlabel="seconds since the bench started", ylabel="MiB")
    axis.title.set_fontsize(10)
    axis.set_ylim(bottom=0)
    axis.grid(alpha=0.3)
    axis.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(out, metadata={"Date": None})


if __name__ == "__main__":
    kind, source, target = sys.argv[1:4]
    with open(source) as f:
        {"fetch-per-job": fetch_per_job, "cluster": cluster, "hello": hello, "upload-rss": upload_rss}[kind](list(csv.DictReader(f)), target)

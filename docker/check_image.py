#!/usr/bin/env python3
"""Checks the container image without a Docker engine: builds from exactly what the Dockerfile copies, then runs
the result as docker-compose.yml runs it, and asks it for work.

1. The build stage's COPY lines are copied into an empty directory and its RUN lines run there, in order (cache
   mounts dropped): a path the Dockerfile forgets to copy fails this build, as it would fail the image's.
2. A real PostgreSQL is started on loopback (Debian's server; installed when missing, as CI runs as root).
3. The jar starts as the entrypoint starts it (the flags file the build wrote, `-jar`), once with the compose
   file's `app` environment and once with its `fetcher` environment. Only what cannot hold outside Docker is
   changed: the database and cluster addresses become loopback, and the fetcher, on the same host, takes the next
   cluster port.
4. The image's HEALTHCHECK command is run until it passes; then a small job of loopback URLs is submitted to the
   app node, which has no fetcher of its own: it is done only if the fetch node joined the cluster and fetched it.
   The HEALTHCHECK must pass on the fetch node too (its management port), and its /metrics count the job.
5. Neither node may log Hazelcast's complaint about missing module openings (the manifest carries them).

Usage: python3 docker/check_image.py   (from anywhere; exit status 0 when the image would work)
"""
import glob
import http.server
import json
import os
import pwd
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TOKEN = "image-check-token"
MODULE_WARNING = "without proper access to required Java packages"


def log(message):
    print("check_image: " + message, flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def build_stage(dockerfile):
    """The instructions of the first stage, with continuation lines joined."""
    text = re.sub(r"\\\n", " ", open(dockerfile).read())
    stages = [[]]
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.upper().startswith("FROM ") and stages[-1]:
            stages.append([])
        stages[-1].append(line)
    return stages[0], stages[1] if len(stages) > 1 else []


def build(stage, into):
    for line in stage:
        word, _, rest = line.partition(" ")
        word = word.upper()
        if word == "COPY":
            args = [a for a in shlex.split(rest) if not a.startswith("--")]
            *sources, dest = args
            for source in sources:
                origin = os.path.join(ROOT, source)
                target = os.path.join(into, dest)
                if dest.endswith("/") or len(sources) > 1:
                    target = os.path.join(target, os.path.basename(source.rstrip("/")))
                if os.path.isdir(origin):
                    shutil.copytree(origin, target, ignore=shutil.ignore_patterns("target", "data"))
                else:
                    os.makedirs(os.path.dirname(target), exist_ok=True)
                    shutil.copy2(origin, target)
        elif word == "RUN":
            command = " ".join(a for a in rest.split(" ") if not a.startswith("--mount="))
            log("RUN " + command)
            subprocess.run(["sh", "-c", command], cwd=into, check=True)


def healthcheck_command(runtime, jar):
    for line in runtime:
        if line.upper().startswith("HEALTHCHECK"):
            command = json.loads(line[line.index("CMD") + 3:].strip())
            return [jar if part == "/app/fetchbus.jar" else part for part in command]
    raise SystemExit("the Dockerfile has no HEALTHCHECK")


class Postgres:
    """Debian's PostgreSQL server on a loopback port, in a directory of its own, run as the postgres user."""

    def __init__(self):
        if not glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"):
            log("installing Debian's postgresql")
            subprocess.run("apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql",
                           shell=True, check=True, stdout=subprocess.DEVNULL)
            # The package may start its default cluster: this check uses a server of its own.
            subprocess.run("pg_ctlcluster --force $(ls /usr/lib/postgresql | sort -n | tail -1) main stop",
                           shell=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.bin = sorted(glob.glob("/usr/lib/postgresql/*/bin"))[-1]
        self.dir = tempfile.mkdtemp(prefix="fetchbus-image-pg-")
        self.port = free_port()
        user = pwd.getpwnam("postgres")
        os.chown(self.dir, user.pw_uid, user.pw_gid)
        self.as_postgres([self.bin + "/initdb", "-D", self.dir + "/data", "-U", "fetchbus", "--auth=trust"])
        self.as_postgres([self.bin + "/pg_ctl", "-D", self.dir + "/data", "-l", self.dir + "/server.log", "-w",
                          "-o", "-p %d -k %s -c listen_addresses=127.0.0.1" % (self.port, self.dir), "start"])
        try:
            self.as_postgres([self.bin + "/createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "fetchbus",
                              "fetchbus"])
        except Exception:
            self.stop()
            raise

    def as_postgres(self, command):
        subprocess.run(["runuser", "-u", "postgres", "--"] + command, check=True, stdout=subprocess.DEVNULL)

    def stop(self):
        self.as_postgres([self.bin + "/pg_ctl", "-D", self.dir + "/data", "-m", "fast", "-w", "stop"])
        shutil.rmtree(self.dir, ignore_errors=True)


def compose_environment(service, overrides):
    compose = yaml.safe_load(open(os.path.join(ROOT, "docker-compose.yml")))
    env = {}
    for name, value in compose["services"][service]["environment"].items():
        # ${VAR:-default} and ${VAR:?message} as compose expands them, with the variable unset.
        value = re.sub(r"\$\{[A-Z_]+:-([^}]*)\}", r"\1", str(value))
        env[name] = re.sub(r"\$\{[A-Z_]+:\?[^}]*\}", TOKEN, value)
    env.update(overrides)
    return env


class Node:
    def __init__(self, name, jar, options, env, workdir):
        self.name = name
        self.log_path = os.path.join(workdir, name + ".log")
        full = dict(os.environ)
        full.update(env)
        # As the entrypoint does: java @/app/jvm.options ${JAVA_OPTS} -jar /app/fetchbus.jar
        self.process = subprocess.Popen(["java", "@" + options, "-jar", jar], env=full, cwd=workdir,
                                        stdout=open(self.log_path, "w"), stderr=subprocess.STDOUT)

    def output(self):
        return open(self.log_path, errors="replace").read()

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(60)
        except subprocess.TimeoutExpired:
            self.process.kill()


def origin():
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            body = ("page %s\n" % self.path).encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def api(port, method, path, body=None):
    request = urllib.request.Request("http://127.0.0.1:%d%s" % (port, path), method=method,
                                     data=json.dumps(body).encode() if body is not None else None,
                                     headers={"Authorization": "Bearer " + TOKEN,
                                              "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def wait_for(what, check, seconds, nodes):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for node in nodes:
            if node.process.poll() is not None:
                raise SystemExit("%s exited (%d) while waiting for %s:\n%s"
                                 % (node.name, node.process.returncode, what, node.output()[-4000:]))
        if check():
            return
        time.sleep(0.5)
    raise SystemExit("no %s within %d s" % (what, seconds))


def main():
    # A TERM (a CI timeout, say) ends the run through the finally blocks, which stop the nodes and the database.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit("check_image: terminated"))
    stage, runtime = build_stage(os.path.join(ROOT, "Dockerfile"))
    work = tempfile.mkdtemp(prefix="fetchbus-image-")
    src = os.path.join(work, "src")
    os.makedirs(src)
    log("building from the Dockerfile's COPY lines in " + src)
    build(stage, src)
    jar = os.path.join(src, "app", "target", "fetchbus.jar")
    options = os.path.join(src, "jvm.options")
    for path in (jar, options):
        if not os.path.isfile(path):
            raise SystemExit("the build stage did not produce " + path)
    data = os.path.join(work, "data")
    os.makedirs(data)
    pg = Postgres()
    site = origin()
    nodes = []
    try:
        http_port, app_cluster, fetcher_cluster = free_port(), free_port(), free_port()
        loopback = {"FETCHBUS_PG_URL": "postgresql://fetchbus@127.0.0.1:%d/fetchbus" % pg.port,
                    "FETCHBUS_CLUSTER_HOST": "127.0.0.1",
                    "FETCHBUS_CLUSTER_MEMBERS": "127.0.0.1:%d" % app_cluster,
                    "FETCHBUS_DATA_DIR": data,
                    "FETCHBUS_TCP_PORT": str(free_port()),
                    "FETCHBUS_BRIDGE_PORT": str(free_port())}
        app_env = compose_environment("app", dict(loopback, FETCHBUS_HTTP_PORT=str(http_port),
                                                  FETCHBUS_CLUSTER_PORT=str(app_cluster)))
        nodes.append(Node("app", jar, options, app_env, work))
        probe = healthcheck_command(runtime, jar)
        probe_env = dict(os.environ, **app_env)
        wait_for("healthy app (the image's HEALTHCHECK)",
                 lambda: subprocess.run(probe, env=probe_env, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL).returncode == 0, 180, nodes)
        log("app healthy")
        fetcher_management = free_port()
        fetcher_env = compose_environment("fetcher", dict(loopback, FETCHBUS_CLUSTER_PORT=str(fetcher_cluster),
                                                          FETCHBUS_MANAGEMENT_PORT=str(fetcher_management),
                                                          FETCHBUS_FETCH_ALLOW="127.0.0.0/8"))
        nodes.append(Node("fetcher", jar, options, fetcher_env, work))
        urls = ["http://127.0.0.1:%d/page/%d" % (site.server_address[1], n) for n in range(20)]
        job = api(http_port, "POST", "/api/jobs", {"urls": urls})["id"]
        wait_for("job done by the fetch node",
                 lambda: api(http_port, "GET", "/api/jobs/" + job)["status"] == "done", 120, nodes)
        view = api(http_port, "GET", "/api/jobs/" + job)
        if view["succeeded"] != len(urls):
            raise SystemExit("job ended %s, expected %d URLs ok" % (view, len(urls)))
        # The fetch node: healthy by the image's own check (on its management port), and its meters count the job.
        fetcher_probe_env = dict(os.environ, **fetcher_env)
        if subprocess.run(probe, env=fetcher_probe_env, stdout=subprocess.DEVNULL).returncode != 0:
            raise SystemExit("the image's HEALTHCHECK fails on the fetch node")
        with urllib.request.urlopen("http://127.0.0.1:%d/metrics" % fetcher_management, timeout=10) as response:
            scraped = response.read().decode()
        counted = re.search(r'fetchbus_results_total\{[^}]*outcome="ok"[^}]*\} (\S+)', scraped)
        if not counted or float(counted.group(1)) != len(urls):
            raise SystemExit("the fetch node's /metrics does not count the job's %d results: %s"
                             % (len(urls), counted.group(0) if counted else "no fetchbus_results_total"))
        for node in nodes:
            if MODULE_WARNING in node.output():
                raise SystemExit(node.name + " logged Hazelcast's missing module openings:\n" + node.output()[-3000:])
        log("job of %d URLs done by the fetch node, counted in its /metrics; both nodes healthy; no module warnings"
            % len(urls))
    finally:
        for node in reversed(nodes):
            node.stop()
        site.shutdown()
        pg.stop()
        shutil.rmtree(work, ignore_errors=True)
    log("ok")


if __name__ == "__main__":
    main()

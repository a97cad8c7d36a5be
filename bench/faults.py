#!/usr/bin/env python3
"""The fault suite: injects each fault into a real Fetchbus (the fat jar, its embedded PostgreSQL or a real external
one, real files, real sockets, all on 127.0.0.1) and records what the service did, how long it took to recover, how
many acknowledged results were lost and how many requests failed during the fault.

Usage: bench/faults.py [--jar app/target/fetchbus.jar] [--only NAME[,NAME...]] [--fuzz-requests N] [--write-docs]
Prints a Markdown table; --write-docs puts it into docs/reliability.md between its table markers.
Needs root (tmpfs mounts, the external server run as the postgres user), wrk, and Debian's postgresql server
binaries for the external-server row (bench/faults.sh installs them).
"""
import argparse
import glob
import hashlib
import http.client
import http.server
import json
import os
import random
import re
import resource
import shutil
import signal
import socket
import socketserver
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "bench", "out")


def body_of(n, size):
    """The bytes the origin serves for object n: fixed by n, so a stored SHA-256 can be checked."""
    return random.Random(n).randbytes(size)


def default_size(n):
    return 1024 + (n * 7919) % (7 * 1024)


class Origin:
    """An HTTP/1.1 origin on 127.0.0.1: /obj/<n>[?ms=<delay>][&size=<bytes>] answers body_of(n, size) after the delay."""

    def __init__(self):
        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self):
                url = urllib.parse.urlsplit(self.path)
                query = urllib.parse.parse_qs(url.query)
                parts = url.path.split("/")
                if len(parts) != 3 or parts[1] != "obj":
                    self.send_error(404)
                    return
                n = int(parts[2])
                if "ms" in query:
                    time.sleep(int(query["ms"][0]) / 1000)
                size = int(query["size"][0]) if "size" in query else default_size(n)
                data = body_of(n, size)
                self.send_response(200)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
            daemon_threads = True
            request_queue_size = 1024

            def handle_error(self, request, client_address):
                pass  # a fetch cancelled mid-body resets its connection: expected here, not worth a traceback

        self.server = Server(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def url(self, n, **query):
        suffix = "?" + urllib.parse.urlencode(query) if query else ""
        return "http://127.0.0.1:%d/obj/%d%s" % (self.port, n, suffix)

    def close(self):
        self.server.shutdown()


class NginxOrigin:
    """nginx on 127.0.0.1 serving /obj/<n> (the same bytes as Origin) for n < count: an origin that does not limit."""

    def __init__(self, count):
        self.root = tempfile.mkdtemp(prefix="fetchbus-fault-nginx-")
        os.makedirs(os.path.join(self.root, "obj"))
        for n in range(count):
            with open(os.path.join(self.root, "obj", str(n)), "wb") as f:
                f.write(body_of(n, default_size(n)))
        self.port = free_port()
        conf = os.path.join(self.root, "nginx.conf")
        with open(conf, "w") as f:
            f.write("worker_processes 1; daemon off; pid %(r)s/nginx.pid; error_log %(r)s/error.log warn;\n"
                    "events { worker_connections 10000; }\n"
                    "http { access_log off; keepalive_requests 1000000; client_body_temp_path %(r)s;"
                    " proxy_temp_path %(r)s; fastcgi_temp_path %(r)s; uwsgi_temp_path %(r)s; scgi_temp_path %(r)s;"
                    " server { listen 127.0.0.1:%(p)d; root %(r)s; location /obj/ { } } }\n" % {"r": self.root, "p": self.port})
        os.chmod(self.root, 0o755)
        self.proc = subprocess.Popen(["nginx", "-p", self.root, "-c", conf])
        wait_until(lambda: self._answers(), 10)

    def _answers(self):
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                return True
        except OSError:
            return False

    def url(self, n):
        return "http://127.0.0.1:%d/obj/%d" % (self.port, n)

    def close(self):
        self.proc.terminate()
        self.proc.wait()
        shutil.rmtree(self.root, ignore_errors=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Service:
    """The fat jar as a child process with its own data dir and ports."""

    def __init__(self, jar, data, env=None, name="service"):
        self.jar, self.data, self.name = jar, data, name
        self.port = free_port()
        self.env = dict(os.environ, FETCHBUS_DATA_DIR=data, FETCHBUS_HTTP_PORT=str(self.port), FETCHBUS_TCP_PORT="0",
                        FETCHBUS_FETCH_ALLOW="127.0.0.0/8", **(env or {}))
        self.proc = None
        self.retried_submits = 0
        self.log = os.path.join(OUT, "faults-%s.log" % name)

    def start(self, wait=True):
        log = open(self.log, "ab")
        self.proc = subprocess.Popen(["java", "@" + os.path.join(ROOT, "conf", "jvm.options"), "-jar", self.jar],
                                     env=self.env, stdout=log, stderr=subprocess.STDOUT, cwd=self.data)
        return self.wait_ready() if wait else None

    def wait_ready(self, timeout=180):
        t0 = time.monotonic()
        while time.monotonic() - t0 < timeout:
            if self.proc.poll() is not None:
                raise RuntimeError("%s exited with %s; see %s" % (self.name, self.proc.returncode, self.log))
            if self.ready():
                return time.monotonic() - t0
            time.sleep(0.05)
        raise RuntimeError("%s not ready in %d s; see %s" % (self.name, timeout, self.log))

    def ready(self):
        try:
            return self.request("GET", "/health/ready", timeout=2)[0] == 200
        except OSError:
            return False

    def request(self, method, path, body=None, headers=None, timeout=30):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            response = conn.getresponse()
            return response.status, dict(response.getheaders()), response.read()
        finally:
            conn.close()

    def submit(self, urls, **options):
        """Submits as a careful client does: with an Idempotency-Key, again after a 503 (as Retry-After says)."""
        headers = {"Content-Type": "application/json", "Idempotency-Key": "faults-%032x" % random.getrandbits(128)}
        payload = json.dumps(dict(options, urls=urls))
        for _ in range(20):
            try:
                status, answer_headers, body = self.request("POST", "/api/jobs", payload, headers)
            except OSError as e:
                status, answer_headers, body = None, {}, str(e).encode()
            if status in (200, 202):
                return json.loads(body)["id"]
            if status not in (None, 503):
                raise RuntimeError("submit: %s %s" % (status, body[:300]))
            self.retried_submits += 1
            time.sleep(float(answer_headers.get("Retry-After", "1")))
        raise RuntimeError("submit: still %s after 20 tries" % status)

    def job(self, job_id):
        status, _, body = self.request("GET", "/api/jobs/" + job_id, timeout=5)
        return json.loads(body) if status == 200 else None

    def wait_job(self, job_id, condition, timeout=300):
        t0 = time.monotonic()
        while time.monotonic() - t0 < timeout:
            try:
                job = self.job(job_id)
                if job and condition(job):
                    return job
            except OSError:
                pass
            time.sleep(0.1)
        raise RuntimeError("job %s: condition not met in %d s" % (job_id, timeout))

    def wait_end(self, job_id, timeout=300):
        return self.wait_job(job_id, lambda j: j["status"] in ("done", "cancelled", "failed"), timeout)

    def results(self, job_id):
        status, _, body = self.request("GET", "/api/jobs/%s/results" % job_id, timeout=120)
        if status != 200:
            raise RuntimeError("results: %d" % status)
        return [json.loads(line) for line in body.decode().splitlines() if line.strip()]

    def rss_kb(self):
        try:
            with open("/proc/%d/status" % self.proc.pid) as f:
                return int(re.search(r"VmRSS:\s+(\d+)", f.read()).group(1))
        except (OSError, AttributeError):
            return 0

    def kill9(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def term(self, timeout=60):
        self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(timeout)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.term()
        if self.proc and self.proc.poll() is None:
            self.proc.kill()

    def postmaster_pid(self):
        for pidfile in [os.path.join(self.data, "postgres", "postmaster.pid")] + glob.glob(
                "/var/lib/fetchbus/*/postgres/postmaster.pid"):
            try:
                with open(pidfile) as f:
                    pid = int(f.readline())
                with open("/proc/%d/cmdline" % pid, "rb") as f:
                    if os.path.realpath(os.path.dirname(pidfile)).encode() in f.read() or pidfile.startswith(self.data):
                        return pid
            except (OSError, ValueError):
                continue
        raise RuntimeError("no running postmaster found for " + self.data)


class Poller(threading.Thread):
    """Sends one request every interval until stopped; counts the answers that are not 2xx (or not answers)."""

    def __init__(self, service, path, interval=0.1):
        super().__init__(daemon=True)
        self.service, self.path, self.interval = service, path, interval
        self.ok = self.failed = 0
        self.running = True

    def run(self):
        while self.running:
            try:
                status = self.service.request("GET", self.path, timeout=5)[0]
                ok = 200 <= status < 300
            except OSError:
                ok = False
            if ok:
                self.ok += 1
            else:
                self.failed += 1
            time.sleep(self.interval)

    def stop(self):
        self.running = False
        self.join()


def snapshot(service, job_id):
    return {r["seq"]: (r["outcome"], r.get("sha256")) for r in service.results(job_id)}


def check_complete(service, job_id, total, before=None):
    """Exactly one result per URL; returns how many results seen before the fault are missing or changed."""
    results = service.results(job_id)
    seqs = [r["seq"] for r in results]
    if sorted(seqs) != list(range(total)):
        raise RuntimeError("job %s: %d results for %d URLs (%d distinct)" % (job_id, len(seqs), total, len(set(seqs))))
    now = {r["seq"]: (r["outcome"], r.get("sha256")) for r in results}
    return sum(1 for seq, value in (before or {}).items() if now.get(seq) != value)


def wait_until(condition, timeout, step=0.05):
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        if condition():
            return time.monotonic() - t0
        time.sleep(step)
    raise RuntimeError("condition not met in %d s" % timeout)


def slow_job(service, origin, count=5000, delay_ms=20, concurrency=20):
    urls = [origin.url(n, ms=delay_ms) for n in range(count)]
    return service.submit(urls, concurrency=concurrency, perHost=concurrency), count


def max_in_flight():
    with open(os.path.join(ROOT, "conf", "config.json")) as f:
        return json.load(f)["fetch"]["maxInFlight"]


def mount_tmpfs(path, size):
    os.makedirs(path, exist_ok=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=%s,mode=0777" % size, "tmpfs", path], check=True)
    return path


class Suite:
    def __init__(self, jar, fuzz_requests):
        self.jar, self.fuzz_requests = jar, fuzz_requests
        self.origin = Origin()
        self.rows = []
        self.services = []

    def new_dir(self, name):
        path = tempfile.mkdtemp(prefix="fetchbus-fault-%s-" % name)
        os.chmod(path, 0o755)  # as root the embedded cluster runs as nobody, who must reach it to keep it there
        return path

    def service(self, name, env=None):
        svc = Service(self.jar, self.new_dir(name), env, name)
        self.services.append(svc)
        return svc

    def stop_all(self):
        """After each scenario, whatever happened in it: no service outlives its scenario."""
        for svc in self.services:
            try:
                svc.stop()
            except Exception:
                svc.proc.kill()
        self.services = []

    def row(self, fault, behaviour, recover, lost, failed):
        self.rows.append((fault, behaviour, recover, str(lost), str(failed)))
        print("| %s | %s | %s | %s | %s |" % self.rows[-1], flush=True)

    def kill_service(self):
        svc = self.service("kill-service")
        svc.start()
        job_id, total = slow_job(svc, self.origin)
        svc.wait_job(job_id, lambda j: j["completed"] >= total * 0.4)
        before = snapshot(svc, job_id)
        t0 = time.monotonic()
        svc.kill9()
        svc.start()
        ready = time.monotonic() - t0
        svc.wait_end(job_id)
        done = time.monotonic() - t0
        lost = check_complete(svc, job_id, total, before)
        svc.stop()
        self.row("kill -9 of the service mid-job (5,000 URLs, at 40 %)",
                 "restarted by hand: the job resumed from its stored results and ended `done`, one result per URL",
                 "ready %.1f s after the kill (JVM start included); job done after %.1f s" % (ready, done), lost,
                 "all, while the process was down (no process to answer)")

    def mid_job_fault(self, svc, inject):
        """Injects a fault at 40 % of a slow job while a client reads the job every 100 ms; waits for readiness and
        the job's end. Returns (seconds from the fault to ready, results lost, the poller)."""
        job_id, total = slow_job(svc, self.origin)
        svc.wait_job(job_id, lambda j: j["completed"] >= total * 0.4)
        before = snapshot(svc, job_id)
        poller = Poller(svc, "/api/jobs/" + job_id)
        poller.start()
        t0 = time.monotonic()
        inject()
        wait_until(svc.ready, 60)
        recovered = time.monotonic() - t0
        svc.wait_end(job_id)
        poller.stop()
        return recovered, check_complete(svc, job_id, total, before), poller

    def kill_postmaster(self):
        svc = self.service("kill-postmaster")
        svc.start()

        def kill():
            os.kill(svc.postmaster_pid(), signal.SIGKILL)
            try:
                wait_until(lambda: not svc.ready(), 5)
            except RuntimeError:
                pass  # noticed and recovered between two probes

        recovered, lost, poller = self.mid_job_fault(svc, kill)
        svc.stop()
        self.row("kill -9 of the embedded postmaster mid-job",
                 "supervisor restarted PostgreSQL on the same data (WAL replayed), pool reconnected, job ended `done`",
                 "ready again %.1f s after the kill" % recovered, lost,
                 "%d of %d job reads (503 `unavailable` with Retry-After)" % (poller.failed, poller.ok + poller.failed))

    def external_restart(self):
        pg_bin = sorted(glob.glob("/usr/lib/postgresql/*/bin"))[-1]
        pgdata = self.new_dir("external-pg")
        shutil.chown(pgdata, "postgres")
        port = free_port()
        run_as = ["setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups"]
        subprocess.run(run_as + [pg_bin + "/initdb", "-D", pgdata + "/db", "-U", "fetchbus", "--auth=trust"],
                       check=True, stdout=subprocess.DEVNULL)
        pg_ctl = run_as + [pg_bin + "/pg_ctl", "-D", pgdata + "/db", "-l", pgdata + "/server.log", "-w",
                           "-o", "-p %d -k %s -c listen_addresses=127.0.0.1" % (port, pgdata)]
        subprocess.run(pg_ctl + ["start"], check=True, stdout=subprocess.DEVNULL)
        try:
            svc = self.service("external-pg", {"FETCHBUS_PG_URL": "postgresql://fetchbus@127.0.0.1:%d/postgres" % port})
            svc.start()
            took = []

            def restart():
                t0 = time.monotonic()
                subprocess.run(pg_ctl + ["restart", "-m", "fast"], check=True, stdout=subprocess.DEVNULL)
                took.append(time.monotonic() - t0)

            recovered, lost, poller = self.mid_job_fault(svc, restart)
            restarted = took[0]
            svc.stop()
        finally:
            subprocess.run(pg_ctl + ["stop", "-m", "immediate"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.row("restart of an external PostgreSQL (`pg_ctl restart -m fast`) mid-job",
                 "not restarted by Fetchbus: the pool reconnected once the server was back; job ended `done`",
                 "server down %.1f s; Fetchbus ready %.1f s after the restart began" % (restarted, recovered), lost,
                 "%d of %d job reads (503 `unavailable`)" % (poller.failed, poller.ok + poller.failed))

    def disk_full_upload(self):
        volume = mount_tmpfs(self.new_dir("upload-volume"), "64m")
        try:
            svc = self.service("disk-full-upload", {"FETCHBUS_UPLOAD_DIR": volume})
            svc.start()
            poller = Poller(svc, "/hello", 0.02)
            poller.start()
            size = 200 << 20
            conn = http.client.HTTPConnection("127.0.0.1", svc.port, timeout=60)
            chunk = os.urandom(1 << 20)
            t0 = time.monotonic()
            status = None
            try:
                conn.putrequest("POST", "/api/uploads")
                conn.putheader("Content-Length", str(size))
                conn.endheaders()
                for _ in range(size >> 20):
                    conn.send(chunk)
                status = conn.getresponse().status
            except OSError:
                try:
                    status = conn.getresponse().status
                except (OSError, http.client.HTTPException):
                    status = "no answer"
            answered = time.monotonic() - t0
            left = os.listdir(volume)
            small = svc.request("POST", "/api/uploads", os.urandom(1 << 20))[0]
            poller.stop()
            svc.stop()
        finally:
            subprocess.run(["umount", volume])
        self.row("disk full during a 200 MB upload (64 MB volume)",
                 "answered %s `insufficient-storage` after %.1f s; %d files left on the volume; a 1 MB upload next: %s"
                 % (status, answered, len(left), small), "at once", 0,
                 "%d of %d `/hello` requests" % (poller.failed, poller.ok + poller.failed))

    def disk_full_mirror(self):
        volume = mount_tmpfs(self.new_dir("mirror-volume"), "30m")
        try:
            svc = self.service("disk-full-mirror", {"FETCHBUS_MIRROR_DIR": volume})
            svc.start()
            total, size = 400, 100 * 1024
            job_id = svc.submit([self.origin.url(n, size=size) for n in range(total)], body="mirror", retries=0)
            job = svc.wait_end(job_id)
            results = svc.results(job_id)
            wrong = ok = 0
            for r in results:
                if r["outcome"] != "ok":
                    continue
                ok += 1
                path = os.path.join(volume, job_id, str(r["seq"]))
                try:
                    with open(path, "rb") as f:
                        data = f.read()
                    good = len(data) == r["bytes"] and hashlib.sha256(data).hexdigest() == r["sha256"]
                except OSError:
                    good = False
                wrong += 0 if good else 1
            partial = [f for f in os.listdir(os.path.join(volume, job_id)) if f.startswith(".")]
            check_complete(svc, job_id, total)
            svc.stop()
        finally:
            subprocess.run(["umount", volume])
        self.row("disk full during a mirror job (400 × 100 KiB onto 30 MB)",
                 "%d `ok` (each file on disk with the stored size and SHA-256: %d wrong), %d `storage_error` with no "
                 "file, %d partial files; the job view says `storageErrors: %d`"
                 % (ok, wrong, job["storageErrors"], len(partial), job["storageErrors"]),
                 "at once", wrong, "0 (no request failed)")

    def sigterm_under_load(self):
        svc = self.service("sigterm")
        svc.start()
        job_id, total = slow_job(svc, self.origin)
        svc.wait_job(job_id, lambda j: j["completed"] >= total * 0.2)
        term_at = [None]
        counts = {"before_ok": 0, "before_failed": 0}
        lock = threading.Lock()

        def client():
            conn = None
            while term_at[0] is None or time.monotonic() - term_at[0] < 1:
                started = time.monotonic()
                try:
                    conn = conn or http.client.HTTPConnection("127.0.0.1", svc.port, timeout=30)
                    conn.request("GET", "/hello/Ada?delay=200ms")
                    response = conn.getresponse()
                    response.read()
                    ok = response.status == 200
                    if response.getheader("Connection", "").lower() == "close":
                        conn.close()
                        conn = None
                except (OSError, http.client.HTTPException):
                    ok = False
                    conn = None
                if term_at[0] is None or started < term_at[0]:
                    with lock:
                        counts["before_ok" if ok else "before_failed"] += 1
                if not ok:
                    time.sleep(0.05)

        threads = [threading.Thread(target=client, daemon=True) for _ in range(200)]
        for t in threads:
            t.start()
        time.sleep(2)
        t0 = time.monotonic()
        term_at[0] = t0
        svc.proc.send_signal(signal.SIGTERM)
        code = svc.proc.wait(60)
        stopped = time.monotonic() - t0
        for t in threads:
            t.join(5)
        svc.start()
        svc.wait_end(job_id)
        check_complete(svc, job_id, total)
        svc.stop()
        self.row("SIGTERM under load (200 clients of `/hello?delay=200ms` and a running job)",
                 "readiness 503, servers drained, results stored, exit code %d; after a restart the job ended `done`"
                 % code, "stopped in %.1f s" % stopped, 0,
                 "%d of %d requests sent before the signal" % (counts["before_failed"],
                                                                counts["before_ok"] + counts["before_failed"]))

    def slowloris(self):
        svc = self.service("slowloris")
        svc.start()
        sockets = []
        for _ in range(2000):
            s = socket.create_connection(("127.0.0.1", svc.port))
            s.sendall(b"GET /hello HTTP/1.1\r\nHost: x\r\n")
            sockets.append(s)
        poller = Poller(svc, "/hello", 0.01)
        poller.start()
        t_end = time.monotonic() + 15
        while time.monotonic() < t_end:
            for s in sockets:
                try:
                    s.sendall(b"X-a: b\r\n")
                except OSError:
                    pass
            time.sleep(3)
        poller.stop()
        for s in sockets:
            s.close()
        svc.stop()
        self.row("slowloris: 2,000 connections sending a header line every 3 s for 15 s",
                 "each held by its event loop at no cost to others; `/hello` kept answering", "none needed", 0,
                 "%d of %d `/hello` requests" % (poller.failed, poller.ok + poller.failed))

    def cold_c10k(self):
        if not shutil.which("wrk"):
            raise RuntimeError("wrk is missing: apt-get install -y wrk")
        svc = self.service("c10k")
        ready = svc.start()
        out = subprocess.run(["wrk", "-t1", "-c10000", "-d15s", "--timeout", "2s",
                              "http://127.0.0.1:%d/hello/Ada?delay=100ms" % svc.port],
                             capture_output=True, text=True).stdout
        svc.stop()
        errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
        rate = re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)
        p = [int(x) for x in errors.groups()] if errors else [0, 0, 0, 0]
        self.row("10,000 connections at once on a cold server (first 15 s run, `?delay=100ms`)",
                 "%s req/s; socket errors: connect %d, read %d, write %d, timeout %d" % (rate, *p),
                 "ready (warm-up included) %.1f s after start" % ready, 0, "%d" % sum(p))

    def many_jobs(self):
        origin = NginxOrigin(2000) if shutil.which("nginx") else self.origin
        svc = self.service("many-jobs")
        svc.start()
        idle = svc.rss_kb()
        jobs = 50
        ids = [None] * jobs

        def submit(i):
            # 50 jobs × 64 would be 3,200 fetches: more than the fetcher-wide window, which must bound them all.
            ids[i] = svc.submit([origin.url(n) for n in range(2000)], concurrency=64, perHost=64)

        threads = [threading.Thread(target=submit, args=(i,)) for i in range(jobs)]
        t0 = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        peak = idle
        in_flight = 0
        while True:
            peak = max(peak, svc.rss_kb())
            status, _, body = svc.request("GET", "/admin/monitor", timeout=5)
            if status == 200:
                in_flight = max(in_flight, json.loads(body).get("fetch", {}).get("inFlight", 0))
            if all(svc.job(i)["status"] == "done" for i in ids):
                break
            time.sleep(0.2)
        took = time.monotonic() - t0
        for i in ids:
            check_complete(svc, i, 2000)
        svc.stop()
        if origin is not self.origin:
            origin.close()
        self.row("50 jobs of 2,000 URLs submitted at once",
                 "all `done`, one result per URL; RSS %d MiB idle, %d MiB at peak; at most %d fetches in flight "
                 "(seen %d), shared by all jobs" % (idle >> 10, peak >> 10, max_in_flight(), in_flight),
                 "all done in %.1f s" % took, 0, "%d submissions answered 503 and sent again" % svc.retried_submits)

    def fuzz(self):
        if not self.fuzz_requests:
            return
        out = subprocess.run(["./mvnw", "-o", "-B", "-pl", "app", "-am", "test", "-Dtest=ApiFuzzTest",
                              "-Dsurefire.failIfNoSpecifiedTests=false",
                              "-Dfetchbus.fuzz.requests=%d" % self.fuzz_requests],
                             cwd=ROOT, capture_output=True, text=True).stdout
        line = re.search(r"fuzz: .*", out)
        passed = "BUILD SUCCESS" in out
        self.row("API fuzz run (requests generated from docs/openapi.yaml, then mutated)",
                 (line.group(0) if line else "no summary line") + ("" if passed else "; THE TEST FAILED"),
                 "n/a", 0, "0 5xx" if passed else "see the test output")


SCENARIOS = ["kill_service", "kill_postmaster", "external_restart", "disk_full_upload", "disk_full_mirror",
             "sigterm_under_load", "slowloris", "cold_c10k", "many_jobs", "fuzz"]


def merged_rows(block, new_rows, stamp):
    """The table in the docs with the rows of the scenarios just run replaced (matched by their fault) and the
    others kept, so that one scenario can be measured again without the rest; the stamp lines say which rows came
    from which run."""
    lines = block.splitlines()
    old_rows = [l for l in lines if l.startswith("| ") and not l.startswith(("| fault injected", "| ---"))]
    fresh = {r[0]: "| %s | %s | %s | %s | %s |" % r for r in new_rows}
    kept = [l for l in old_rows if l.split(" | ")[0][2:] not in fresh]
    rows = [fresh.get(l.split(" | ")[0][2:], l) for l in old_rows]
    rows += [row for fault, row in fresh.items() if row not in rows]
    if not kept:
        return rows, [stamp]
    names = ", ".join(r[0].split(" (")[0] for r in new_rows)
    return rows, [l for l in lines if l.startswith("Measured ")] + [stamp.rstrip(".") + ", these rows: " + names + "."]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--jar", default=os.path.join(ROOT, "app", "target", "fetchbus.jar"))
    parser.add_argument("--only", default=",".join(SCENARIOS))
    parser.add_argument("--fuzz-requests", type=int, default=100_000)
    parser.add_argument("--write-docs", action="store_true")
    args = parser.parse_args()
    os.makedirs(OUT, exist_ok=True)
    hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    suite = Suite(os.path.abspath(args.jar), args.fuzz_requests)
    header = ["| fault injected | what the service did | time to recover | results lost | requests failed during the fault |",
              "| --- | --- | --- | --- | --- |"]
    print("\n".join(header), flush=True)
    failures = []
    for name in args.only.split(","):
        try:
            getattr(suite, name)()
        except Exception as e:  # one broken scenario must not hide the others' figures
            failures.append("%s: %s" % (name, e))
            print("| %s | FAILED: %s | | | |" % (name, e), flush=True)
        finally:
            suite.stop_all()
    table = "\n".join(header + ["| %s | %s | %s | %s | %s |" % r for r in suite.rows])
    stamp = "Measured %s on %s (%d cores), `bench/faults.sh`." % (
        time.strftime("%Y-%m-%d"), socket.gethostname() and os.uname().machine, os.cpu_count())
    with open(os.path.join(OUT, "faults.md"), "w") as f:
        f.write(stamp + "\n\n" + table + "\n")
    if args.write_docs and not failures:
        path = os.path.join(ROOT, "docs", "reliability.md")
        text = open(path).read()
        block = re.search(r"<!-- faults:begin -->\n(.*)<!-- faults:end -->", text, flags=re.S)
        rows, stamps = merged_rows(block.group(1) if block else "", suite.rows, stamp)
        text = re.sub(r"<!-- faults:begin -->.*<!-- faults:end -->",
                      lambda m: "<!-- faults:begin -->\n" + "\n".join(stamps) + "\n\n" + "\n".join(header + rows)
                      + "\n<!-- faults:end -->", text, flags=re.S)
        open(path, "w").write(text)
    suite.origin.close()
    if failures:
        print("\n".join(["failed:"] + failures), file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()

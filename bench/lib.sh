# Shared by the fetch benchmarks (sourced). Everything listens on 127.0.0.1 only.

# make_objects DIR COUNT: DIR/obj/00000.. of random bytes, sizes 1024..8192, fixed seed (the peers' workload
# definition, as ../shared/peers/run-fetch.sh makes it), with DIR/sizes.txt; kept while COUNT is unchanged.
make_objects() {
  if ! grep -qs "count=$2 " "$1/manifest.txt"; then
    python3 - "$1" "$2" <<'PY'
import os, random, sys
root, n, seed = sys.argv[1], int(sys.argv[2]), 20240601
rng = random.Random(seed); os.makedirs(os.path.join(root, "obj"), exist_ok=True); sizes = []
for i in range(n):
    size = rng.randint(1024, 8192)
    with open(os.path.join(root, "obj", "%05d" % i), "wb") as f: f.write(rng.randbytes(size))
    sizes.append(size)
open(os.path.join(root, "sizes.txt"), "w").write("\n".join(map(str, sizes)) + "\n")
open(os.path.join(root, "manifest.txt"), "w").write("count=%d seed=%d total_bytes=%d\n" % (n, seed, sum(sizes)))
PY
  fi
  chmod -R a+rX "$1"
}

# start_nginx ROOT PORT: nginx, one worker pinned to CPU 1, serving ROOT/obj/ with long keep-alive.
# Sets NGX (its prefix dir) and NGINX (its pid).
start_nginx() {
  NGX=$(mktemp -d /tmp/fetchbus-nginx.XXXX); mkdir -p "$NGX/tmp"
  cat > "$NGX/nginx.conf" <<CONF
worker_processes 1; daemon off; pid $NGX/nginx.pid; error_log $NGX/error.log warn; worker_rlimit_nofile 20000;
events { worker_connections 10000; use epoll; }
http { access_log off; sendfile on; tcp_nopush on; keepalive_requests 1000000; keepalive_timeout 65; disable_symlinks off;
  client_body_temp_path $NGX/tmp; proxy_temp_path $NGX/tmp; fastcgi_temp_path $NGX/tmp; uwsgi_temp_path $NGX/tmp; scgi_temp_path $NGX/tmp;
  server { listen 127.0.0.1:$2 backlog=4096; root $1; location /obj/ { } } }
CONF
  taskset -c 1 nginx -p "$NGX" -c "$NGX/nginx.conf" &
  NGINX=$!
}

# start_fetchbus JAR API_PORT LOG: the jar (JAVA_OPTS) pinned to CPU 0 with loopback fetching allowed, on a fresh
# data dir, waited for until ready. Sets DATA and SERVER.
start_fetchbus() {
  DATA=$(mktemp -d /tmp/fetchbus-bench.XXXX); chmod 755 "$DATA" # as root: the cluster stays in it, removed with it
  FETCHBUS_HTTP_PORT=$2 FETCHBUS_TCP_PORT=0 FETCHBUS_DATA_DIR=$DATA FETCHBUS_FETCH_ALLOW=127.0.0.0/8 \
    taskset -c 0 java $JAVA_OPTS -jar "$1" > "$3" 2>&1 &
  SERVER=$!
  for _ in $(seq 1 900); do curl -sf -o /dev/null "http://127.0.0.1:$2/health/ready" && return 0; sleep 0.1; done
  echo "Fetchbus did not become ready; see $3"; return 1
}

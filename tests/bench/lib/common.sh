# Shared by the benchmark scripts (sourced): the run's temp dir, processes started in the
# background and stopped on exit (by their own pids), free loopback ports, /proc readings,
# the peers' configuration files.
# shellcheck shell=bash

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
REPO_DIR="$(cd "$BENCH_DIR/../.." && pwd)"
FIXTURES="$REPO_DIR/tests/fixtures"
BOSH_FIXTURE_FILES=("$FIXTURES/bosh-01-anon-full-lifecycle.txt"
  "$FIXTURES/bosh-02-nameless-join-retransmit-reorder.txt"
  "$FIXTURES/bosh-04-lobby-breakout-kick-destroy.txt")
# shellcheck disable=SC2034 # used by the scripts that source this file (the wrk script's list)
BOSH_FIXTURES="$(IFS=:; echo "${BOSH_FIXTURE_FILES[*]}")"

die() { echo "error: $*" >&2; exit 2; }

# --- the run directory and its processes ---------------------------------------------------
BENCH_PIDS=()
bench_cleanup() {
  local pid
  for pid in "${BENCH_PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  sleep 0.3
  for pid in "${BENCH_PIDS[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
  [[ -n "${RUN_DIR:-}" && -z "${BENCH_KEEP:-}" ]] && rm -rf "$RUN_DIR"
}
bench_init() {
  RUN_DIR="$(mktemp -d -t boshtap-bench.XXXXXX)"
  chmod 755 "$RUN_DIR" # nginx workers drop root
  trap bench_cleanup EXIT
  trap 'exit 130' INT TERM
}

# start NAME CMD... : runs CMD in the background, output in $RUN_DIR/NAME.log; sets LAST_PID.
start() {
  local name="$1"; shift
  "$@" >"$RUN_DIR/$name.log" 2>&1 &
  LAST_PID=$!
  BENCH_PIDS+=("$LAST_PID")
}
stop() { # stop PID: TERM, wait up to 5 s, then KILL
  local pid="$1" i
  kill -TERM "$pid" 2>/dev/null || return 0
  for ((i = 0; i < 50; i++)); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
}

# free_ports N : N distinct free loopback ports, below the kernel's ephemeral range so that no
# outgoing connection (ours or anyone's on this machine) takes one before its server binds it.
free_ports() {
  python3 - "$1" <<'EOF'
import random, socket, sys
low = int(open("/proc/sys/net/ipv4/ip_local_port_range").read().split()[0])
socks = []
while len(socks) < int(sys.argv[1]):
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", random.randrange(10000, low)))
        socks.append(s)
    except OSError:
        s.close()
print(" ".join(str(s.getsockname()[1]) for s in socks))
EOF
}
wait_port() { # wait_port PORT [SECONDS]
  local port="$1" deadline=$((SECONDS + ${2:-10}))
  until (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do
    ((SECONDS < deadline)) || die "nothing listens on port $port (logs in $RUN_DIR)"
    sleep 0.05
  done
}

# --- /proc readings ---------------------------------------------------------------------------
rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; } # utime + stime, in clock ticks
clk_tck() { getconf CLK_TCK; }
children_of() { cat "/proc/$1/task/$1/children" 2>/dev/null; }

stub_stat() { # stub_stat PORT FIELD (held|answered)
  curl -s "http://127.0.0.1:$1/stub-stats" | awk -v f="$2" '{for (i = 1; i < NF; i++) if ($i == f) print $(i + 1)}'
}

# --- peers --------------------------------------------------------------------------------------
# nginx_conf FILE WORKERS "LISTEN_PORT:UPSTREAM_PORT"... : one server block per pair, each
# proxying /http-bind to its own upstream with keep-alive, as the shipped boshtap config does.
nginx_conf() {
  local file="$1" workers="$2"; shift 2
  local tmp="$RUN_DIR/nginx-tmp" pair
  mkdir -p "$tmp"
  {
    cat <<EOF
worker_processes $workers;
worker_rlimit_nofile $(ulimit -n);
pid $file.pid;
error_log $file.error.log warn;
events { worker_connections $(( $(ulimit -n) - 100 )); }
http {
    access_log off;
    client_body_temp_path $tmp/body;
    proxy_temp_path $tmp/proxy;
    fastcgi_temp_path $tmp/fastcgi;
    uwsgi_temp_path $tmp/uwsgi;
    scgi_temp_path $tmp/scgi;
    keepalive_requests 1000000;
EOF
    for pair in "$@"; do
      local listen="${pair%%:*}" up="${pair##*:}"
      cat <<EOF
    upstream up_$listen {
        server 127.0.0.1:$up;
        keepalive 32;
    }
    server {
        listen 127.0.0.1:$listen backlog=4096;
        location = /http-bind {
            proxy_pass http://up_$listen;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host \$host;
            proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
            proxy_buffering off;
            proxy_read_timeout 180s;
            proxy_send_timeout 180s;
            tcp_nodelay on;
        }
    }
EOF
    done
    echo "}"
  } >"$file"
}

# haproxy_conf FILE THREADS LISTEN_PORT UPSTREAM_PORT : mode http, connection reuse always.
haproxy_conf() {
  cat >"$1" <<EOF
global
    nbthread $2
    maxconn $(( $(ulimit -n) / 2 - 100 ))
defaults
    mode http
    timeout connect 10s
    timeout client 300s
    timeout server 180s
    timeout http-keep-alive 300s
    http-reuse always
    option http-keep-alive
frontend bosh
    bind 127.0.0.1:$3 backlog 4096
    default_backend stub
backend stub
    server stub 127.0.0.1:$4
EOF
}

# start_boshtap NAME THREADS LISTEN_PORT UPSTREAM_PORT : the binary is $BOSHTAP.
start_boshtap() {
  start "$1" "$BOSHTAP" --listen "127.0.0.1:$3" --upstream "http://127.0.0.1:$4/http-bind" \
    --log-file "$RUN_DIR/$1-events.jsonl" --threads "$2" --log-level warn
}

# stub_and_boshtap THREADS: the stub and one boshtap in front of it (sets P_STUB, P_BT, PID).
# shellcheck disable=SC2034 # P_STUB, P_BT and PID are for the caller
stub_and_boshtap() {
  read -r P_STUB P_BT <<<"$(free_ports 2)"
  start stub "$BENCH_BIN/bosh_stub" --port "$P_STUB" "${BOSH_FIXTURE_FILES[@]}"
  wait_port "$P_STUB"
  start_boshtap bt "$1" "$P_BT" "$P_STUB"; PID=$LAST_PID
  wait_port "$P_BT"
}

# direct_load NAME SECONDS CONNS [THINK_MS]: wrk straight to boshtap on $P_BT (keep-alive, as
# nginx's upstream connections are); THINK_MS: mean pause before each request, none if empty.
direct_load() {
  BENCH_FIXTURES="$BOSH_FIXTURES" BENCH_SESSIONS="$3" BENCH_RUN="$1" BENCH_THINK_MS="${4:-}" \
    wrk -t1 -c"$3" -d"$2s" -s "$BENCH_DIR/wrk/bosh-post.lua" "http://127.0.0.1:$P_BT/http-bind"
}

# median of the numbers on stdin
median() { sort -g | awk '{v[NR] = $1} END {if (NR == 0) print "nan"; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }

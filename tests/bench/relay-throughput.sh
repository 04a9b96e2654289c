#!/usr/bin/env bash
# Relay throughput and latency: wrk POSTs BOSH bodies through nginx to the stub over three
# paths in the same run: nginx -> stub (no hop), nginx -> HAProxy -> stub,
# nginx -> boshtap -> stub; HAProxy and boshtap each at 1 and 2 threads.
#
#   relay-throughput.sh BOSHTAP [--quick] [--rounds N] [--out FILE]
#
# BOSHTAP may also be bare_relay (built beside the stub): boshtap's relay with the audit left
# out, for what the relay stack alone reaches against HAProxy (it stands in the "boshtap" rows).
#
# Phase 1 (saturation): closed-loop wrk at several connection counts. Phase 2 (paced): 64
# connections with exponential pauses so the offered rate is about half the lowest maximum of
# phase 1, for the latency the relays add at 50 % load. Paths run interleaved, in a rotated
# order each round; ratios are taken within a round (same conditions), then the median over
# rounds is reported. Relay CPU per request comes from /proc (all threads, auditor included).
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"

BOSHTAP="${1:-}"; shift || true
[[ -x "$BOSHTAP" ]] || die "usage: relay-throughput.sh BOSHTAP_BINARY [--quick] [--rounds N] [--out FILE]"
BENCH_BIN="${BENCH_BIN:-$(cd "$(dirname "$BOSHTAP")/../../tests/bench" && pwd)}"
ROUNDS=3 CONNS="16 64 256" DURATION=5 PACED_DURATION=8 PACED_CONNS=64 OUT=""
while (($#)); do
  case "$1" in
    --quick) CONNS="64"; DURATION=2; PACED_DURATION=2 ;;
    --rounds) ROUNDS="$2"; shift ;;
    --out) OUT="$2"; shift ;;
    *) die "unknown option $1" ;;
  esac
  shift
done
command -v wrk >/dev/null || die "wrk is not installed"
command -v haproxy >/dev/null || die "haproxy is not installed"
command -v nginx >/dev/null || die "nginx is not installed"

bench_init
PORTS=$(free_ports 10) # waits for the helper to release them
read -r P_STUB P_NOHOP P_HAP1 P_HAP2 P_BT1 P_BT2 F_HAP1 F_HAP2 F_BT1 F_BT2 <<<"$PORTS"

start stub "$BENCH_BIN/bosh_stub" --port "$P_STUB" "${BOSH_FIXTURE_FILES[@]}"
wait_port "$P_STUB"
haproxy_conf "$RUN_DIR/hap1.cfg" 1 "$P_HAP1" "$P_STUB"; start hap1 haproxy -f "$RUN_DIR/hap1.cfg" -db; PID_hap1=$LAST_PID
haproxy_conf "$RUN_DIR/hap2.cfg" 2 "$P_HAP2" "$P_STUB"; start hap2 haproxy -f "$RUN_DIR/hap2.cfg" -db; PID_hap2=$LAST_PID
start_boshtap bt1 1 "$P_BT1" "$P_STUB"; PID_bt1=$LAST_PID
start_boshtap bt2 2 "$P_BT2" "$P_STUB"; PID_bt2=$LAST_PID
nginx_conf "$RUN_DIR/nginx.conf" auto "$P_NOHOP:$P_STUB" "$F_HAP1:$P_HAP1" "$F_HAP2:$P_HAP2" \
  "$F_BT1:$P_BT1" "$F_BT2:$P_BT2"
start nginx nginx -c "$RUN_DIR/nginx.conf" -g "daemon off;"
for p in "$P_HAP1" "$P_HAP2" "$P_BT1" "$P_BT2" "$P_NOHOP" "$F_HAP1" "$F_HAP2" "$F_BT1" "$F_BT2"; do wait_port "$p"; done

declare -A FRONT=([nohop]=$P_NOHOP [hap1]=$F_HAP1 [hap2]=$F_HAP2 [bt1]=$F_BT1 [bt2]=$F_BT2)
declare -A RELAY_PID=([hap1]=$PID_hap1 [hap2]=$PID_hap2 [bt1]=$PID_bt1 [bt2]=$PID_bt2)
PATHS=(nohop hap1 bt1 hap2 bt2)
RESULTS="$RUN_DIR/results.tsv" # phase round conns path rps p50_us p99_us errors relay_cpu_us_per_req
: >"$RESULTS"
TCK=$(clk_tck)

# one_run PHASE ROUND CONNS PATH DURATION [THINK_MS]
one_run() {
  local phase="$1" round="$2" conns="$3" path="$4" dur="$5" think="${6:-}" pid="${RELAY_PID[$4]:-}"
  local c0=0 c1=0 line
  [[ -n "$pid" ]] && c0=$(cpu_ticks "$pid")
  line=$(BENCH_FIXTURES="$BOSH_FIXTURES" BENCH_SESSIONS="$conns" BENCH_RUN="$phase$round$path$conns" \
         BENCH_THINK_MS="$think" wrk -t1 -c"$conns" -d"${dur}s" -s "$BENCH_DIR/wrk/bosh-post.lua" \
         "http://127.0.0.1:${FRONT[$path]}/http-bind" | grep '^RESULT') || die "wrk failed on $path"
  [[ -n "$pid" ]] && c1=$(cpu_ticks "$pid")
  local rps p50 p99 req err
  rps=$(sed -E 's/.*rps=([0-9.]+).*/\1/' <<<"$line"); p50=$(sed -E 's/.*p50_us=([0-9]+).*/\1/' <<<"$line")
  p99=$(sed -E 's/.*p99_us=([0-9]+).*/\1/' <<<"$line"); req=$(sed -E 's/.*requests=([0-9]+).*/\1/' <<<"$line")
  err=$(sed -E 's/.*errors=([0-9]+).*/\1/' <<<"$line")
  local cpu_per_req
  cpu_per_req=$(awk -v d=$((c1 - c0)) -v t="$TCK" -v r="$req" 'BEGIN {printf "%.1f", r ? d / t * 1e6 / r : 0}')
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$phase" "$round" "$conns" "$path" "$rps" "$p50" "$p99" "$err" "$cpu_per_req" >>"$RESULTS"
  printf '  %-6s round %s c=%-4s %-6s %9.0f req/s  p50 %6d us  p99 %6d us  errors %s  relay cpu %s us/req\n' \
    "$phase" "$round" "$conns" "$path" "$rps" "$p50" "$p99" "$err" "$cpu_per_req" >&2
}

# The order rotates each round and reverses every other round, so no path always runs first
# (after a quiet pause) or right after the same neighbour.
round_order() {
  local r="$1" n=${#PATHS[@]} i out=()
  for ((i = 0; i < n; i++)); do out+=("${PATHS[$(((i + r) % n))]}"); done
  if ((r % 2)); then for ((i = n - 1; i >= 0; i--)); do echo "${out[$i]}"; done; else printf '%s\n' "${out[@]}"; fi
}

echo "warm-up" >&2
for path in "${PATHS[@]}"; do one_run warmup 0 16 "$path" 1; done

echo "phase 1: saturation (${ROUNDS} rounds, connections: $CONNS, ${DURATION} s each)" >&2
for ((round = 1; round <= ROUNDS; round++)); do
  for conns in $CONNS; do
    for path in $(round_order "$round"); do one_run sat "$round" "$conns" "$path" "$DURATION"; done
  done
done

# 50 % of the lowest maximum (median over rounds) at PACED_CONNS connections, or the nearest
# connection count measured.
paced_base=$(awk -v c="$PACED_CONNS" '$1 == "sat" {d = ($3 > c ? $3 - c : c - $3); print d, $3}' "$RESULTS" | sort -n | head -1 | cut -d' ' -f2)
min_max=$(for path in "${PATHS[@]}"; do
  awk -v c="$paced_base" -v p="$path" '$1 == "sat" && $3 == c && $4 == p {print $5}' "$RESULTS" | median
done | sort -g | head -1)
TARGET=$(awk -v m="$min_max" 'BEGIN {printf "%.0f", m / 2}')
THINK=$(awk -v c="$PACED_CONNS" -v r="$TARGET" 'BEGIN {printf "%.3f", c / r * 1000}')
echo "phase 2: paced at ~$TARGET req/s (50 % of $min_max), $PACED_CONNS connections, mean pause $THINK ms" >&2
for ((round = 1; round <= ROUNDS; round++)); do
  for path in $(round_order "$round"); do one_run paced "$round" "$PACED_CONNS" "$path" "$PACED_DURATION" "$THINK"; done
done

# ---- report ---------------------------------------------------------------------------------
# per_round_ratio PHASE CONNS FIELD A B: median over rounds of A/B (field 5 rps, 7 p99...)
per_round_ratio() {
  awk -v ph="$1" -v c="$2" -v f="$3" -v a="$4" -v b="$5" '
    $1 == ph && $3 == c && $4 == a {va[$2] = $f}
    $1 == ph && $3 == c && $4 == b {vb[$2] = $f}
    END {for (r in va) if (r in vb && vb[r] > 0) print va[r] / vb[r]}' "$RESULTS" | median
}
per_round_diff() { # median over rounds of A - B (in ms, field in us)
  awk -v ph="$1" -v c="$2" -v f="$3" -v a="$4" -v b="$5" '
    $1 == ph && $3 == c && $4 == a {va[$2] = $f}
    $1 == ph && $3 == c && $4 == b {vb[$2] = $f}
    END {for (r in va) if (r in vb) print (va[r] - vb[r]) / 1000}' "$RESULTS" | median
}
med() { awk -v ph="$1" -v c="$2" -v p="$3" -v f="$4" '$1 == ph && $3 == c && $4 == p {print $f}' "$RESULTS" | median; }

{
  echo
  echo "## Relay throughput (medians over $ROUNDS rounds; ratios taken per round)"
  echo
  echo "| conns | path | req/s | p50 ms | p99 ms | relay CPU us/req | errors (all rounds) |"
  echo "|---|---|---|---|---|---|---|"
  for conns in $CONNS; do
    for path in "${PATHS[@]}"; do
      printf '| %s | %s | %.0f | %.2f | %.2f | %s | %s |\n' "$conns" "$path" "$(med sat "$conns" "$path" 5)" \
        "$(awk -v v="$(med sat "$conns" "$path" 6)" 'BEGIN {print v / 1000}')" \
        "$(awk -v v="$(med sat "$conns" "$path" 7)" 'BEGIN {print v / 1000}')" "$(med sat "$conns" "$path" 9)" \
        "$(awk -v c="$conns" -v p="$path" '$1 == "sat" && $3 == c && $4 == p {n += $8} END {print n + 0}' "$RESULTS")"
    done
  done
  echo
  echo "| conns | threads | boshtap/HAProxy req/s | boshtap/no-hop req/s | HAProxy/no-hop req/s | boshtap/HAProxy CPU per req |"
  echo "|---|---|---|---|---|---|"
  for conns in $CONNS; do
    for t in 1 2; do
      printf '| %s | %s | %.3f | %.3f | %.3f | %.2f |\n' "$conns" "$t" \
        "$(per_round_ratio sat "$conns" 5 "bt$t" "hap$t")" "$(per_round_ratio sat "$conns" 5 "bt$t" nohop)" \
        "$(per_round_ratio sat "$conns" 5 "hap$t" nohop)" "$(per_round_ratio sat "$conns" 9 "bt$t" "hap$t")"
    done
  done
  echo
  echo "## Latency at ~50 % load ($TARGET req/s offered, $PACED_CONNS connections)"
  echo
  echo "| path | achieved req/s | p50 ms | p99 ms | p50 added vs no-hop ms | p99 added vs no-hop ms |"
  echo "|---|---|---|---|---|---|"
  for path in "${PATHS[@]}"; do
    printf '| %s | %.0f | %.3f | %.3f | %s | %s |\n' "$path" "$(med paced "$PACED_CONNS" "$path" 5)" \
      "$(awk -v v="$(med paced "$PACED_CONNS" "$path" 6)" 'BEGIN {print v / 1000}')" \
      "$(awk -v v="$(med paced "$PACED_CONNS" "$path" 7)" 'BEGIN {print v / 1000}')" \
      "$(if [[ $path == nohop ]]; then echo -; else per_round_diff paced "$PACED_CONNS" 6 "$path" nohop; fi)" \
      "$(if [[ $path == nohop ]]; then echo -; else per_round_diff paced "$PACED_CONNS" 7 "$path" nohop; fi)"
  done
  echo
  for t in 1 2; do
    echo "threads $t: boshtap - HAProxy at 50 % load (medians of per-round differences): p50 $(per_round_diff paced "$PACED_CONNS" 6 "bt$t" "hap$t") ms, p99 $(per_round_diff paced "$PACED_CONNS" 7 "bt$t" "hap$t") ms (target p99 <= 0.2)"
  done
} | tee -a "${OUT:-/dev/null}"
[[ -n "$OUT" ]] && cp "$RESULTS" "${OUT%.md}.tsv"
exit 0

#!/usr/bin/env bash
# Whole-process comparison at scale (the scale issue's goals):
#
#   - `escalade check` on generated 10,000- and 50,000-service organisations
#     against `amtool check-config` on escalade's own Alertmanager export of
#     the same organisations;
#   - `escalade simulate` on 1,000,000 and 5,000,000 generated alerts (over
#     the 10,000-service organisation) against examples/deserialise_only.rs,
#     which only reads the same JSON Lines file and deserialises each line;
#   - peak RSS of simulate at 1M and 5M alerts.
#
# Every command is timed as a whole process with /usr/bin/time; each is run
# RUNS times (default 5), the commands interleaved round by round so that
# a change in the machine's load hits them all alike, and the median is
# reported. Prints a markdown table on stdout (progress on stderr).
#
#   benches/compare.sh                 # about 1.5 GB of files under $TMPDIR
#   RUNS=3 KEEP=1 benches/compare.sh   # fewer rounds; keep the files
#
# Needs amtool (Debian: prometheus-alertmanager) and GNU time (Debian:
# time) for /usr/bin/time -v style measurements.
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${RUNS:-5}
SEED=${SEED:-1}
FROM=2026-02-02T00:00:00Z

note() { printf '%s\n' "$*" >&2; }
die() { note "error: $*"; exit 2; }

command -v amtool >/dev/null 2>&1 || die "amtool not found (Debian: apt-get install prometheus-alertmanager)"
[ -x /usr/bin/time ] || die "/usr/bin/time not found (Debian: apt-get install time)"
/usr/bin/time -f '%M' true 2>/dev/null || die "/usr/bin/time is not GNU time (Debian: apt-get install time)"
case "$RUNS" in ''|*[!0-9]*|0) die "RUNS must be a positive number" ;; esac

note "building (release)…"
cargo build --release --locked --quiet --bin escalade --example gen-org --example deserialise_only
TARGET=${CARGO_TARGET_DIR:-target}
ESC=$TARGET/release/escalade
GEN=$TARGET/release/examples/gen-org
DES=$TARGET/release/examples/deserialise_only

if [ -n "${WORK:-}" ]; then
  # reuse the inputs of an earlier KEEP=1 run (same SEED)
  [ -d "$WORK" ] || die "WORK=$WORK is not a directory"
else
  WORK=$(mktemp -d "${TMPDIR:-/tmp}/escalade-compare.XXXXXX")
  if [ -z "${KEEP:-}" ]; then trap 'rm -rf "$WORK"' EXIT; else note "files kept in $WORK"; fi
fi

load_before=$(cut -d' ' -f1-3 /proc/loadavg)

# ---- inputs ----------------------------------------------------------
gen() { # DIR ARGS...: generate unless an earlier run left it complete
  local dir=$1; shift
  [ -f "$dir.done" ] && return
  rm -rf "$dir"
  "$GEN" "$@" --seed "$SEED" -o "$dir" 2>>"$WORK/gen.log" || die "gen-org $* failed"
  touch "$dir.done"
}
note "generating organisations and timelines…"
gen "$WORK/org10k" --services 10000 --alerts 1000000
gen "$WORK/org50k" --services 50000
# the same 10,000-service organisation (same seed), with 5M alerts
gen "$WORK/org10k-5m" --services 10000 --alerts 5000000
T1M=$WORK/org10k/timeline.jsonl
T5M=$WORK/org10k-5m/timeline.jsonl

for n in 10k 50k; do
  note "exporting org$n to Alertmanager…"
  /usr/bin/time -f '%e' -o "$WORK/export$n.time" "$ESC" export "$WORK/org$n" --target alertmanager -o "$WORK/am$n" >/dev/null 2>"$WORK/export$n.log" \
    || die "export of org$n failed: $(tail -5 "$WORK/export$n.log")"
  "$ESC" check "$WORK/org$n" --from "$FROM" >/dev/null 2>&1 || die "org$n does not pass check"
  amtool check-config "$WORK/am$n/alertmanager.yml" >/dev/null 2>&1 || die "amtool rejects the export of org$n"
done

# ---- timing ----------------------------------------------------------
# name → the command, in CMD
cmd() {
  case "$1" in
    check10k)  CMD=("$ESC" check "$WORK/org10k" --from "$FROM") ;;
    check50k)  CMD=("$ESC" check "$WORK/org50k" --from "$FROM") ;;
    amtool10k) CMD=(amtool check-config "$WORK/am10k/alertmanager.yml") ;;
    amtool50k) CMD=(amtool check-config "$WORK/am50k/alertmanager.yml") ;;
    sim1m)     CMD=("$ESC" simulate "$WORK/org10k" --timeline "$T1M" --format json) ;;
    sim5m)     CMD=("$ESC" simulate "$WORK/org10k-5m" --timeline "$T5M" --format json) ;;
    des1m)     CMD=("$DES" "$T1M") ;;
  esac
}
NAMES=(check10k amtool10k check50k amtool50k sim1m sim5m des1m)

for ((r = 1; r <= RUNS; r++)); do
  for name in "${NAMES[@]}"; do
    note "round $r/$RUNS: $name"
    cmd "$name"
    /usr/bin/time -f '%e %U %S %M' -o "$WORK/$name.$r.time" "${CMD[@]}" >"$WORK/$name.out" 2>"$WORK/$name.err" \
      || die "$name failed: $(tail -5 "$WORK/$name.err")"
  done
done
grep -q '"rejected_events": 0' "$WORK/sim1m.out" || die "simulate 1M rejected lines"
grep -q '"rejected_events": 0' "$WORK/sim5m.out" || die "simulate 5M rejected lines"

load_after=$(cut -d' ' -f1-3 /proc/loadavg)

# field k (1 elapsed, 2 user, 3 sys, 4 max RSS KB) of every run of NAME; median
runs() { for ((r = 1; r <= RUNS; r++)); do tail -1 "$WORK/$1.$r.time" | cut -d' ' -f"$2"; done; }
median() { runs "$1" "$2" | sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
all() { runs "$1" 1 | paste -sd' ' -; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }
verdict() { awk -v v="$1" -v g="$2" 'BEGIN {print (v <= g) ? "met" : "not met"}'; }
mb() { awk -v k="$1" 'BEGIN {printf "%.1f MB", k / 1024}'; }

declare -A E U S M
for name in "${NAMES[@]}"; do
  E[$name]=$(median "$name" 1); U[$name]=$(median "$name" 2); S[$name]=$(median "$name" 3); M[$name]=$(median "$name" 4)
done
c10=$(ratio "${E[check10k]}" "${E[amtool10k]}")
c50=$(ratio "${E[check50k]}" "${E[amtool50k]}")
cs=$(ratio "${E[check50k]}" "${E[check10k]}")
sd=$(ratio "${E[sim1m]}" "${E[des1m]}")
ss=$(ratio "${E[sim5m]}" "${E[sim1m]}")
rss=$(awk -v a="${M[sim1m]}" -v b="${M[sim5m]}" 'BEGIN {printf "%+.1f", (b - a) * 100 / a}')
rss_abs=$(awk -v a="${M[sim1m]}" -v b="${M[sim5m]}" 'BEGIN {d = (b - a) * 100 / a; print (d < 0) ? -d : d}')

row() { printf '| %s | %s | %s | %s | %s |\n' "$1" "${E[$2]}" "${U[$2]} + ${S[$2]}" "$(mb "${M[$2]}")" "$(all "$2")"; }

cat <<EOF
Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(free -g | awk '/^Mem:/ {print $2}') GB;
load average $load_before before, $load_after after. $RUNS rounds, commands interleaved; times are medians of whole processes.
$(grep -h 'services' "$WORK/gen.log" | sed 's/^.*org/org/' | sort -u | sed 's/^/- /')
- Alertmanager export: 10k $(wc -c <"$WORK/am10k/alertmanager.yml") bytes in $(cat "$WORK/export10k.time") s, 50k $(wc -c <"$WORK/am50k/alertmanager.yml") bytes in $(cat "$WORK/export50k.time") s (one run each)

| command | wall (s, median) | user + sys (s) | peak RSS | every run (s) |
|---|---|---|---|---|
$(row "\`escalade check\`, 10,000 services" check10k)
$(row "\`amtool check-config\`, its export" amtool10k)
$(row "\`escalade check\`, 50,000 services" check50k)
$(row "\`amtool check-config\`, its export" amtool50k)
$(row "\`escalade simulate\`, 1M alerts" sim1m)
$(row "\`escalade simulate\`, 5M alerts" sim5m)
$(row "deserialise only, 1M alerts" des1m)

| goal | measured | |
|---|---|---|
| check ≤ 0.5 × amtool, 10k | $c10 × | $(verdict "$c10" 0.5) |
| check ≤ 0.5 × amtool, 50k | $c50 × | $(verdict "$c50" 0.5) |
| check 50k ≤ 5.5 × check 10k | $cs × | $(verdict "$cs" 5.5) |
| simulate ≤ 2 × deserialise-only, 1M | $sd × | $(verdict "$sd" 2) |
| simulate 5M ≤ 5.5 × simulate 1M | $ss × | $(verdict "$ss" 5.5) |
| peak RSS of simulate, 5M vs 1M, within 10 % | $rss % | $(verdict "$rss_abs" 10) |
EOF

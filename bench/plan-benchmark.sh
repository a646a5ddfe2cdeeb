#!/usr/bin/env bash
# Plan figures for docs/benchmarks.md, in one run:
#  1. bookkeeping overhead per guest: `plan run` of a one-guest plan against a plain
#     `convert` of the same guest (same options, fresh output folder each time), median of RUNS;
#     (wall time, and CPU time user+sys, which a busy machine disturbs less);
#  2. wall time of `plan run --jobs 1/2/4` over 8 guests (8 copies of one config under
#     different names, all reading the same images), with the aggregate write rate, against
#     the output file system's own direct-write rate (dd, 2 GiB, O_DIRECT).
# usage: bench/plan-benchmark.sh GUEST.cfg [RUNS] [WORKDIR]
#   WORKDIR (default: a temporary folder under /var/tmp) must hold 8 guests' outputs.
set -euo pipefail
cd "$(dirname "$0")/.."
cfg=$(readlink -f "$1"); runs=${2:-5}
work=$(mktemp -d "${3:-/var/tmp}/plan-bench.XXXXXX"); trap 'rm -rf "$work"' EXIT
x=bin/xen2kvm
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
secs() { local s e; s=$(date +%s%N); "$@" >/dev/null 2>&1 || true; e=$(date +%s%N); awk -v d=$((e - s)) 'BEGIN {printf "%.2f", d / 1e9}'; }
cpu() { /usr/bin/time -f '%U %S' "$@" 2>&1 >/dev/null | tail -n 1 | awk '{printf "%.2f", $1 + $2}'; }
name=$(sed -n "s/^name *= *['\"]\([^'\"]*\)['\"].*/\1/p" "$cfg")

mkdir -p "$work/one"; cp "$cfg" "$work/one/"
"$x" plan create "$work/one" --output "$work/one.yaml" -o "$work/out" -q >/dev/null 2>&1
conv=""; plan=""; convc=""; planc=""
for ((i = 0; i < runs; i++)); do
  rm -rf "$work/out"; conv+="$(secs "$x" convert "$cfg" -o "$work/out" -q) "
  rm -rf "$work/out" "$work/one.yaml.d"; plan+="$(secs "$x" plan run "$work/one.yaml" -q) "
  rm -rf "$work/out"; convc+="$(cpu "$x" convert "$cfg" -o "$work/out" -q) "
  rm -rf "$work/out" "$work/one.yaml.d"; planc+="$(cpu "$x" plan run "$work/one.yaml" -q) "
done
c=$(echo $conv | tr ' ' '\n' | median); p=$(echo $plan | tr ' ' '\n' | median)
cc=$(echo $convc | tr ' ' '\n' | median); pc=$(echo $planc | tr ' ' '\n' | median)
echo "== one guest ($name), median of $runs"
printf '%-22s %7s s wall %7s s cpu   wall runs: %s\n' "convert" "$c" "$cc" "$conv" "plan run (1 guest)" "$p" "$pc" "$plan"
awk -v c="$c" -v p="$p" -v cc="$cc" -v pc="$pc" 'BEGIN {printf "plan bookkeeping overhead per guest: %.2f s wall (%.1f %%), %.2f s cpu (%.1f %%)\n", p - c, 100 * (p - c) / c, pc - cc, 100 * (pc - cc) / cc}'

mkdir -p "$work/eight"
for i in 1 2 3 4 5 6 7 8; do
  sed "s/^name *= *['\"][^'\"]*['\"]/name = '$name-copy$i'/" "$cfg" > "$work/eight/$name-copy$i.cfg"
done
"$x" plan create "$work/eight" --output "$work/eight.yaml" -o "$work/out8" -q >/dev/null 2>&1
data=$(grep -o 'dataBytes: [0-9]*' "$work/eight.yaml" | awk '{s += $2} END {print s}')
echo "== 8 guests ($name copies, $(awk -v d="$data" 'BEGIN {printf "%.1f GiB", d / 2^30}') of data in all)"
printf '%-10s %9s %9s\n' jobs "wall s" "MiB/s"
rm -f "$work/dd"; sync
ddrate=$(dd if=/dev/zero of="$work/dd" bs=16M count=128 oflag=direct 2>&1 | tail -n 1 | awk '{print $(NF-1), $NF}')
rm -f "$work/dd"
echo "output file system, dd 2 GiB O_DIRECT: $ddrate"
for j in 1 2 4; do
  rm -rf "$work/out8" "$work/eight.yaml.d"; sync
  t=$(secs "$x" plan run "$work/eight.yaml" --jobs "$j" -q)
  printf '%-10s %9s %9s\n' "$j" "$t" "$(awk -v d="$data" -v t="$t" 'BEGIN {printf "%.0f", d / 2^20 / t}')"
done

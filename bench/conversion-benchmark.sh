#!/usr/bin/env bash
# Whole-guest conversion time against a plain disk copy: xen2kvm convert of a Xen guest
# (read, inspect, edit, copy every disk to qcow2, write the XML) against qemu-img convert
# -t writeback of the same disks (the copy alone, nothing read inside the guest).
# usage: bench/conversion-benchmark.sh GUEST.cfg [RUNS] [XEN2KVM...]
#   XEN2KVM: the command to run (default bin/xen2kvm of this checkout); pass a second
#   checkout's bin/xen2kvm to compare two versions in the same run.
set -euo pipefail
cd "$(dirname "$0")/.."
cfg=$1; runs=${2:-7}; shift 2 || true
tools=("$@"); [ ${#tools[@]} -gt 0 ] || tools=(bin/xen2kvm)
disks=$(grep -o "file:[^,']*" "$cfg" | sed 's/^file://' | tr '\n' ' ')
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
time_of() { /usr/bin/time -f %e "$@" 2>&1 >/dev/null | tail -n 1; }
declare -A results
for ((i = 0; i < runs; i++)); do
  for t in "${tools[@]}"; do
    rm -rf "$work/kvm"
    results[$t]+="$(time_of "$t" convert "$cfg" -o "$work/kvm" -q) "
  done
  rm -rf "$work/qi"; mkdir -p "$work/qi"
  results[qemu-img]+="$(time_of sh -c "for d in $disks; do qemu-img convert -t writeback -O qcow2 \$d $work/qi/\$(basename \$d).qcow2; done") "
done
q=$(echo "${results[qemu-img]}" | tr ' ' '\n' | grep . | median)
printf '%-50s %8s %6s  %s\n' command median ratio runs
printf '%-50s %8s %6s  %s\n' "qemu-img convert -t writeback (every disk)" "$q" 1.00 "${results[qemu-img]}"
for t in "${tools[@]}"; do
  m=$(echo "${results[$t]}" | tr ' ' '\n' | grep . | median)
  printf '%-50s %8s %6.2f  %s\n' "$t convert" "$m" "$(awk -v m="$m" -v q="$q" 'BEGIN {print m / q}')" "${results[$t]}"
done

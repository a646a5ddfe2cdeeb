#!/usr/bin/env bash
# Disk conversion benchmark: xen2kvm `disk convert` against `qemu-img convert`.
#
# For each virtual size (default 8 and 32 GiB) it makes a sparse raw image holding 1 GiB of
# random data in 256 extents of 4 MiB at random offsets, then converts it to qcow2 and to raw
# with xen2kvm and with qemu-img, alternating (who goes first rotates), RUNS times each, and
# prints wall time (best and median), the xen2kvm/qemu-img ratio and peak RSS (GNU time).
# Not a test: it prints figures.
#
# xen2kvm flushes its output to disk (fsync) before renaming it into place. qemu-img convert
# does not flush by default (cache mode "unsafe"), so the ratio is taken against
# `qemu-img convert -t writeback`, which flushes when it closes the image; the unflushed
# default is timed too and shown for reference.
#
# Environment: SIZES_GIB ("8 32"), RUNS (2), XEN2KVM_JAR (converter-cli/target/xen2kvm.jar), BENCH_DIR (a fresh directory under /var/tmp),
# JAVA_OPTS ("-Xmx256m": a 256 MiB heap cap, added to the flags of bin/xen2kvm; RSS is
# measured for the whole JVM).
# Needs: java 17, qemu-img (qemu-utils), /usr/bin/time (package time), ~3 GiB free disk.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
JAR=${XEN2KVM_JAR:-"$ROOT/converter-cli/target/xen2kvm.jar"}
SIZES_GIB=${SIZES_GIB:-"8 32"}
RUNS=${RUNS:-2}
JAVA_OPTS=${JAVA_OPTS:-"-Xmx256m"}
EXTENTS=256
EXTENT_MIB=4

for tool in java qemu-img /usr/bin/time; do
    command -v "$tool" >/dev/null || { echo "disk-benchmark: $tool is required" >&2; exit 2; }
done

if [[ ! -f "$JAR" ]]; then
    echo "building $JAR ..." >&2
    (cd "$ROOT" && { mvn -B -q -o package -DskipTests || mvn -B -q package -DskipTests; }) >&2
fi

# xen2kvm runs through its launcher, as a user runs it: the JVM flags for a short command
# and the class data sharing archive, which the untimed warm-up round writes if missing.
export XEN2KVM_JAR=$JAR XEN2KVM_JAVA_OPTS=$JAVA_OPTS
X2K=("$ROOT/bin/xen2kvm" disk convert)

WORK=${BENCH_DIR:-$(mktemp -d /var/tmp/xen2kvm-bench.XXXXXX)}
mkdir -p "$WORK"
cleanup() { rm -f "$WORK"/src-*.raw "$WORK"/out.* "$WORK"/time.* "$WORK"/cmd.out "$WORK"/samples.txt; }
trap cleanup EXIT

make_image() { # $1 file, $2 size in GiB
    local file=$1 gib=$2 slots i off
    rm -f "$file"
    truncate -s "${gib}G" "$file"
    slots=$(( gib * 1024 / EXTENT_MIB ))
    RANDOM=42
    # Distinct random 4 MiB slots, written from /dev/urandom without truncating the file.
    for off in $(for i in $(seq 1 $(( EXTENTS * 4 ))); do echo $(( (RANDOM * 32768 + RANDOM) % slots )); done \
                 | awk '!seen[$0]++' | head -n "$EXTENTS"); do
        dd if=/dev/urandom of="$file" bs=${EXTENT_MIB}M count=1 seek="$off" conv=notrunc status=none
    done
    sync "$file"
}

# Runs a command under GNU time; prints "seconds peak_kib".
# Each run starts from a quiet disk: the previous run's output is removed and everything
# still dirty in the page cache (qemu-img's unflushed default leaves ~1 GiB) is written out
# before the clock starts, so no tool pays for another's write-back.
# $1 names the run's output (out.$1), the rest is the command.
timed() {
    rm -f "$WORK/out.$1"
    shift
    sync
    /usr/bin/time -f "%e %M" -o "$WORK/time.out" "$@" >"$WORK/cmd.out" 2>"$WORK/time.err" || {
        cat "$WORK/time.err" >&2; return 1; }
    cat "$WORK/time.out"
}

stats() { # best median of the numbers on stdin
    sort -g | awk '{a[NR]=$1} END {m = (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2; printf "%.2f %.2f\n", a[1], m}'
}

printf '%-6s %-6s %-30s %8s %8s %10s\n' size format tool best_s median_s peak_MiB
: > "$WORK/samples.txt"
for gib in $SIZES_GIB; do
    src="$WORK/src-${gib}g.raw"
    make_image "$src" "$gib"
    for fmt in qcow2 raw; do
        : > "$WORK/time.x2k"; : > "$WORK/time.x2kcopy"; : > "$WORK/time.qwb"; : > "$WORK/time.qun"
        # One untimed round first: it warms the source in the page cache and the JVM's files.
        timed x2k "${X2K[@]}" "$src" "$WORK/out.x2k" -O "$fmt" --src-format raw >/dev/null
        timed qwb qemu-img convert -t writeback -f raw -O "$fmt" "$src" "$WORK/out.qwb" >/dev/null
        for run in $(seq 1 "$RUNS"); do
            # Rotate who goes first each round, so neither tool always meets a cold or busy cache.
            order=(x2k qwb qun x2k qwb)
            for key in "${order[@]:$(( (run - 1) % 3 )):3}"; do
                case $key in
                    x2k)
                        timed x2k "${X2K[@]}" "$src" "$WORK/out.x2k" -O "$fmt" --src-format raw --json >> "$WORK/time.x2k"
                        # The copy's own duration, from the JSON result: wall time less JVM start-up.
                        echo "$(grep -o '"seconds":[0-9.]*' "$WORK/cmd.out" | cut -d: -f2) 0" >> "$WORK/time.x2kcopy" ;;
                    qwb) timed qwb qemu-img convert -t writeback -f raw -O "$fmt" "$src" "$WORK/out.qwb" >> "$WORK/time.qwb" ;;
                    qun) timed qun qemu-img convert -f raw -O "$fmt" "$src" "$WORK/out.qun" >> "$WORK/time.qun" ;;
                esac
            done
        done
        qemu-img compare -q -f raw -F "$fmt" "$src" "$WORK/out.x2k" \
            || { echo "disk-benchmark: xen2kvm output differs from the source!" >&2; exit 1; }
        if [[ $fmt == qcow2 ]]; then
            qemu-img check -q "$WORK/out.x2k" || { echo "disk-benchmark: qemu-img check failed" >&2; exit 1; }
        fi
        for t in x2k:xen2kvm x2kcopy:"xen2kvm copy only (no JVM)" qwb:"qemu-img -t writeback" \
                 qun:"qemu-img (default, no flush)"; do
            key=${t%%:*}; name=${t#*:}
            read -r best median < <(cut -d' ' -f1 "$WORK/time.$key" | stats)
            peak=$(cut -d' ' -f2 "$WORK/time.$key" | sort -n | tail -1)
            printf '%-6s %-6s %-30s %8s %8s %10s\n' "${gib}G" "$fmt" "$name" "$best" "$median" \
                "$([[ $key == x2kcopy ]] && echo - || echo $(( peak / 1024 )))"
            # Every run, in order, for the spread the best and median hide.
            printf '%-6s %-6s %-30s runs: %s\n' "${gib}G" "$fmt" "$name" "$(cut -d' ' -f1 "$WORK/time.$key" | tr '\n' ' ')" >> "$WORK/samples.txt"
            eval "best_$key=$best median_$key=$median"
        done
        # shellcheck disable=SC2154
        awk -v a="$best_x2k" -v b="$best_qwb" -v c="$median_x2k" -v d="$median_qwb" -v g="${gib}G" -v f="$fmt" \
            -v e="$best_x2kcopy" -v h="$median_x2kcopy" 'BEGIN {
                printf "%-6s %-6s ratio xen2kvm/qemu-img -t writeback: best %.2f, median %.2f", g, f, a/b, c/d
                printf " (copy only: best %.2f, median %.2f)\n", e/b, h/d }'
        printf '%-6s %-6s allocated: xen2kvm %s, qemu-img %s\n' "${gib}G" "$fmt" \
            "$(du -h "$WORK/out.x2k" | cut -f1)" "$(du -h "$WORK/out.qwb" | cut -f1)"
    done
    rm -f "$src"
done
echo
echo "Every run's wall time in seconds (xen2kvm, xen2kvm copy only, qemu-img -t writeback, qemu-img default):"
cat "$WORK/samples.txt"

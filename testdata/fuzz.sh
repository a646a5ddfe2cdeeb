#!/usr/bin/env bash
# Fuzzes every Jazzer target of converter-core, one JVM per target (Jazzer fuzzes one
# @FuzzTest per JVM), each round lasting Fuzz.CI_DURATION (15 s). docs/fuzzing.md has the
# figures and how to run longer.
#   testdata/fuzz.sh                        every target below, one round each, two at a time (CI, 15 s per target)
#   FUZZ_SECONDS=300 testdata/fuzz.sh       5 minutes per target: 20 rounds, each resuming from the corpus
#   FUZZ_ROUNDS=20 testdata/fuzz.sh         the same, in rounds
#   FUZZ_JOBS=1 testdata/fuzz.sh            one target at a time (default: 2, or 1 on a single core)
#   testdata/fuzz.sh fs.ext.ExtImageFuzzTest#walkAndWrite   chosen targets (class under org.xen2kvm)
# Exit status 1 when any target found something (or its JVM failed to run). Findings are
# written as crash-* files into src/test/resources/**/<Class>Inputs/<method>/, where every
# `mvn test` replays them: fix the parser, keep the file. The generated corpus stays in
# converter-core/.cifuzz-corpus/ (not committed).
set -euo pipefail
cd "$(dirname "$0")/../converter-core"
TARGETS=(
  config.ConfigFuzzTest#xlConfig
  config.ConfigFuzzTest#sxp
  config.ConfigFuzzTest#libvirtXml
  config.ConfigFuzzTest#ovaXml
  config.ConfigFuzzTest#guestDefinition
  image.DiskImageFuzzTest#qcow2
  image.DiskImageFuzzTest#qcow
  image.DiskImageFuzzTest#vhd
  image.DiskImageFuzzTest#probed
  partition.PartitionFuzzTest#table
  xva.XvaFuzzTest#tar
  xva.XvaFuzzTest#archive
  fs.ext.ExtImageFuzzTest#walkAndWrite
  fs.ext.ExtImageFuzzTest#journal
  guest.GuestTextFuzzTest#grub2
  guest.GuestTextFuzzTest#grubLegacy
  guest.GuestTextFuzzTest#extlinux
  guest.GuestTextFuzzTest#fstab
  guest.GuestTextFuzzTest#releaseFiles
  edit.LvmConfFuzzTest#lvmConf
  lvm.LvmFuzzTest#scan
  initramfs.InitramfsFuzzTest#image
  pkg.PackageFuzzTest#deb
  pkg.PackageFuzzTest#rpm
  pkg.PackageFuzzTest#install
  pkg.PackageFuzzTest#dpkgStatus
  kmod.ModuleFuzzTest#modinfo
  kmod.ModuleFuzzTest#compressed
  edit.KernelEditFuzzTest#bootMenus
  edit.KernelEditFuzzTest#grubEnv
  batch.PlanFuzzTest#scanAndPlan
)
[ $# -gt 0 ] && TARGETS=("$@")
ROUND_SECONDS=15 # Fuzz.CI_DURATION
if [ -n "${FUZZ_SECONDS:-}" ]; then
  FUZZ_ROUNDS=$(( (FUZZ_SECONDS + ROUND_SECONDS - 1) / ROUND_SECONDS ))
fi
export FUZZ_ROUNDS=${FUZZ_ROUNDS:-1}
# CI fuzzes with a fixed seed, so that a CI run explores the same inputs as the run before it
# on the same code: a finding there is a new bug in the change, not the luck of the draw.
# Elsewhere every run draws its own seed (printed, to replay a run: FUZZ_SEED=N).
if [ "${CI:-}" = true ]; then
  export FUZZ_SEED=${FUZZ_SEED:-1}
else
  export FUZZ_SEED=${FUZZ_SEED:-$(( (RANDOM << 15) | RANDOM ))}
fi
echo "fuzz.sh: seed $FUZZ_SEED"
jobs=${FUZZ_JOBS:-$( [ "$(nproc)" -ge 2 ] && echo 2 || echo 1 )}
export logs=target/fuzz-logs
mkdir -p "$logs"
( cd .. && mvn -B -q -ntp test-compile -pl converter-core )
mvn -B -q -ntp dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/fuzz-classpath.txt >/dev/null
# The fuzzing JVMs load classes from a private copy: a `mvn test` run meanwhile rewrites
# target/classes, and a class missing for a moment would be reported as a finding.
snap=$(mktemp -d "${TMPDIR:-/tmp}/xen2kvm-fuzz-classes.XXXXXX")
trap 'rm -rf "$snap"' EXIT
cp -r target/classes target/test-classes "$snap/"
export cp="$snap/test-classes:$snap/classes:$(cat target/fuzz-classpath.txt)"
export results="$snap/results"
mkdir -p "$results"

# One target, all its rounds; writes its row of the table to $results and fails on a finding.
fuzz_target() {
  local t=$1 runs=0 secs=0 result=ok log n r
  for r in $(seq 1 "$FUZZ_ROUNDS"); do
    log="$logs/${t//[#\/]/_}.$r.log"
    # -Xmx bounds memory (an OutOfMemoryError is a finding); libFuzzer's -timeout catches a hang
    # inside one input, `timeout` a JVM that never gets going.
    # The regex-injection sanitizer is off: lvm.conf filters are regular expressions by definition
    # (LvmFilterEdit compiles them and treats one that does not compile as matching everything);
    # it reported exactly that, a guest's pattern that is no valid regex. No other target compiles
    # patterns from its input.
    if ! JAZZER_FUZZ=1 timeout 300 java -Xmx512m -Xss1m -Djazzer.internal.basedir="$PWD" \
        -Djazzer.disabled_hooks=com.code_intelligence.jazzer.sanitizers.RegexInjection \
        -Djazzer.internal.arg.0=xen2kvm-fuzz -Djazzer.internal.arg.1=-timeout=10 \
        -Djazzer.internal.arg.2=-seed="$((FUZZ_SEED + r))" \
        -cp "$cp" org.xen2kvm.testutil.FuzzMain "org.xen2kvm.$t" >"$log" 2>&1; then
      result="FAILED (see converter-core/$log)"
    fi
    n=$(grep -oE 'Done [0-9]+ runs in [0-9]+ second' "$log" | tail -1 | awk '{print $2, $5}') || true
    [ -n "$n" ] || n="0 0"
    runs=$((runs + ${n% *})); secs=$((secs + ${n#* }))
    [ "$result" = ok ] || break
  done
  printf '%-40s %12s %8s %s\n' "$t" "$runs" "$secs" "$result" >"$results/${t//[#\/]/_}"
  [ "$result" = ok ]
}
export -f fuzz_target

start=$SECONDS
status=0
printf '%s\n' "${TARGETS[@]}" | xargs -P "$jobs" -I{} bash -c 'fuzz_target "$1"' _ {} || status=$?
printf '%-40s %12s %8s %s\n' target executions seconds result
failed=()
for t in "${TARGETS[@]}"; do
  row="$results/${t//[#\/]/_}"
  if [ -f "$row" ]; then cat "$row"; else printf '%-40s %12s %8s %s\n' "$t" - - "NOT RUN"; fi
  grep -q ' ok$' "$row" 2>/dev/null || failed+=("$t")
done
echo "fuzz.sh: ${#TARGETS[@]} targets x $FUZZ_ROUNDS round(s), $jobs at a time, in $((SECONDS - start)) s"
if [ ${#failed[@]} -gt 0 ] || [ "$status" -ne 0 ]; then
  echo "fuzz.sh: findings in: ${failed[*]:-(xargs status $status)}" >&2
  exit 1
fi

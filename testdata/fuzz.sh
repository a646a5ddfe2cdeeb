#!/usr/bin/env bash
# Fuzzes every Jazzer target of converter-core, one JVM per target (Jazzer fuzzes one
# @FuzzTest per JVM), each for Fuzz.CI_DURATION (15 s: 18 targets stay under 6 minutes) per round. docs/fuzzing.md has the
# figures and how to run longer.
#   testdata/fuzz.sh                       all targets, one round (CI, about 6 minutes)
#   FUZZ_ROUNDS=15 testdata/fuzz.sh        15 rounds each (about 4 min per target), resuming from the corpus
#   testdata/fuzz.sh ext.ExtImageFuzzTest#walkAndWrite   chosen targets (class under org.xen2kvm)
# Findings are written as crash-* files into src/test/resources/**/<Class>Inputs/<method>/,
# where every `mvn test` replays them: fix the parser, keep the file. The generated corpus
# stays in converter-core/.cifuzz-corpus/ (not committed).
set -euo pipefail
cd "$(dirname "$0")/../converter-core"
TARGETS=(
  config.ConfigFuzzTest#xlConfig config.ConfigFuzzTest#sxp config.ConfigFuzzTest#libvirtXml
  config.ConfigFuzzTest#ovaXml config.ConfigFuzzTest#guestDefinition
  image.DiskImageFuzzTest#qcow2 image.DiskImageFuzzTest#qcow image.DiskImageFuzzTest#vhd image.DiskImageFuzzTest#probed
  partition.PartitionFuzzTest#table
  xva.XvaFuzzTest#tar xva.XvaFuzzTest#archive
  fs.ext.ExtImageFuzzTest#walkAndWrite fs.ext.ExtImageFuzzTest#journal
  guest.GuestTextFuzzTest#grub2 guest.GuestTextFuzzTest#grubLegacy guest.GuestTextFuzzTest#extlinux
  guest.GuestTextFuzzTest#fstab
)
[ $# -gt 0 ] && TARGETS=("$@")
rounds=${FUZZ_ROUNDS:-1}
logs=target/fuzz-logs
mkdir -p "$logs"
( cd .. && mvn -B -q -ntp test-compile -pl converter-core )
mvn -B -q -ntp dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/fuzz-classpath.txt >/dev/null
# The fuzzing JVMs load classes from a private copy: a `mvn test` run meanwhile rewrites
# target/classes, and a class missing for a moment would be reported as a finding.
snap=$(mktemp -d "${TMPDIR:-/tmp}/xen2kvm-fuzz-classes.XXXXXX")
trap 'rm -rf "$snap"' EXIT
cp -r target/classes target/test-classes "$snap/"
cp="$snap/test-classes:$snap/classes:$(cat target/fuzz-classpath.txt)"
failed=()
printf '%-40s %12s %8s %s\n' target executions seconds result
for t in "${TARGETS[@]}"; do
  runs=0; secs=0; result=ok
  for r in $(seq 1 "$rounds"); do
    log="$logs/${t//[#\/]/_}.$r.log"
    # -Xmx bounds memory (an OutOfMemoryError is a finding); libFuzzer's -timeout catches a hang.
    if ! JAZZER_FUZZ=1 java -Xmx512m -Xss1m -Djazzer.internal.basedir="$PWD" \
        -Djazzer.internal.arg.0=xen2kvm-fuzz -Djazzer.internal.arg.1=-timeout=10 \
        -cp "$cp" org.xen2kvm.testutil.FuzzMain "org.xen2kvm.$t" >"$log" 2>&1; then
      result="FAILED (see $log)"
    fi
    n=$(grep -oE 'Done [0-9]+ runs in [0-9]+ second' "$log" | tail -1 | awk '{print $2, $5}') || true
    [ -n "$n" ] || n="0 0"
    runs=$((runs + ${n% *})); secs=$((secs + ${n#* }))
    [ "$result" = ok ] || break
  done
  printf '%-40s %12s %8s %s\n' "$t" "$runs" "$secs" "$result"
  [ "$result" = ok ] || failed+=("$t")
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz.sh: findings in: ${failed[*]}" >&2
  exit 1
fi

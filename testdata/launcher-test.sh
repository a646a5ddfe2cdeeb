#!/usr/bin/env bash
# Tests bin/xen2kvm, the launcher, against the built jar: the first run writes the class
# data sharing archive without a word on stdout (JSON stays JSON), later runs map it (the
# JVM's -Xshare:on fails when it cannot), XEN2KVM_CDS=0 and an unwritable cache still run,
# a missing jar is a one-line error with exit code 2.
set -euo pipefail
cd "$(dirname "$0")/.."
launcher=bin/xen2kvm
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export XDG_CACHE_HOME=$work/cache
failures=0
check() { # $1 description, $2 shell command that must succeed
    if eval "$2"; then echo "ok   $1"; else echo "FAIL $1"; failures=$((failures + 1)); fi
}

truncate -s 8M "$work/disk.raw"
printf 'xen2kvm' | dd of="$work/disk.raw" bs=1 seek=65536 conv=notrunc status=none

"$launcher" disk info "$work/disk.raw" --json >"$work/first.json" 2>"$work/first.err"
check "first run prints only JSON" 'python3 -c "import json,sys; json.load(open(sys.argv[1]))" "$work/first.json"'
check "first run writes one archive" '[ "$(ls "$work"/cache/xen2kvm)" = "$(cd "$work"/cache/xen2kvm && ls classes-*.jsa)" ]'

check "second run maps the archive (-Xshare:on)" \
    'XEN2KVM_JAVA_OPTS=-Xshare:on "$launcher" disk convert "$work/disk.raw" "$work/out.qcow2" -O qcow2 >"$work/second.out"'
check "second run converts" 'grep -q "wrote qcow2 image" "$work/second.out"'

check "XEN2KVM_CDS=0 runs without an archive" 'XEN2KVM_CDS=0 XEN2KVM_JAVA_OPTS=-Xshare:off "$launcher" --version >/dev/null'
check "an unwritable cache still runs" 'XDG_CACHE_HOME=/proc/xen2kvm-none "$launcher" --version >/dev/null'

set +e
XEN2KVM_JAR=$work/missing.jar "$launcher" --version 2>"$work/missing.err"
rc=$?
set -e
check "a missing jar exits 2" '[ "$rc" = 2 ]'
check "a missing jar says which" 'grep -q "missing.jar not found" "$work/missing.err"'

if [ "$failures" -gt 0 ]; then
    echo "launcher-test: $failures check(s) failed" >&2
    exit 1
fi
echo "launcher-test: all checks passed"

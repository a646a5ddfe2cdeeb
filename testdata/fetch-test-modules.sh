#!/bin/sh
# Unpacks the modules of the Debian cloud kernel (the one fetch-test-kernel.sh boots) for the
# initramfs rebuild tests, and runs depmod on them so the tests' module supply has the real
# dependencies. Nothing is installed on the host. Idempotent.
#
# Output (stdout, for the tests to parse):
#   release=6.1.0-NN-cloud-amd64
#   root=/var/tmp/xen2kvm-testdata/kernel-modules   (holds lib/modules/RELEASE)
set -eu

CACHE="${XEN2KVM_TESTDATA:-/var/tmp/xen2kvm-testdata}/kernel-modules"
if [ -f "$CACHE/release" ] && [ -s "$CACHE/lib/modules/$(cat "$CACHE/release")/modules.dep" ]; then
    echo "release=$(cat "$CACHE/release")"
    echo "root=$CACHE"
    exit 0
fi
WORK="$(mktemp -d "${XEN2KVM_TESTDATA:-/var/tmp/xen2kvm-testdata}/modules.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
KDEB="$(ls /var/cache/apt/archives/linux-image-*-cloud-amd64_*.deb 2>/dev/null | grep -v unsigned | head -n 1 || true)"
if [ -z "$KDEB" ]; then
    KPKG="$(apt-cache depends linux-image-cloud-amd64 | sed -n 's/^ *Depends: \(linux-image-[0-9].*-cloud-amd64\)$/\1/p' | head -n 1)"
    [ -n "$KPKG" ] || { echo "fetch-test-modules: cannot resolve linux-image-cloud-amd64; run apt-get update" >&2; exit 1; }
    apt-get download "$KPKG" >&2
    KDEB="$(ls "$WORK"/linux-image-*.deb | head -n 1)"
fi
dpkg-deb -x "$KDEB" "$WORK/k"
RELEASE="$(ls "$WORK/k/lib/modules" | head -n 1)"
depmod -b "$WORK/k" "$RELEASE"
rm -rf "$CACHE"
mkdir -p "$CACHE/lib"
mv "$WORK/k/lib/modules" "$CACHE/lib/modules"
echo "$RELEASE" > "$CACHE/release"
echo "release=$RELEASE"
echo "root=$CACHE"

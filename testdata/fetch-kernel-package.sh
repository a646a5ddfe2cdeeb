#!/bin/sh
# Fetches the Debian cloud kernel package (linux-image-*-cloud-amd64) that the kernel
# package tests read and install (org.xen2kvm.pkg, testdata/make-kernel-rpm.sh). Nothing is
# installed on the host: `apt-get download` into a cache directory. Idempotent: a second run
# only prints the path.
#
# Needs: apt-cache, apt-get (with Debian bookworm sources).
# Output (stdout, one line, for the tests to parse):
#   deb=/var/tmp/xen2kvm-testdata/kernel-package/linux-image-6.1.0-NN-cloud-amd64_..._amd64.deb
set -eu

CACHE="${XEN2KVM_TESTDATA:-/var/tmp/xen2kvm-testdata}/kernel-package"
mkdir -p "$CACHE"
DEB="$(ls "$CACHE"/linux-image-*-cloud-amd64_*.deb 2>/dev/null | head -n 1 || true)"
if [ -z "$DEB" ]; then
    # apt's own cache first (test.sh or fetch-test-kernel.sh may have put it there).
    SRC="$(ls /var/cache/apt/archives/linux-image-*-cloud-amd64_*.deb 2>/dev/null | grep -v unsigned | head -n 1 || true)"
    WORK="$(mktemp -d "$CACHE/fetch.XXXXXX")"
    trap 'rm -rf "$WORK"' EXIT
    if [ -n "$SRC" ]; then
        cp "$SRC" "$WORK/"
    else
        KPKG="$(apt-cache depends linux-image-cloud-amd64 | sed -n 's/^ *Depends: \(linux-image-[0-9].*-cloud-amd64\)$/\1/p' | head -n 1)"
        [ -n "$KPKG" ] || { echo "fetch-kernel-package: cannot resolve linux-image-cloud-amd64; run apt-get update" >&2; exit 1; }
        (cd "$WORK" && apt-get download "$KPKG" >&2)
    fi
    F="$(ls "$WORK"/linux-image-*.deb | head -n 1)"
    # Move into place last, so an interrupted run never leaves a half-written package behind.
    mv "$F" "$CACHE/"
    DEB="$CACHE/$(basename "$F")"
fi
echo "deb=$DEB"

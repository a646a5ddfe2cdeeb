#!/bin/sh
# Prints the path of a Debian 12 linux-image-*-cloud-amd64 .deb (a real kernel with ~4,000
# modules), for the tests that compare xen2kvm's module handling with kmod's depmod/modprobe.
# Nothing is installed: the package is taken from apt's cache or fetched with `apt-get download`
# into a cache directory. Idempotent: a second run only prints the path.
#
# Needs: apt-get, apt-cache (with Debian bookworm sources).
# Output (stdout, one line): /var/tmp/xen2kvm-testdata/kernel-deb/linux-image-...-cloud-amd64_..._amd64.deb
set -eu

CACHE="${XEN2KVM_TESTDATA:-/var/tmp/xen2kvm-testdata}/kernel-deb"
mkdir -p "$CACHE"

KDEB="$(ls "$CACHE"/linux-image-*-cloud-amd64_*.deb 2>/dev/null | grep -v unsigned | head -n 1 || true)"
if [ -z "$KDEB" ]; then
    FOUND="$(ls /var/cache/apt/archives/linux-image-[0-9]*-cloud-amd64_*.deb 2>/dev/null | grep -v unsigned | head -n 1 || true)"
    WORK="$(mktemp -d "$CACHE/fetch.XXXXXX")"
    trap 'rm -rf "$WORK"' EXIT
    if [ -n "$FOUND" ]; then
        cp "$FOUND" "$WORK/"
    else
        KPKG="$(apt-cache depends linux-image-cloud-amd64 | sed -n 's/^ *Depends: \(linux-image-[0-9].*-cloud-amd64\)$/\1/p' | head -n 1)"
        [ -n "$KPKG" ] || { echo "fetch-kernel-deb: cannot resolve linux-image-cloud-amd64; run apt-get update" >&2; exit 1; }
        (cd "$WORK" && apt-get download "$KPKG" >&2)
    fi
    NEW="$(ls "$WORK"/linux-image-*.deb | head -n 1)"
    # Rename into place, so an interrupted run never leaves a half-written package behind.
    mv "$NEW" "$CACHE/"
    KDEB="$CACHE/$(basename "$NEW")"
fi
echo "$KDEB"

#!/bin/sh
# Fetches a small Linux kernel and a static busybox for the libvirt boot test
# (LibvirtBootIT). Nothing is installed on the host: the Debian packages are
# downloaded with `apt-get download` and unpacked with `dpkg-deb` into a cache
# directory. Idempotent: a second run only prints the paths.
#
# Needs: apt-get (with Debian bookworm sources), dpkg-deb. The boot itself needs
# qemu-system-x86 and libvirt-daemon-system (libvirtd + virtlogd running).
#
# Output (stdout, one per line, for the test to parse):
#   kernel=/var/tmp/xen2kvm-testdata/kernel/vmlinuz
#   busybox=/var/tmp/xen2kvm-testdata/kernel/busybox
set -eu

CACHE="${XEN2KVM_TESTDATA:-/var/tmp/xen2kvm-testdata}/kernel"
KERNEL="$CACHE/vmlinuz"
BUSYBOX="$CACHE/busybox"

if [ -s "$KERNEL" ] && [ -x "$BUSYBOX" ]; then
    echo "kernel=$KERNEL"
    echo "busybox=$BUSYBOX"
    exit 0
fi

mkdir -p "$CACHE"
WORK="$(mktemp -d "$CACHE/fetch.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"

# The cloud flavour is the smallest Debian kernel that still has the 8250 serial
# driver built in, which is all the test needs (console=ttyS0, no modules).
KDEB="$(ls /var/cache/apt/archives/linux-image-*-cloud-amd64_*.deb 2>/dev/null | grep -v unsigned | head -n 1 || true)"
if [ -z "$KDEB" ]; then
    KPKG="$(apt-cache depends linux-image-cloud-amd64 | sed -n 's/^ *Depends: \(linux-image-[0-9].*-cloud-amd64\)$/\1/p' | head -n 1)"
    [ -n "$KPKG" ] || { echo "fetch-test-kernel: cannot resolve linux-image-cloud-amd64; run apt-get update" >&2; exit 1; }
    apt-get download "$KPKG" >&2
    KDEB="$(ls "$WORK"/linux-image-*.deb | head -n 1)"
fi
BDEB="$(ls /var/cache/apt/archives/busybox-static_*.deb 2>/dev/null | head -n 1 || true)"
if [ -z "$BDEB" ]; then
    apt-get download busybox-static >&2
    BDEB="$(ls "$WORK"/busybox-static_*.deb | head -n 1)"
fi

dpkg-deb -x "$KDEB" "$WORK/k"
dpkg-deb -x "$BDEB" "$WORK/b"
VMLINUZ="$(ls "$WORK"/k/boot/vmlinuz-* | head -n 1)"
# Copy then rename, so an interrupted run never leaves a half-written file behind.
cp "$VMLINUZ" "$KERNEL.tmp" && mv "$KERNEL.tmp" "$KERNEL"
cp "$WORK/b/bin/busybox" "$BUSYBOX.tmp" && chmod 755 "$BUSYBOX.tmp" && mv "$BUSYBOX.tmp" "$BUSYBOX"

echo "kernel=$KERNEL"
echo "busybox=$BUSYBOX"

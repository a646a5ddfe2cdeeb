#!/usr/bin/env bash
# Runs the whole test suite (`CI=true ./.ci/run`, i.e. ../test.sh) on a fresh Debian 12 made
# with debootstrap, to prove that test.sh installs everything it needs: nothing is installed
# by hand and nothing is pre-seeded (Maven fetches from Maven Central into the chroot's own
# ~/.m2, build-guests.sh debootstraps the test guests into the chroot's /var/tmp).
#
#   testdata/fresh-debian.sh [DIR]     default DIR: /var/tmp/xen2kvm-chroot
#   XEN2KVM_CHROOT_CMD='...' testdata/fresh-debian.sh   run another command in it instead
#
# Needs root, debootstrap, git, unshare (util-linux). What it does:
#   - once: debootstrap --variant=minbase bookworm DIR (+ bookworm-updates and security
#     sources, as the Debian installer writes them, plus the host's local CA certificates
#     from /usr/local/share/ca-certificates, if any, for a TLS-intercepting proxy); a later
#     run reuses DIR as it is (delete DIR for a pristine machine again);
#   - clones the committed HEAD of this repository to DIR/root/work/main (a clean clone, as
#     CI has) and bind-mounts ../shared (the corpus) read-only at DIR/root/work/shared;
#   - runs the command in its own PID and mount namespace (unshare --pid --fork --mount),
#     switched into DIR with pivot_root (a root that is a mount point, and a mount table
#     without the host's mounts, as on a machine; libvirt and Java need both), a fresh /proc
#     of the new PID namespace (host processes such as the host's libvirtd are invisible), a tmpfs /run
#     (its own libvirt sockets), its own /dev (tmpfs + the device nodes the tests use, loop devices included, so
#     test.sh's chgrp of /dev/kvm does not touch the host's) and /sys. Every mount lives in
#     that namespace only and goes away with it: nothing is left mounted.
#   It shares the host's network namespace: xenbr0 and the guests' tap devices are the
#   host's.
set -euo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
ROOT=$(realpath -m "${1:-/var/tmp/xen2kvm-chroot}")
MIRROR=${XEN2KVM_MIRROR:-http://deb.debian.org/debian}
SHARED=$(realpath -m "$SRC/../shared")
# The fresh machine shares this host's network namespace: its libvirtd listens for the remote
# protocol on another port than a libvirtd of this host may (test.sh, RemoteLibvirtIT).
CMD=${XEN2KVM_CHROOT_CMD:-cd /root/work/main && time CI=true XEN2KVM_LIBVIRT_TCP_PORT=16510 ./.ci/run}

[ "$(id -u)" = 0 ] || { echo "fresh-debian: run as root" >&2; exit 2; }
for t in debootstrap git unshare; do
    command -v "$t" >/dev/null || { echo "fresh-debian: needs $t" >&2; exit 2; }
done

if [ ! -f "$ROOT/.xen2kvm-debootstrap-complete" ]; then
    echo "== debootstrap --variant=minbase bookworm $ROOT"
    debootstrap --variant=minbase bookworm "$ROOT" "$MIRROR"
    cat >"$ROOT/etc/apt/sources.list" <<EOF
deb $MIRROR bookworm main
deb $MIRROR bookworm-updates main
deb ${MIRROR%/debian}/debian-security bookworm-security main
EOF
    # Only when this host's network needs it: a TLS-intercepting egress proxy's CA (the
    # chroot shares the host's network). ca-certificates, which test.sh installs, adds it.
    if compgen -G "/usr/local/share/ca-certificates/*.crt" >/dev/null; then
        mkdir -p "$ROOT/usr/local/share/ca-certificates"
        cp /usr/local/share/ca-certificates/*.crt "$ROOT/usr/local/share/ca-certificates/"
    fi
    touch "$ROOT/.xen2kvm-debootstrap-complete"
fi

echo "== cloning $SRC ($(git -C "$SRC" rev-parse --short HEAD)) to $ROOT/root/work/main"
rm -rf "$ROOT/root/work/main"
mkdir -p "$ROOT/root/work/shared"
git clone -q "$SRC" "$ROOT/root/work/main"

# Runs inside the new namespaces, before the chroot.
inner() {
    set -euo pipefail
    local r=$1 shared=$2 cmd=$3
    # The root a mount point, as / is on a machine: Java's Files.getFileStore (used to
    # decide on O_DIRECT) looks the file's mount up in /proc/self/mounts.
    mount --bind "$r" "$r"
    mount -t proc proc "$r/proc"
    mount -t sysfs sysfs "$r/sys" 2>/dev/null || mount --rbind /sys "$r/sys"
    mount --rbind /sys/fs/cgroup "$r/sys/fs/cgroup" 2>/dev/null || true
    mount -t tmpfs -o mode=755,size=1g tmpfs "$r/run"
    mount -t tmpfs -o mode=755,size=64m tmpfs "$r/dev"
    mknod -m 666 "$r/dev/null" c 1 3
    mknod -m 666 "$r/dev/zero" c 1 5
    mknod -m 666 "$r/dev/full" c 1 7
    mknod -m 666 "$r/dev/random" c 1 8
    mknod -m 666 "$r/dev/urandom" c 1 9
    mknod -m 666 "$r/dev/tty" c 5 0
    mknod -m 600 "$r/dev/console" c 5 1
    [ -e /dev/kvm ] && mknod -m 600 "$r/dev/kvm" c 10 232
    mkdir -p "$r/dev/net" "$r/dev/pts" "$r/dev/shm"
    mknod -m 600 "$r/dev/net/tun" c 10 200
    # Loop devices: the LVM tests run pvcreate on image files through them (a machine has these).
    mknod -m 660 "$r/dev/loop-control" c 10 237
    for i in $(seq 0 63); do mknod -m 660 "$r/dev/loop$i" b 7 "$i"; done
    mount -t devpts -o newinstance,ptmxmode=0666,mode=620 devpts "$r/dev/pts"
    mknod -m 666 "$r/dev/ptmx" c 5 2
    mount -t tmpfs -o mode=1777 tmpfs "$r/dev/shm"
    ln -s /proc/self/fd "$r/dev/fd"
    ln -s /proc/self/fd/0 "$r/dev/stdin"
    ln -s /proc/self/fd/1 "$r/dev/stdout"
    ln -s /proc/self/fd/2 "$r/dev/stderr"
    if [ -d "$shared" ]; then
        mount --bind "$shared" "$r/root/work/shared"
        mount -o remount,bind,ro "$r/root/work/shared"
    fi
    # pivot_root, not a plain chroot: the mount table then holds this root's mounts only, as
    # on a machine (libvirt's per-domain mount namespace for QEMU fails in a plain chroot
    # with "Failed to create PTY").
    mkdir -p "$r/.oldroot"
    cd "$r"
    pivot_root . .oldroot
    umount -l /.oldroot
    rmdir /.oldroot
    exec chroot / /usr/bin/env -i HOME=/root TERM=dumb LANG=C.UTF-8 \
        PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
        bash -c "$cmd"
}
echo "== in the chroot: $CMD"
exec unshare --pid --fork --mount --propagation private \
    bash -c "$(declare -f inner); inner \"\$@\"" inner "$ROOT" "$SHARED" "$CMD"

#!/bin/bash
# Builds the Debian 12 Xen PV test guests for the kernel swap (issue 11): guests
# whose initramfs or kernel cannot find a virtio disk, so that they cannot boot
# on KVM unless xen2kvm rebuilds the initramfs or installs another kernel.
#
#   guest-modlist:  xen-tools layout (like guest-a); initramfs-tools with
#                   MODULES=list (xen-blkfront xen-netfront ext4) and
#                   RESUME=/dev/xvda1: no virtio in the initramfs
#   guest-novirtio: pygrub layout (like guest-b); every virtio module deleted
#                   from its only kernel, config saying so: a Xen-only kernel
#   guest-dracut:   pygrub layout; dracut instead of initramfs-tools, host-only
#                   initramfs without virtio
#   cloud-kernel/:  Debian's linux-image-*-cloud-amd64 .deb (apt-get download),
#                   the kernel the tests pass to --install-kernel
#
# Usage: testdata/build-kernel-guests.sh [OUTDIR]
#   OUTDIR defaults to /var/tmp/xen2kvm-testdata/<sha256 of this script and
#   guest-lib.sh>; an unchanged script finds its finished cache at once.
#   stdout: `cloud_kernel_deb=PATH`, then the output directory on the last line.
#   Progress goes to stderr.
#
# The debootstrap base tree is cached as a tarball keyed by its own recipe
# (/var/tmp/xen2kvm-testdata/kernel-guests-base-<hash>.tar.zst), so editing the
# guest steps below does not fetch Debian again.
#
# Needs root and: debootstrap e2fsprogs fdisk(sfdisk) grub-pc-bin grub-common
# util-linux (mkswap, unshare, mount) zstd apt. No loop devices. The dracut
# guest's initramfs is built with /proc, /sys and /dev mounted in the chroot,
# inside a private mount namespace (unshare -m) so the mounts die with it.
# Root password of every guest: xen2kvm
set -euo pipefail
export LC_ALL=C

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=guest-lib.sh
. "$SCRIPT_DIR/guest-lib.sh"
MARKER=.build-complete
ROOT_PASSWORD=xen2kvm
SUITE=bookworm
UUID_MODLIST=0b6c1a3e-1a1a-4a1a-8a1a-00000000001a
UUID_NOVIRTIO=0b6c1a3e-1b1b-4b1b-8b1b-00000000001b
UUID_DRACUT=0b6c1a3e-1c1c-4c1c-8c1c-00000000001c
SWAP_UUID_MODLIST=5a0b6c1a-1a1a-4a1a-8a1a-00000000001a
SWAP_UUID_NOVIRTIO=5a0b6c1a-1b1b-4b1b-8b1b-00000000001b
SWAP_UUID_DRACUT=5a0b6c1a-1c1c-4c1c-8c1c-00000000001c
ROOT_SIZE_MIB=1024
SWAP_SIZE_MIB=128
GRUB_DIR=/usr/lib/grub/i386-pc

log() { echo "build-kernel-guests: $*" >&2; }

print_result() {
    echo "cloud_kernel_deb=$(ls "$OUT"/cloud-kernel/*.deb)"
    echo "$OUT"
}

cache_begin "$SCRIPT_DIR/build-kernel-guests.sh" "${1:-}"
[ "$(id -u)" = 0 ] || { log "must run as root (debootstrap, chroot)"; exit 1; }
for tool in debootstrap mkfs.ext4 sfdisk mkswap grub-mkimage zstd unshare apt-get apt-cache python3; do
    command -v "$tool" >/dev/null || { log "missing tool $tool (see testdata/tools.tsv)"; exit 1; }
done
[ -f "$GRUB_DIR/boot.img" ] || { log "missing $GRUB_DIR/boot.img (apt-get install -y grub-pc-bin)"; exit 1; }

cache_lock
cleanup() {
    # Never delete through a mount point: the chroot mounts live in a private
    # namespace, but a tree with anything mounted in it is left alone.
    if grep -qF " $WORK/" /proc/self/mountinfo; then
        log "something is still mounted under $WORK; not deleting it"
        return
    fi
    rm -rf --one-file-system "$WORK"
}
trap cleanup EXIT
T_START=$(date +%s)

in_chroot() { # TREE CMD...: runs CMD in TREE without any mount
    local tree=$1; shift
    DEBIAN_FRONTEND=noninteractive chroot "$tree" "$@"
}

in_chroot_mounted() { # TREE CMD...: runs CMD in TREE with /proc, /sys, /dev, /run mounted
    local tree=$1; shift
    # A private mount namespace: the mounts vanish with the process, even if
    # this script is killed, and the host never sees them.
    DEBIAN_FRONTEND=noninteractive unshare --mount --propagation private \
        /bin/sh -euc 'tree=$1; shift
            mount -t proc proc "$tree/proc"
            mount -t sysfs sysfs "$tree/sys"
            mount --bind /dev "$tree/dev"
            mount -t tmpfs tmpfs "$tree/run"
            exec chroot "$tree" "$@"' sh "$tree" "$@"
}

# ------------------------------------------------------------------ base ----
# Everything the three guests share. Its text keys the base tarball's cache.
build_base() { # TREE MIRROR
    local tree=$1 mirror=$2
    # debootstrap mounts /proc and /sys in the tree while it installs: in a
    # private mount namespace a killed build leaves no mount behind.
    unshare --mount --propagation private debootstrap --variant=minbase \
        --include=systemd-sysv,udev,linux-image-amd64,initramfs-tools,ifupdown,iproute2,procps,kmod \
        bookworm "$tree" "$mirror" >"$WORK/debootstrap.log" 2>&1 \
        || { tail -n 30 "$WORK/debootstrap.log" >&2; return 1; }
    local kver
    kver=$(basename "$(ls "$tree"/boot/vmlinuz-* | sort -V | tail -n 1)")
    kver=${kver#vmlinuz-}
    echo "root:xen2kvm" | chroot "$tree" chpasswd
    # Same pruning as build-guests.sh: module trees no Xen PV or KVM guest loads.
    local moddir=$tree/usr/lib/modules/$kver/kernel
    rm -rf "$moddir/sound" "$moddir/drivers/gpu" "$moddir/drivers/media" \
        "$moddir/drivers/net/wireless" "$moddir/drivers/infiniband" \
        "$moddir/drivers/staging" "$moddir/drivers/iio" "$moddir/net/wireless" \
        "$moddir/net/mac80211" "$moddir/net/bluetooth" "$moddir/drivers/bluetooth"
    chroot "$tree" depmod "$kver"
    # dracut's packages, fetched now so the dracut guest installs offline.
    cp /etc/resolv.conf "$tree/etc/resolv.conf"
    DEBIAN_FRONTEND=noninteractive chroot "$tree" apt-get install -y -q --download-only \
        --no-install-recommends dracut >"$WORK/dracut-download.log" 2>&1 \
        || { cat "$WORK/dracut-download.log" >&2; return 1; }
    rm -f "$tree"/boot/*.dpkg-bak
    rm -f "$tree/etc/resolv.conf" "$tree"/var/log/*.log "$tree"/var/log/apt/*
    : >"$tree/etc/machine-id"
    rm -f "$tree/var/lib/dbus/machine-id"
    # Xen PV console only, as in build-guests.sh: a getty on hvc0, none on ttyS0.
    local wants=$tree/etc/systemd/system/getty.target.wants
    mkdir -p "$wants"
    ln -sf /lib/systemd/system/serial-getty@.service "$wants/serial-getty@hvc0.service"
    rm -f "$wants/serial-getty@ttyS0.service"
}
BASE_KEY=$( { declare -f build_base; echo "$SUITE"; } | sha256sum | cut -c1-16)
BASE_TAR=$PARENT/kernel-guests-base-$BASE_KEY.tar.zst
BASE=$WORK/base
t0=$(date +%s)
if [ -f "$BASE_TAR" ]; then
    log "base tree from cache $BASE_TAR"
else
    MIRROR=$(detect_mirror)
    log "debootstrap $SUITE from $MIRROR"
    build_base "$BASE" "$MIRROR"
    tar -C "$BASE" --numeric-owner --xattrs --acls -I 'zstd -q -T0 -3' -cf "$BASE_TAR.tmp" .
    mv "$BASE_TAR.tmp" "$BASE_TAR"
    rm -rf --one-file-system "$BASE"
fi
mkdir -p "$BASE"
tar -C "$BASE" --numeric-owner --xattrs --acls -I 'zstd -q -d' -xf "$BASE_TAR"
log "base tree ready in $(( $(date +%s) - t0 )) s"
KVER=$(basename "$(ls "$BASE"/boot/vmlinuz-* | sort -V | tail -n 1)")
KVER=${KVER#vmlinuz-}
log "kernel $KVER"

# Lists the files of TREE's initramfs for KVER with the guest's own tool.
# (Captured whole: grep -q closing a pipe early would fail it under pipefail.)
initramfs_listing() { # TREE TOOL(lsinitramfs|lsinitrd)
    local listing
    listing=$(in_chroot "$1" "$2" "/boot/initrd.img-$KVER")
    printf '%s\n' "$listing"
}

# Fails the build when TREE's initramfs contains a virtio module.
assert_no_virtio() { # TREE TOOL NAME
    local found
    local listing
    listing=$(initramfs_listing "$1" "$2")
    found=$(grep -E 'virtio[^/]*\.ko' <<<"$listing" || true)
    if [ -n "$found" ]; then
        log "$3: the initramfs still has virtio modules:"; echo "$found" >&2; return 1
    fi
}

# Fails the build when TREE's initramfs lacks MODULE (a Xen guest needs it).
assert_has_module() { # TREE TOOL MODULE NAME
    local listing
    listing=$(initramfs_listing "$1" "$2")
    grep -qE "/$3\.ko" <<<"$listing" || { log "$4: the initramfs lacks $3"; return 1; }
}

xen_tools_cfg() { # NAME FINAL_DIR IP MAC
    cat <<EOF
#
# Configuration file for the Xen instance $1, created
# by xen-tools (layout reproduced by xen2kvm testdata/build-kernel-guests.sh).
#

#
#  Kernel + memory size
#
kernel      = '$2/vmlinuz'
extra       = 'elevator=noop console=hvc0'
ramdisk     = '$2/initrd.img'

vcpus       = '1'
memory      = '512'

#
#  Disk device(s).
#
root        = '/dev/xvda2 ro'
disk        = [
                  'file:$2/disk.img,xvda2,w',
                  'file:$2/swap.img,xvda1,w',
              ]

#
#  Hostname
#
name        = '$1'

#
#  Networking
#
vif         = [ 'ip=$3,mac=$4,bridge=xenbr0' ]

#
#  Behaviour
#
on_poweroff = 'destroy'
on_reboot   = 'restart'
on_crash    = 'restart'
EOF
}

pygrub_cfg() { # NAME FINAL_DIR IP MAC
    cat <<EOF
# Xen PV guest booted by pygrub from its own /boot/grub/grub.cfg.
name       = '$1'
bootloader = 'pygrub'
memory     = 512
vcpus      = 1
disk       = [ 'file:$2/disk.img,xvda,w',
               'file:$2/swap.img,xvdb,w' ]
vif        = [ 'ip=$3,mac=$4,bridge=xenbr0' ]
on_poweroff = 'destroy'
on_reboot   = 'restart'
on_crash    = 'restart'
EOF
}

PYGRUB_FSTAB="# /etc/fstab: static file system information.
# <file system> <mount point>   <type>  <options>       <dump>  <pass>
/dev/xvda1      /               ext4    errors=remount-ro 0       1
/dev/xvdb       none            swap    sw              0       0
"

# --------------------------------------------------------- guest-modlist ---
t0=$(date +%s)
log "guest-modlist: xen-tools layout, initramfs-tools MODULES=list"
G=$STAGE/guest-modlist; R=$WORK/root-modlist
mkdir -p "$G"
configure_guest "$BASE" "$R" guest-modlist 10.99.0.12 \
"# /etc/fstab: static file system information (written by xen-tools).
proc            /proc   proc    defaults                 0 0
/dev/xvda2      /       ext4    noatime,errors=remount-ro 0 1
/dev/xvda1      none    swap    sw                       0 0
"
sed -i 's/^MODULES=.*/MODULES=list/' "$R/etc/initramfs-tools/initramfs.conf"
grep -qx 'MODULES=list' "$R/etc/initramfs-tools/initramfs.conf" \
    || { log "guest-modlist: no MODULES= line in initramfs.conf"; exit 1; }
cat >>"$R/etc/initramfs-tools/modules" <<'EOF'
# What a Xen PV guest needs, and nothing else (MODULES=list).
xen-blkfront
xen-netfront
ext4
EOF
mkdir -p "$R/etc/initramfs-tools/conf.d"
echo "RESUME=/dev/xvda1" >"$R/etc/initramfs-tools/conf.d/resume"
in_chroot "$R" update-initramfs -u -k all >"$WORK/modlist-initramfs.log" 2>&1 \
    || { cat "$WORK/modlist-initramfs.log" >&2; exit 1; }
assert_no_virtio "$R" lsinitramfs guest-modlist
assert_has_module "$R" lsinitramfs xen-blkfront guest-modlist
LISTING=$(initramfs_listing "$R" lsinitramfs)
grep -qx 'conf/conf.d/resume' <<<"$LISTING" \
    || { log "guest-modlist: the initramfs has no conf/conf.d/resume"; exit 1; }
rm -f "$R"/boot/*.dpkg-bak "$R"/var/cache/apt/archives/*.deb
cp "$R/boot/vmlinuz-$KVER" "$G/vmlinuz"
cp "$R/boot/initrd.img-$KVER" "$G/initrd.img"
mkfs.ext4 -q -F -L root -U "$UUID_MODLIST" -d "$R" "$G/disk.img" "${ROOT_SIZE_MIB}M" >&2
make_swap "$G/swap.img" "$SWAP_UUID_MODLIST" "$SWAP_SIZE_MIB"
xen_tools_cfg guest-modlist "$OUT/guest-modlist" 10.99.0.12 00:16:3e:00:00:1a >"$G/guest-modlist.cfg"
rm -rf --one-file-system "$R"
log "guest-modlist took $(( $(date +%s) - t0 )) s"

# -------------------------------------------------------- guest-novirtio ---
t0=$(date +%s)
log "guest-novirtio: pygrub layout, kernel without virtio"
G=$STAGE/guest-novirtio; R=$WORK/root-novirtio
mkdir -p "$G"
configure_guest "$BASE" "$R" guest-novirtio 10.99.0.13 "$PYGRUB_FSTAB"
MODROOT=$R/usr/lib/modules/$KVER
if grep -q virtio "$MODROOT/modules.builtin"; then
    log "guest-novirtio: $KVER has virtio built in; it cannot stand in for a Xen-only kernel:"
    grep virtio "$MODROOT/modules.builtin" >&2; exit 1
fi
# Every module named *virtio*, then every module that needs one of them
# (modules.dep), until nothing more goes.
python3 - "$MODROOT" >"$WORK/novirtio-removed.txt" <<'PYEOF'
import os, sys
root = sys.argv[1]
deps = {}
for line in open(os.path.join(root, 'modules.dep')):
    mod, _, rest = line.partition(':')
    deps[mod] = rest.split()
gone = {m for m in deps if 'virtio' in os.path.basename(m)}
while True:
    more = {m for m, d in deps.items() if m not in gone and any(x in gone for x in d)}
    if not more:
        break
    gone |= more
for m in sorted(gone):
    os.remove(os.path.join(root, m))
    print(m)
PYEOF
log "guest-novirtio: removed $(wc -l <"$WORK/novirtio-removed.txt") modules"
find "$MODROOT/kernel" -depth -type d -empty -delete
in_chroot "$R" depmod "$KVER"
LEFT=$(find "$MODROOT" -name '*virtio*')
if [ -n "$LEFT" ]; then
    log "guest-novirtio: virtio files left in $MODROOT:"; echo "$LEFT" >&2; exit 1
fi
# The config says what the modules say: no virtio at all.
sed -i -E 's/^(CONFIG_[A-Z0-9_]*VIRTIO[A-Z0-9_]*)=.*/# \1 is not set/' "$R/boot/config-$KVER"
grep -q '^# CONFIG_VIRTIO_BLK is not set' "$R/boot/config-$KVER" \
    || { log "guest-novirtio: CONFIG_VIRTIO_BLK not in config-$KVER"; exit 1; }
if grep -E '^CONFIG_[A-Z0-9_]*VIRTIO' "$R/boot/config-$KVER"; then
    log "guest-novirtio: virtio options left in config-$KVER"; exit 1
fi
mkdir -p "$R/etc/initramfs-tools/conf.d"
echo "RESUME=none" >"$R/etc/initramfs-tools/conf.d/resume"
in_chroot "$R" update-initramfs -u -k all >"$WORK/novirtio-initramfs.log" 2>&1 \
    || { cat "$WORK/novirtio-initramfs.log" >&2; exit 1; }
assert_no_virtio "$R" lsinitramfs guest-novirtio
assert_has_module "$R" lsinitramfs xen-blkfront guest-novirtio
rm -f "$R"/boot/*.dpkg-bak "$R"/var/cache/apt/archives/*.deb
# Copies of its /boot pair for tests that boot them directly (the negative
# proof); pygrub itself reads them from the disk.
mkdir -p "$G/direct-boot"
cp "$R/boot/vmlinuz-$KVER" "$G/direct-boot/vmlinuz"
cp "$R/boot/initrd.img-$KVER" "$G/direct-boot/initrd.img"
write_pygrub_boot "$R" "$UUID_NOVIRTIO" "$KVER" /dev/xvda1
make_mbr_disk "$R" "$G/disk.img" "$UUID_NOVIRTIO" "$ROOT_SIZE_MIB" 0x0000001b "$WORK"
make_swap "$G/swap.img" "$SWAP_UUID_NOVIRTIO" "$SWAP_SIZE_MIB"
pygrub_cfg guest-novirtio "$OUT/guest-novirtio" 10.99.0.13 00:16:3e:00:00:1b >"$G/guest-novirtio.cfg"
rm -rf --one-file-system "$R"
log "guest-novirtio took $(( $(date +%s) - t0 )) s"

# ---------------------------------------------------------- guest-dracut ---
t0=$(date +%s)
log "guest-dracut: pygrub layout, dracut host-only"
G=$STAGE/guest-dracut; R=$WORK/root-dracut
mkdir -p "$G"
configure_guest "$BASE" "$R" guest-dracut 10.99.0.14 "$PYGRUB_FSTAB"
# Host-only, as a guest built on its Xen host would have it: the Xen drivers
# its host had, no generic set. The build host's own root and swap must not
# leak in: no host-only kernel command line, no resume module.
mkdir -p "$R/etc/dracut.conf.d"
cat >"$R/etc/dracut.conf.d/10-xen-hostonly.conf" <<'EOF'
# Built on the Xen host: host-only, with the Xen PV drivers.
hostonly="yes"
hostonly_cmdline="no"
add_drivers+=" xen-blkfront xen-netfront ext4 "
omit_dracutmodules+=" resume "
EOF
# Installing dracut removes initramfs-tools; its trigger builds the
# initramfs of every installed kernel with the configuration above.
in_chroot_mounted "$R" apt-get install -y -q --no-download --no-install-recommends dracut \
    >"$WORK/dracut-install.log" 2>&1 || { tail -n 40 "$WORK/dracut-install.log" >&2; exit 1; }
if in_chroot "$R" dpkg-query -W -f='${Status}' initramfs-tools 2>/dev/null | grep -q 'install ok installed'; then
    log "guest-dracut: initramfs-tools is still installed"; exit 1
fi
# dracut itself may drop host-only mode in a chroot (e.g. no /proc/modules
# when the build host's kernel has no loadable modules): say so.
DRACUT_HOSTONLY=yes
if grep -qiE 'non-hostonly mode|Turning off host-only' "$WORK/dracut-install.log"; then
    DRACUT_HOSTONLY=no
    log "guest-dracut: dracut turned host-only mode off in the chroot:"
    grep -iE 'non-hostonly mode|Turning off host-only' "$WORK/dracut-install.log" >&2
fi
DRACUT_OMIT=no
if ! assert_no_virtio "$R" lsinitrd guest-dracut 2>"$WORK/dracut-virtio.txt"; then
    # Host-only in a chroot looks at the BUILD host (its /sys, its loaded
    # modules), and without host-only dracut takes every storage driver: either
    # way virtio gets in. Force out every virtio module the kernel has, by the
    # module name dracut matches (dashes as underscores).
    cat "$WORK/dracut-virtio.txt" >&2
    log "guest-dracut: forcing the virtio drivers out with omit_drivers"
    OMIT=$(find "$R/usr/lib/modules/$KVER" -name '*virtio*.ko*' -printf '%f\n' \
        | sed -E 's/\.ko(\..*)?$//; s/-/_/g' | sort -u | tr '\n' ' ')
    cat >>"$R/etc/dracut.conf.d/10-xen-hostonly.conf" <<EOF
# Added by build-kernel-guests.sh: the build host's virtio drivers got in.
omit_drivers+=" $OMIT"
EOF
    DRACUT_OMIT=yes
    in_chroot_mounted "$R" dracut -f "/boot/initrd.img-$KVER" "$KVER" >"$WORK/dracut.log" 2>&1 \
        || { tail -n 40 "$WORK/dracut.log" >&2; exit 1; }
    assert_no_virtio "$R" lsinitrd guest-dracut
fi
assert_has_module "$R" lsinitrd xen-blkfront guest-dracut
in_chroot "$R" apt-get clean
rm -f "$R"/boot/*.dpkg-bak "$R"/var/log/*.log "$R"/var/log/apt/* "$R"/var/log/dracut* 2>/dev/null || true
write_pygrub_boot "$R" "$UUID_DRACUT" "$KVER" /dev/xvda1
make_mbr_disk "$R" "$G/disk.img" "$UUID_DRACUT" "$ROOT_SIZE_MIB" 0x0000001c "$WORK"
make_swap "$G/swap.img" "$SWAP_UUID_DRACUT" "$SWAP_SIZE_MIB"
pygrub_cfg guest-dracut "$OUT/guest-dracut" 10.99.0.14 00:16:3e:00:00:1c >"$G/guest-dracut.cfg"
rm -rf --one-file-system "$R"
log "guest-dracut took $(( $(date +%s) - t0 )) s"

# ---------------------------------------------------------- cloud kernel ---
t0=$(date +%s)
mkdir -p "$STAGE/cloud-kernel"
KPKG=$(apt-cache depends linux-image-cloud-amd64 \
    | sed -n 's/^ *Depends: \(linux-image-[0-9].*-cloud-amd64\)$/\1/p' | head -n 1)
[ -n "$KPKG" ] || { log "cannot resolve linux-image-cloud-amd64; run apt-get update"; exit 1; }
KVERSION=$(apt-cache policy "$KPKG" | awk '/Candidate:/ {print $2}')
CACHED=/var/cache/apt/archives/${KPKG}_${KVERSION//:/%3a}_amd64.deb
if [ -f "$CACHED" ]; then
    cp "$CACHED" "$STAGE/cloud-kernel/"
else
    (cd "$STAGE/cloud-kernel" && apt-get download "$KPKG" >&2)
fi
CLOUD_DEB=$(ls "$STAGE"/cloud-kernel/*.deb)
CLOUD_KVER=${KPKG#linux-image-}
log "cloud kernel $(basename "$CLOUD_DEB") ($(( $(date +%s) - t0 )) s)"

cat >"$STAGE/BUILD-INFO" <<EOF
suite=$SUITE
kernel=$KVER
root_password=$ROOT_PASSWORD
guest_modlist_root_uuid=$UUID_MODLIST
guest_novirtio_root_uuid=$UUID_NOVIRTIO
guest_dracut_root_uuid=$UUID_DRACUT
guest_dracut_hostonly_effective=$DRACUT_HOSTONLY
guest_dracut_omit_drivers_forced=$DRACUT_OMIT
cloud_kernel_deb=cloud-kernel/$(basename "$CLOUD_DEB")
cloud_kernel_release=$CLOUD_KVER
base_tarball=$BASE_TAR
EOF
cp "$WORK/novirtio-removed.txt" "$STAGE/guest-novirtio/removed-modules.txt"
rm -rf --one-file-system "$BASE"
log "built in $(( $(date +%s) - T_START )) s"
cache_finish

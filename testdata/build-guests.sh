#!/bin/bash
# Builds two real Debian 12 Xen PV test guests for xen2kvm's end-to-end tests.
#
#   guest-a: xen-tools layout (kernel/initrd in dom0, raw ext4 root without a
#            partition table as xvda2, swap image as xvda1)
#   guest-b: pygrub layout (one MBR disk: partition 1 = ext4 root with
#            /boot/grub/grub.cfg, GRUB 2 in the MBR; swap image as xvdb)
#
# Usage: testdata/build-guests.sh [OUTDIR]
#   OUTDIR defaults to /var/tmp/xen2kvm-testdata/<sha256 of this script and
#   guest-lib.sh>, so an
#   unchanged script finds its finished cache and returns at once.
#   The last stdout line is the output directory; progress goes to stderr.
#
# Needs root and: debootstrap e2fsprogs fdisk(sfdisk) grub-pc-bin grub2-common
# (grub-mkimage) util-linux (mkswap). No loop devices, no mounts.
# Root password of both guests: xen2kvm
# Environment: XEN2KVM_MIRROR overrides the Debian mirror (default: the one
# apt uses for bookworm, else http://deb.debian.org/debian).
set -euo pipefail
export LC_ALL=C

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=guest-lib.sh
. "$SCRIPT_DIR/guest-lib.sh"
MARKER=.build-complete
ROOT_PASSWORD=xen2kvm
SUITE=bookworm
# Fixed filesystem UUIDs: the test images are reproducible in what matters.
UUID_A=0b6c1a3e-0a0a-4a0a-8a0a-00000000000a
UUID_B=0b6c1a3e-0b0b-4b0b-8b0b-00000000000b
SWAP_UUID_A=5a0b6c1a-0a0a-4a0a-8a0a-00000000000a
SWAP_UUID_B=5a0b6c1a-0b0b-4b0b-8b0b-00000000000b
ROOT_SIZE_MIB=1024
SWAP_SIZE_MIB=128
# Partition 1 of guest-b starts at 1 MiB, as every modern partitioner does.
PART_START_SECTOR=2048 # what make_mbr_disk (guest-lib.sh) lays out
GRUB_DIR=/usr/lib/grub/i386-pc

log() { echo "build-guests: $*" >&2; }

cache_begin "$SCRIPT_DIR/build-guests.sh" "${1:-}"
[ "$(id -u)" = 0 ] || { log "must run as root (debootstrap, chroot)"; exit 1; }
for tool in debootstrap mkfs.ext4 debugfs sfdisk mkswap grub-mkimage; do
    command -v "$tool" >/dev/null || { log "missing tool $tool (apt-get install -y debootstrap e2fsprogs fdisk grub-pc-bin grub2-common)"; exit 1; }
done
[ -f "$GRUB_DIR/boot.img" ] || { log "missing $GRUB_DIR/boot.img (apt-get install -y grub-pc-bin)"; exit 1; }

cache_lock
cleanup() { rm -rf "$WORK"; }
trap cleanup EXIT
# The final tree is assembled in STAGE and renamed to OUT at the very end; the
# xl configs already name the final absolute paths.
mkdir -p "$STAGE/guest-a" "$STAGE/guest-b"

# ---------------------------------------------------------------- rootfs ----
MIRROR=$(detect_mirror)
ROOTFS=$WORK/rootfs
t0=$(date +%s)
if [ -n "${XEN2KVM_REUSE_DEBOOTSTRAP:-}" ]; then
    # Developer aid: copy a finished debootstrap tree instead of fetching.
    log "copying debootstrap tree $XEN2KVM_REUSE_DEBOOTSTRAP"
    cp -a "$XEN2KVM_REUSE_DEBOOTSTRAP" "$ROOTFS"
else
    log "debootstrap $SUITE from $MIRROR"
    debootstrap --variant=minbase \
        --include=systemd-sysv,udev,linux-image-amd64,initramfs-tools,ifupdown,iproute2,procps,kmod \
        "$SUITE" "$ROOTFS" "$MIRROR" >"$WORK/debootstrap.log" 2>&1 \
        || { tail -n 30 "$WORK/debootstrap.log" >&2; exit 1; }
fi
log "debootstrap took $(( $(date +%s) - t0 )) s"

KVER=$(basename "$(ls "$ROOTFS"/boot/vmlinuz-* | sort -V | tail -n 1)")
KVER=${KVER#vmlinuz-}
log "kernel $KVER"

# Shared configuration (identical in both guests).
echo "root:$ROOT_PASSWORD" | chroot "$ROOTFS" chpasswd
# Keep the images small: drop module trees no test guest (Xen PV or KVM with
# virtio) loads: graphics, sound, media, wireless, InfiniBand, staging.
MODDIR=$ROOTFS/usr/lib/modules/$KVER/kernel
rm -rf "$MODDIR/sound" "$MODDIR/drivers/gpu" "$MODDIR/drivers/media" \
    "$MODDIR/drivers/net/wireless" "$MODDIR/drivers/infiniband" \
    "$MODDIR/drivers/staging" "$MODDIR/drivers/iio" "$MODDIR/net/wireless" \
    "$MODDIR/net/mac80211" "$MODDIR/net/bluetooth" "$MODDIR/drivers/bluetooth"
chroot "$ROOTFS" depmod "$KVER"
# No swap is known while building; an explicit RESUME=none keeps the host's
# swap (if any) out of the guests' initramfs.
mkdir -p "$ROOTFS/etc/initramfs-tools/conf.d"
echo "RESUME=none" >"$ROOTFS/etc/initramfs-tools/conf.d/resume"
chroot "$ROOTFS" update-initramfs -u -k "$KVER" >"$WORK/initramfs.log" 2>&1 \
    || { cat "$WORK/initramfs.log" >&2; exit 1; }
chroot "$ROOTFS" apt-get clean
rm -f "$ROOTFS"/boot/*.dpkg-bak
rm -f "$ROOTFS/etc/resolv.conf" "$ROOTFS"/var/log/*.log "$ROOTFS"/var/log/apt/*
# A machine-id is made at first boot (systemd copes with an empty file).
: >"$ROOTFS/etc/machine-id"
rm -f "$ROOTFS/var/lib/dbus/machine-id"
# Xen PV console only: a getty on hvc0; tty1 (the systemd default) stays as
# Debian ships it, and nothing on ttyS0: adding that is the converter's job.
WANTS=$ROOTFS/etc/systemd/system/getty.target.wants
mkdir -p "$WANTS"
ln -sf /lib/systemd/system/serial-getty@.service "$WANTS/serial-getty@hvc0.service"
rm -f "$WANTS/serial-getty@ttyS0.service"
if grep -rqs ttyS0 "$ROOTFS/etc/systemd/system"; then
    log "unexpected ttyS0 unit in the guest"; exit 1
fi

# ---------------------------------------------------------------- guest-a ---
log "guest-a: xen-tools layout"
A=$STAGE/guest-a
configure_guest "$ROOTFS" "$WORK/root-a" guest-a 10.99.0.2 \
"# /etc/fstab: static file system information (written by xen-tools).
proc            /proc   proc    defaults                 0 0
/dev/xvda2      /       ext4    noatime,errors=remount-ro 0 1
/dev/xvda1      none    swap    sw                       0 0
"
cp "$WORK/root-a/boot/vmlinuz-$KVER" "$A/vmlinuz"
cp "$WORK/root-a/boot/initrd.img-$KVER" "$A/initrd.img"
mkfs.ext4 -q -F -L root -U "$UUID_A" -d "$WORK/root-a" "$A/disk.img" "${ROOT_SIZE_MIB}M" >&2
make_swap "$A/swap.img" "$SWAP_UUID_A" "$SWAP_SIZE_MIB"
FINAL_A=$OUT/guest-a
cat >"$A/guest-a.cfg" <<EOF
#
# Configuration file for the Xen instance guest-a, created
# by xen-tools (layout reproduced by xen2kvm testdata/build-guests.sh).
#

#
#  Kernel + memory size
#
kernel      = '$FINAL_A/vmlinuz'
extra       = 'elevator=noop console=hvc0'
ramdisk     = '$FINAL_A/initrd.img'

vcpus       = '1'
memory      = '512'

#
#  Disk device(s).
#
root        = '/dev/xvda2 ro'
disk        = [
                  'file:$FINAL_A/disk.img,xvda2,w',
                  'file:$FINAL_A/swap.img,xvda1,w',
              ]

#
#  Physical volumes
#

#
#  Hostname
#
name        = 'guest-a'

#
#  Networking
#
vif         = [ 'ip=10.99.0.2,mac=00:16:3e:00:00:0a,bridge=xenbr0' ]

#
#  Behaviour
#
on_poweroff = 'destroy'
on_reboot   = 'restart'
on_crash    = 'restart'
EOF
rm -rf "$WORK/root-a"

# ---------------------------------------------------------------- guest-b ---
log "guest-b: pygrub layout"
B=$STAGE/guest-b
configure_guest "$ROOTFS" "$WORK/root-b" guest-b 10.99.0.3 \
"# /etc/fstab: static file system information.
# <file system> <mount point>   <type>  <options>       <dump>  <pass>
/dev/xvda1      /               ext4    errors=remount-ro 0       1
/dev/xvdb       none            swap    sw              0       0
"
RB=$WORK/root-b
write_pygrub_boot "$RB" "$UUID_B" "$KVER" /dev/xvda1
make_mbr_disk "$RB" "$B/disk.img" "$UUID_B" "$ROOT_SIZE_MIB" 0x0000000b "$WORK"
rm -rf "$RB"
make_swap "$B/swap.img" "$SWAP_UUID_B" "$SWAP_SIZE_MIB"
FINAL_B=$OUT/guest-b
cat >"$B/guest-b.cfg" <<EOF
# Xen PV guest booted by pygrub from its own /boot/grub/grub.cfg.
name       = 'guest-b'
bootloader = 'pygrub'
memory     = 512
vcpus      = 1
disk       = [ 'file:$FINAL_B/disk.img,xvda,w',
               'file:$FINAL_B/swap.img,xvdb,w' ]
vif        = [ 'ip=10.99.0.3,mac=00:16:3e:00:00:0b,bridge=xenbr0' ]
on_poweroff = 'destroy'
on_reboot   = 'restart'
on_crash    = 'restart'
EOF

cat >"$STAGE/BUILD-INFO" <<EOF
suite=$SUITE
mirror=$MIRROR
kernel=$KVER
root_password=$ROOT_PASSWORD
guest_a_root_uuid=$UUID_A
guest_b_root_uuid=$UUID_B
guest_b_partition_start_sector=$PART_START_SECTOR
EOF
cache_finish

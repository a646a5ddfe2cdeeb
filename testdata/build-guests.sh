#!/bin/bash
# Builds two real Debian 12 Xen PV test guests for xen2kvm's end-to-end tests.
#
#   guest-a: xen-tools layout (kernel/initrd in dom0, raw ext4 root without a
#            partition table as xvda2, swap image as xvda1)
#   guest-b: pygrub layout (one MBR disk: partition 1 = ext4 root with
#            /boot/grub/grub.cfg, GRUB 2 in the MBR; swap image as xvdb)
#
# Usage: testdata/build-guests.sh [OUTDIR]
#   OUTDIR defaults to /var/tmp/xen2kvm-testdata/<sha256 of this script>, so an
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
HASH=$(cat "$SCRIPT_DIR/build-guests.sh" | sha256sum | cut -c1-16)
OUT=${1:-/var/tmp/xen2kvm-testdata/$HASH}
# The xl configs name absolute paths.
OUT=$(realpath -m "$OUT")
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
PART_START_SECTOR=2048
SECTOR=512

log() { echo "build-guests: $*" >&2; }

if [ -f "$OUT/$MARKER" ]; then
    log "cached: $OUT"
    echo "$OUT"
    exit 0
fi
[ "$(id -u)" = 0 ] || { log "must run as root (debootstrap, chroot)"; exit 1; }
for tool in debootstrap mkfs.ext4 debugfs sfdisk mkswap grub-mkimage; do
    command -v "$tool" >/dev/null || { log "missing tool $tool (apt-get install -y debootstrap e2fsprogs fdisk grub-pc-bin grub2-common)"; exit 1; }
done
GRUB_DIR=/usr/lib/grub/i386-pc
[ -f "$GRUB_DIR/boot.img" ] || { log "missing $GRUB_DIR/boot.img (apt-get install -y grub-pc-bin)"; exit 1; }

detect_mirror() {
    if [ -n "${XEN2KVM_MIRROR:-}" ]; then echo "$XEN2KVM_MIRROR"; return; fi
    local uri
    uri=$(awk '/^URIs:/ {u=$2} /^Suites:/ && / bookworm( |$)/ && u != "" {print u; exit}' \
        /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
    if [ -z "$uri" ]; then
        uri=$(awk '$1 == "deb" && $3 == "bookworm" {print $2; exit}' \
            /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null || true)
    fi
    echo "${uri:-http://deb.debian.org/debian}"
}

PARENT=$(dirname "$OUT")
mkdir -p "$PARENT"
# One builder per output directory: a second caller (e.g. a parallel test
# run) waits and then finds the finished cache.
exec 9>"$PARENT/.$(basename "$OUT").lock"
flock 9
if [ -f "$OUT/$MARKER" ]; then
    log "built meanwhile: $OUT"
    echo "$OUT"
    exit 0
fi
WORK=$(mktemp -d "$PARENT/.build-$(basename "$OUT").XXXXXX")
cleanup() { rm -rf "$WORK"; }
trap cleanup EXIT
# The final tree is assembled in STAGE and renamed to OUT at the very end; the
# xl configs already name the final absolute paths.
STAGE=$WORK/out
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

make_swap() { # FILE UUID
    # A fully allocated image: mkswap warns about holes in sparse files.
    dd if=/dev/zero of="$1" bs=1M count="$SWAP_SIZE_MIB" status=none
    chmod 0600 "$1"
    mkswap -L swap -U "$2" "$1" >/dev/null
}

# Per-guest files on a copy of the shared tree.
configure_guest() { # DIR HOSTNAME IP FSTAB
    local dir=$1 name=$2 ip=$3 fstab=$4
    cp -a "$ROOTFS" "$dir"
    echo "$name" >"$dir/etc/hostname"
    cat >"$dir/etc/hosts" <<EOF
127.0.0.1	localhost
$ip	$name

::1	localhost ip6-localhost ip6-loopback
ff02::1	ip6-allnodes
ff02::2	ip6-allrouters
EOF
    cat >"$dir/etc/network/interfaces" <<EOF
# The loopback network interface
auto lo
iface lo inet loopback

# The primary network interface (Xen netfront names it eth0)
auto eth0
iface eth0 inet static
    address $ip/24
    gateway 10.99.0.1
EOF
    printf '%s' "$fstab" >"$dir/etc/fstab"
}

# ---------------------------------------------------------------- guest-a ---
log "guest-a: xen-tools layout"
A=$STAGE/guest-a
configure_guest "$WORK/root-a" guest-a 10.99.0.2 \
"# /etc/fstab: static file system information (written by xen-tools).
proc            /proc   proc    defaults                 0 0
/dev/xvda2      /       ext4    noatime,errors=remount-ro 0 1
/dev/xvda1      none    swap    sw                       0 0
"
cp "$WORK/root-a/boot/vmlinuz-$KVER" "$A/vmlinuz"
cp "$WORK/root-a/boot/initrd.img-$KVER" "$A/initrd.img"
mkfs.ext4 -q -F -L root -U "$UUID_A" -d "$WORK/root-a" "$A/disk.img" "${ROOT_SIZE_MIB}M" >&2
make_swap "$A/swap.img" "$SWAP_UUID_A"
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
configure_guest "$WORK/root-b" guest-b 10.99.0.3 \
"# /etc/fstab: static file system information.
# <file system> <mount point>   <type>  <options>       <dump>  <pass>
/dev/xvda1      /               ext4    errors=remount-ro 0       1
/dev/xvdb       none            swap    sw              0       0
"
RB=$WORK/root-b
cat >"$RB/etc/default/grub" <<'EOF'
# If you change this file, run 'update-grub' afterwards to update
# /boot/grub/grub.cfg.
GRUB_DEFAULT=0
GRUB_TIMEOUT=5
GRUB_DISTRIBUTOR=`lsb_release -i -s 2> /dev/null || echo Debian`
GRUB_CMDLINE_LINUX_DEFAULT=""
GRUB_CMDLINE_LINUX="console=hvc0"
GRUB_DISABLE_LINUX_UUID=true
EOF
# What grub-install leaves in /boot/grub: the module directory and images.
mkdir -p "$RB/boot/grub/i386-pc"
cp "$GRUB_DIR"/*.mod "$GRUB_DIR"/*.lst "$GRUB_DIR/boot.img" "$RB/boot/grub/i386-pc/"
# grub.cfg as update-grub writes it with GRUB_DISABLE_LINUX_UUID=true: the
# search still uses the filesystem UUID, root= names the Xen device.
cat >"$RB/boot/grub/grub.cfg" <<EOF
#
# DO NOT EDIT THIS FILE
#
# It is automatically generated by grub-mkconfig using templates
# from /etc/grub.d and settings from /etc/default/grub
#

### BEGIN /etc/grub.d/00_header ###
if [ -s \$prefix/grubenv ]; then
  set have_grubenv=true
  load_env
fi
set default="0"

function load_video {
  if [ x\$feature_all_video_module = xy ]; then
    insmod all_video
  else
    insmod efi_gop
    insmod efi_uga
    insmod ieee1275_fb
    insmod vbe
    insmod vga
    insmod video_bochs
    insmod video_cirrus
  fi
}

if [ x\$feature_default_font_path = xy ] ; then
   font=unicode
else
   font="/usr/share/grub/unicode.pf2"
fi
terminal_output console
if [ x\$feature_timeout_style = xy ] ; then
  set timeout_style=menu
  set timeout=5
# Fallback normal timeout code in case the timeout_style feature is
# unavailable.
else
  set timeout=5
fi
### END /etc/grub.d/00_header ###

### BEGIN /etc/grub.d/10_linux ###
menuentry 'Debian GNU/Linux' --class debian --class gnu-linux --class gnu --class os \$menuentry_id_option 'gnulinux-simple-$UUID_B' {
	load_video
	insmod gzio
	if [ x\$grub_platform = xxen ]; then insmod xzio; insmod lzopio; fi
	insmod part_msdos
	insmod ext2
	set root='hd0,msdos1'
	if [ x\$feature_platform_search_hint = xy ]; then
	  search --no-floppy --fs-uuid --set=root --hint-bios=hd0,msdos1 --hint-efi=hd0,msdos1 --hint-baremetal=ahci0,msdos1  $UUID_B
	else
	  search --no-floppy --fs-uuid --set=root $UUID_B
	fi
	echo	'Loading Linux $KVER ...'
	linux	/boot/vmlinuz-$KVER root=/dev/xvda1 ro  console=hvc0
	echo	'Loading initial ramdisk ...'
	initrd	/boot/initrd.img-$KVER
}
### END /etc/grub.d/10_linux ###
EOF

# core.img as grub-install makes it for an msdos disk whose /boot is on
# partition 1: the prefix names the partition, the modules needed to read it
# are built in.
grub-mkimage -O i386-pc -d "$GRUB_DIR" -p '(hd0,msdos1)/boot/grub' \
    -o "$RB/boot/grub/i386-pc/core.img" biosdisk part_msdos ext2
cp "$RB/boot/grub/i386-pc/core.img" "$WORK/core.img"
cp "$GRUB_DIR/boot.img" "$WORK/boot.img"

mkfs.ext4 -q -F -L root -U "$UUID_B" -d "$RB" "$WORK/root-b.ext4" "${ROOT_SIZE_MIB}M" >&2
rm -rf "$RB"

# The MBR disk: 1 MiB gap (MBR + embedding area) then partition 1.
truncate -s $(( PART_START_SECTOR * SECTOR + ROOT_SIZE_MIB * 1024 * 1024 )) "$B/disk.img"
printf 'label: dos\nlabel-id: 0x0000000b\nstart=%d, size=%d, type=83, bootable\n' \
    "$PART_START_SECTOR" $(( ROOT_SIZE_MIB * 1024 * 1024 / SECTOR )) \
    | sfdisk --no-reread --no-tell-kernel -q "$B/disk.img" >&2
dd if="$WORK/root-b.ext4" of="$B/disk.img" bs=1M seek=$(( PART_START_SECTOR * SECTOR / 1048576 )) \
    conv=notrunc,sparse status=none
rm -f "$WORK/root-b.ext4"
python3 - "$WORK/boot.img" "$WORK/core.img" "$B/disk.img" "$PART_START_SECTOR" <<'PYEOF' || { log "MBR install failed"; exit 1; }
# Installs GRUB into the MBR and the embedding gap the way grub-bios-setup
# does (grub-core/../util/setup.c), for a core.img at LBA 1 onward.
import struct, sys
boot_path, core_path, disk_path, gap_sectors = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
SECTOR = 512
# include/grub/i386/pc/boot.h
KERNEL_SECTOR = 0x5c      # u64 LBA of core.img's first sector (diskboot)
BOOT_DRIVE = 0x64         # 0xff: use the drive the BIOS passes in DL
DRIVE_CHECK = 0x66        # 2-byte jmp; setup.c NOPs it for hard disks
NT_MAGIC = 0x1b8          # from here on the MBR keeps its disk id + partition table
LIST_SIZE = 12            # struct grub_pc_bios_boot_blocklist: u64 start, u16 len, u16 segment
KERNEL_SEG = 0x800
boot = bytearray(open(boot_path, 'rb').read())
core = bytearray(open(core_path, 'rb').read())
assert len(boot) == SECTOR, 'boot.img is not one sector'
nsec = (len(core) + SECTOR - 1) // SECTOR
if nsec + 1 > gap_sectors:
    sys.exit('core.img (%d sectors) does not fit before LBA %d' % (nsec, gap_sectors))
core += bytes(nsec * SECTOR - len(core))
first_lba = 1
struct.pack_into('<Q', boot, KERNEL_SECTOR, first_lba)
boot[BOOT_DRIVE] = 0xff
boot[DRIVE_CHECK:DRIVE_CHECK + 2] = b'\x90\x90'
# diskboot's first blocklist (last 12 bytes of core.img's first sector): the
# rest of core.img, contiguous after it, loaded at segment 0x820.
bl = SECTOR - LIST_SIZE
start, length, segment = struct.unpack_from('<QHH', core, bl)
if length != nsec - 1 or segment != KERNEL_SEG + (SECTOR >> 4):
    sys.exit('unexpected diskboot blocklist len=%d segment=%#x (nsec=%d)' % (length, segment, nsec))
struct.pack_into('<QHH', core, bl, first_lba + 1, nsec - 1, segment)
struct.pack_into('<QHH', core, bl - LIST_SIZE, 0, 0, 0)  # terminator
with open(disk_path, 'r+b') as disk:
    mbr = bytearray(disk.read(SECTOR))
    if mbr[510:512] != b'\x55\xaa':
        sys.exit('disk has no MBR signature; run sfdisk first')
    mbr[:NT_MAGIC] = boot[:NT_MAGIC]
    disk.seek(0)
    disk.write(mbr)
    disk.seek(first_lba * SECTOR)
    disk.write(core)
PYEOF
make_swap "$B/swap.img" "$SWAP_UUID_B"
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
touch "$STAGE/$MARKER"
rm -rf "$OUT"
mv "$STAGE" "$OUT"
log "done: $OUT"
echo "$OUT"

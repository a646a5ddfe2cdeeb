#!/bin/bash
# Builds the two LVM2 Xen PV test guests of issue 12 (Debian 12 inside, laid out as RHEL 5
# installs its guests), for LvmGuestsBootIT.
#
#   guest-rhel5lvm: one disk (xvda), as anaconda + virt-install made it on RHEL 5:
#       partition 1  ext3 /boot, LABEL=/boot, GRUB 2 in the MBR (pygrub on Xen)
#       partition 2  LVM2 PV of VolGroup00 (32 MiB extents):
#                    LogVol00 ext3 / and LogVol01 swap
#       /etc/lvm/lvm.conf accepts only /dev/xvd* (filter), and that lvm.conf is in the
#       initramfs: on KVM the disk is /dev/vda, so the root VG is not found until the
#       converter edits lvm.conf there too.
#       The xm config as virt-install wrote it (tap:aio:, vfb, /usr/bin/pygrub).
#   guest-twodisk: a VG (VolGroup01) across two Xen disks: xvda2 and the whole disk xvdb.
#       LogVol00 (/, ext3) starts on xvda2 and continues on xvdb; LogVol01 (swap) on xvdb.
#       /boot is xvda1 (ext3, LABEL=/boot). No lvm.conf filter.
#
# Usage: testdata/build-lvm-guests.sh [OUTDIR]
#   OUTDIR defaults to /var/tmp/xen2kvm-testdata/<sha256 of this script and guest-lib.sh>; an unchanged
#   script finds its finished cache and returns at once. The last stdout line is the output
#   directory; progress goes to stderr. The debootstrap tree is cached as a tarball beside
#   it (keyed by suite, package list and mirror), so a changed script rebuilds in ~1 min.
#
# Needs root and: debootstrap e2fsprogs fdisk(sfdisk) grub-common(grub-mkimage) grub-pc-bin
# util-linux(mkswap) mount(losetup) lvm2 zstd tar python3. No mounts and no device-mapper:
# pvcreate runs on loop devices (pvcreate needs a block device; they are detached on every
# exit), LVs are laid out with lvcreate --driverloaded n, and the filesystems are made as
# files (mkfs -d) and written at each LV segment's byte offset as lvs reports it.
# Root password of both guests: xen2kvm
set -euo pipefail
export LC_ALL=C

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=guest-lib.sh
. "$SCRIPT_DIR/guest-lib.sh"
MARKER=.build-complete
ROOT_PASSWORD=xen2kvm
SUITE=bookworm
INCLUDE=systemd-sysv,udev,linux-image-amd64,initramfs-tools,ifupdown,iproute2,procps,kmod,lvm2
SECTOR=512
MIB=1048576
PART_START_SECTOR=2048
BOOT_MIB=160
ROOT_MIB=1280
SWAP_MIB=128
EXTENT_MIB=32
# Fixed UUIDs: the images are reproducible in what the tests look at.
BOOT_UUID_R=0b6c1a3e-0c0c-4c0c-8c0c-00000000000c
ROOT_UUID_R=0b6c1a3e-0c0c-4c0c-8c0c-0000000000cc
SWAP_UUID_R=5a0b6c1a-0c0c-4c0c-8c0c-00000000000c
BOOT_UUID_T=0b6c1a3e-0d0d-4d0d-8d0d-00000000000d
ROOT_UUID_T=0b6c1a3e-0d0d-4d0d-8d0d-0000000000dd
SWAP_UUID_T=5a0b6c1a-0d0d-4d0d-8d0d-00000000000d
GRUB_DIR=/usr/lib/grub/i386-pc

log() { echo "build-lvm-guests: $*" >&2; }

cache_begin "$SCRIPT_DIR/build-lvm-guests.sh" "${1:-}"
[ "$(id -u)" = 0 ] || { log "must run as root (debootstrap, chroot, losetup)"; exit 1; }
for tool in debootstrap mkfs.ext3 sfdisk mkswap grub-mkimage losetup pvcreate vgcreate lvcreate pvs vgs lvs \
        zstd tar python3; do
    command -v "$tool" >/dev/null || { log "missing tool $tool (see testdata/tools.tsv)"; exit 1; }
done
[ -f "$GRUB_DIR/boot.img" ] || { log "missing $GRUB_DIR/boot.img (apt-get install -y grub-pc-bin)"; exit 1; }
[ -e /dev/loop-control ] || { log "no /dev/loop-control: pvcreate needs loop devices"; exit 1; }

cache_lock
LOOPS=()
cleanup() {
    local l
    for l in "${LOOPS[@]}"; do
        losetup -d "$l" 2>/dev/null || true
    done
    rm -rf "$WORK"
}
trap cleanup EXIT
mkdir -p "$STAGE/guest-rhel5lvm" "$STAGE/guest-twodisk"

# ------------------------------------------------------- debootstrap (cached) ---
MIRROR=$(detect_mirror)
BASE_KEY=$(printf '%s\n' "$SUITE" "$INCLUDE" "$MIRROR" | sha256sum | cut -c1-16)
BASE_TAR=$PARENT/debootstrap-$SUITE-$BASE_KEY.tar.zst
ROOTFS=$WORK/rootfs
t0=$(date +%s)
if [ -f "$BASE_TAR" ]; then
    log "debootstrap tree from cache $BASE_TAR"
    mkdir "$ROOTFS"
    zstd -dc "$BASE_TAR" | tar -x --numeric-owner -C "$ROOTFS"
else
    log "debootstrap $SUITE from $MIRROR (with lvm2)"
    debootstrap --variant=minbase --include="$INCLUDE" "$SUITE" "$ROOTFS" "$MIRROR" \
        >"$WORK/debootstrap.log" 2>&1 || { tail -n 30 "$WORK/debootstrap.log" >&2; exit 1; }
    tar -c --numeric-owner -C "$ROOTFS" . | zstd -q -T2 -3 -o "$BASE_TAR.part"
    mv "$BASE_TAR.part" "$BASE_TAR"
fi
log "root tree ready in $(( $(date +%s) - t0 )) s"

KVER=$(basename "$(ls "$ROOTFS"/boot/vmlinuz-* | sort -V | tail -n 1)")
KVER=${KVER#vmlinuz-}
log "kernel $KVER"

# Shared configuration, as in build-guests.sh.
echo "root:$ROOT_PASSWORD" | chroot "$ROOTFS" chpasswd
MODDIR=$ROOTFS/usr/lib/modules/$KVER/kernel
rm -rf "$MODDIR/sound" "$MODDIR/drivers/gpu" "$MODDIR/drivers/media" \
    "$MODDIR/drivers/net/wireless" "$MODDIR/drivers/infiniband" \
    "$MODDIR/drivers/staging" "$MODDIR/drivers/iio" "$MODDIR/net/wireless" \
    "$MODDIR/net/mac80211" "$MODDIR/net/bluetooth" "$MODDIR/drivers/bluetooth"
chroot "$ROOTFS" depmod "$KVER"
mkdir -p "$ROOTFS/etc/initramfs-tools/conf.d"
echo "RESUME=none" >"$ROOTFS/etc/initramfs-tools/conf.d/resume"
chroot "$ROOTFS" apt-get clean
rm -f "$ROOTFS"/boot/*.dpkg-bak
rm -f "$ROOTFS/etc/resolv.conf" "$ROOTFS"/var/log/*.log "$ROOTFS"/var/log/apt/*
: >"$ROOTFS/etc/machine-id"
rm -f "$ROOTFS/var/lib/dbus/machine-id"
WANTS=$ROOTFS/etc/systemd/system/getty.target.wants
mkdir -p "$WANTS"
ln -sf /lib/systemd/system/serial-getty@.service "$WANTS/serial-getty@hvc0.service"
rm -f "$WANTS/serial-getty@ttyS0.service"
# lvm2 as the guest has it: no metadata backups (the build's lvm2 on the host made the
# metadata; the guest's /etc/lvm/backup would be empty anyway), no devices file.
rm -f "$ROOTFS/etc/lvm/devices/system.devices"

# The lvm.conf line RHEL administrators wrote so that dom0-style names never leak in: only
# Xen's disks are PVs. Carried into the initramfs by the lvm2 hook.
XVD_FILTER='    filter = [ "a|^/dev/xvd.*|", "r|.*|" ]'

rhel_fstab() { # VG
    cat <<EOF
/dev/$1/LogVol00 /                       ext3    defaults        1 1
LABEL=/boot             /boot                   ext3    defaults        1 2
tmpfs                   /dev/shm                tmpfs   defaults        0 0
devpts                  /dev/pts                devpts  gid=5,mode=620  0 0
sysfs                   /sys                    sysfs   defaults        0 0
proc                    /proc                   proc    defaults        0 0
/dev/$1/LogVol01 swap                    swap    defaults        0 0
EOF
}

# /boot/grub as grub-install leaves it, and grub.cfg with the kernel on the /boot partition
# (paths relative to it) and root= naming the LV through device-mapper, as grub-mkconfig
# writes for an LVM root.
grub_files() { # ROOTDIR BOOT_UUID VG
    local rd=$1 uuid=$2 vg=$3
    mkdir -p "$rd/boot/grub/i386-pc"
    cp "$GRUB_DIR"/*.mod "$GRUB_DIR"/*.lst "$GRUB_DIR/boot.img" "$rd/boot/grub/i386-pc/"
    cat >"$rd/boot/grub/grub.cfg" <<EOF
#
# DO NOT EDIT THIS FILE
#
# It is automatically generated by grub-mkconfig using templates
# from /etc/grub.d and settings from /etc/default/grub
#
set default="0"
terminal_output console
set timeout=5

menuentry 'Debian GNU/Linux' --class debian --class gnu-linux --class gnu --class os \$menuentry_id_option 'gnulinux-simple-$uuid' {
	insmod gzio
	insmod part_msdos
	insmod ext2
	set root='hd0,msdos1'
	search --no-floppy --fs-uuid --set=root --hint-bios=hd0,msdos1 $uuid
	echo	'Loading Linux $KVER ...'
	linux	/vmlinuz-$KVER root=/dev/mapper/$vg-LogVol00 ro console=hvc0
	echo	'Loading initial ramdisk ...'
	initrd	/initrd.img-$KVER
}
EOF
    grub-mkimage -O i386-pc -d "$GRUB_DIR" -p '(hd0,msdos1)/grub' \
        -o "$rd/boot/grub/i386-pc/core.img" biosdisk part_msdos ext2
}

# Splits a guest tree into its /boot filesystem image and its root filesystem image.
make_filesystems() { # ROOTDIR BOOT_UUID ROOT_UUID OUTPREFIX
    local rd=$1 prefix=$4
    mkdir "$prefix-boot"
    mv "$rd"/boot/* "$prefix-boot/"
    mkfs.ext3 -q -F -L /boot -U "$2" -d "$prefix-boot" "$prefix-boot.ext3" "${BOOT_MIB}M" >&2
    mkfs.ext3 -q -F -L root -U "$3" -d "$rd" "$prefix-root.ext3" "${ROOT_MIB}M" >&2
    rm -rf "$prefix-boot" "$rd"
}

# An MBR disk: partition 1 (/boot, bootable) at 1 MiB, partition 2 (LVM, 8e) after it.
make_disk() { # IMAGE PV_MIB
    local img=$1 pv_sectors=$(( $2 * MIB / SECTOR )) boot_sectors=$(( BOOT_MIB * MIB / SECTOR ))
    truncate -s $(( (PART_START_SECTOR + boot_sectors + pv_sectors) * SECTOR )) "$img"
    printf 'label: dos\nlabel-id: 0x0000000c\nstart=%d, size=%d, type=83, bootable\nstart=%d, size=%d, type=8e\n' \
        "$PART_START_SECTOR" "$boot_sectors" $(( PART_START_SECTOR + boot_sectors )) "$pv_sectors" \
        | sfdisk --no-reread --no-tell-kernel -q "$img" >&2
}

# Attaches BYTES of IMAGE from OFFSET to a loop device, named in ATTACHED and remembered for
# the exit trap (not printed: a $(...) subshell would lose the LOOPS entry).
attach() { # IMAGE OFFSET BYTES
    ATTACHED=$(losetup -f --show -o "$2" --sizelimit "$3" "$1")
    LOOPS+=("$ATTACHED")
}

detach_all() {
    local l
    for l in "${LOOPS[@]}"; do
        losetup -d "$l"
    done
    LOOPS=()
}

# lvm2 confined to our loop devices, no udev, no backups, no device-mapper.
lvm_config() {
    local f="" l
    for l in "${LOOPS[@]}"; do f+="\"a|^$l\$|\","; done
    echo "devices { filter=[$f\"r|.*|\"] obtain_device_list_from_udev=0 use_devicesfile=0 }" \
        "activation { udev_sync=0 udev_rules=0 } backup { backup=0 archive=0 }"
}
lvm_run() { # PROGRAM ARGS...
    local p=$1; shift
    LVM_SUPPRESS_FD_WARNINGS=1 "$p" --config "$(lvm_config)" "$@"
}

# Writes FSIMAGE into the LV's segments: for each segment lvs reports (LE start, PV, PE
# range), the bytes of the LV there go to the PV's backing image at
# pv_base + pe_start + pe * extent_size. PVMAP lines: "loopdev image base_offset".
write_lv() { # VG LV FSIMAGE PVMAP
    local vg=$1 lv=$2 fsimg=$3 pvmap=$4 ext
    ext=$(lvm_run vgs --noheadings --units b --nosuffix -o vg_extent_size "$vg" | tr -d ' ')
    lvm_run lvs --noheadings --units b --nosuffix --segments --separator ' ' \
        -o seg_start_pe,seg_pe_ranges "$vg/$lv" | while read -r le ranges; do
        local dev=${ranges%%:*} pe_range=${ranges#*:}
        local pe_first=${pe_range%-*} pe_last=${pe_range#*-}
        local img base pe_start
        read -r _ img base < <(grep "^$dev " "$pvmap")
        pe_start=$(lvm_run pvs --noheadings --units b --nosuffix -o pe_start "$dev" | tr -d ' ')
        local to=$(( base + pe_start + pe_first * ext )) from=$(( le * ext ))
        local bytes=$(( (pe_last - pe_first + 1) * ext ))
        log "  $vg/$lv LE $le: $bytes bytes at byte $to of $(basename "$img") ($dev PE $pe_first-$pe_last)"
        dd if="$fsimg" of="$img" bs=1M iflag=skip_bytes,count_bytes skip="$from" count="$bytes" \
            oflag=seek_bytes seek="$to" conv=notrunc,sparse status=none
    done
}

BOOT_BYTES=$(( BOOT_MIB * MIB ))
P1=$(( PART_START_SECTOR * SECTOR ))
P2=$(( P1 + BOOT_BYTES ))

# ------------------------------------------------------------ guest-rhel5lvm ---
log "guest-rhel5lvm: VolGroup00 on xvda2, /boot on xvda1"
R=$STAGE/guest-rhel5lvm
RR=$WORK/root-r
configure_guest "$ROOTFS" "$RR" guest-rhel5lvm 10.99.0.4 "$(rhel_fstab VolGroup00)
"
sed -i "s%^devices {%devices {\n$XVD_FILTER%" "$RR/etc/lvm/lvm.conf"
grep -qF 'a|^/dev/xvd.*|' "$RR/etc/lvm/lvm.conf" || { log "lvm.conf filter not written"; exit 1; }
chroot "$RR" update-initramfs -u -k "$KVER" >"$WORK/initramfs.log" 2>&1 || { cat "$WORK/initramfs.log" >&2; exit 1; }
# The filter must be in the initramfs: that is what stops the boot on KVM until edited.
# (Listed to a file first: grep -q would end the pipe early, and pipefail would see lsinitramfs die.)
chroot "$RR" lsinitramfs "/boot/initrd.img-$KVER" >"$WORK/initrd-files"
grep -qx 'etc/lvm/lvm.conf' "$WORK/initrd-files" || { log "etc/lvm/lvm.conf is not in the initramfs"; exit 1; }
chroot "$RR" unmkinitramfs "/boot/initrd.img-$KVER" /tmp/initrd-check
grep -qF 'a|^/dev/xvd.*|' "$RR/tmp/initrd-check/main/etc/lvm/lvm.conf" 2>/dev/null \
    || grep -qF 'a|^/dev/xvd.*|' "$RR/tmp/initrd-check/etc/lvm/lvm.conf" \
    || { log "the initramfs's lvm.conf lacks the xvd filter"; exit 1; }
rm -rf "$RR/tmp/initrd-check"
grub_files "$RR" "$BOOT_UUID_R" VolGroup00
cp "$RR/boot/grub/i386-pc/core.img" "$WORK/core-r.img"
make_filesystems "$RR" "$BOOT_UUID_R" "$ROOT_UUID_R" "$WORK/r"
make_swap "$WORK/r-swap" "$SWAP_UUID_R" "$SWAP_MIB"

PV_MIB=$(( ROOT_MIB + SWAP_MIB + 2 * EXTENT_MIB ))
make_disk "$R/disk.img" "$PV_MIB"
attach "$R/disk.img" "$P2" $(( PV_MIB * MIB ))
PVA=$ATTACHED
echo "$PVA $R/disk.img $P2" >"$WORK/pvmap-r"
lvm_run pvcreate -q -y "$PVA" >&2
lvm_run vgcreate -q -s "${EXTENT_MIB}M" VolGroup00 "$PVA" >&2
lvm_run lvcreate -q --driverloaded n -an -Zn -y -n LogVol00 -L "${ROOT_MIB}M" VolGroup00 >&2
lvm_run lvcreate -q --driverloaded n -an -Zn -y -n LogVol01 -L "${SWAP_MIB}M" VolGroup00 >&2
write_lv VolGroup00 LogVol00 "$WORK/r-root.ext3" "$WORK/pvmap-r"
write_lv VolGroup00 LogVol01 "$WORK/r-swap" "$WORK/pvmap-r"
lvm_run lvs --units b -o lv_name,lv_size,seg_start_pe,seg_pe_ranges VolGroup00 >&2
detach_all
dd if="$WORK/r-boot.ext3" of="$R/disk.img" bs=1M oflag=seek_bytes seek="$P1" conv=notrunc,sparse status=none
install_grub_mbr "$GRUB_DIR/boot.img" "$WORK/core-r.img" "$R/disk.img" "$PART_START_SECTOR"
rm -f "$WORK"/r-*
FINAL_R=$OUT/guest-rhel5lvm
cat >"$R/guest-rhel5lvm.cfg" <<EOF
name = "guest-rhel5lvm"
uuid = "6b1f3e0c-0c0c-4c0c-8c0c-00000000000c"
maxmem = 512
memory = 512
vcpus = 1
bootloader = "/usr/bin/pygrub"
on_poweroff = "destroy"
on_reboot = "restart"
on_crash = "restart"
vfb = [ "type=vnc,vncunused=1,keymap=en-us" ]
disk = [ "tap:aio:$FINAL_R/disk.img,xvda,w" ]
vif = [ "mac=00:16:3e:5a:0c:01,bridge=xenbr0,script=vif-bridge" ]
EOF

# ------------------------------------------------------------- guest-twodisk ---
log "guest-twodisk: VolGroup01 on xvda2 + xvdb, LogVol00 across both"
T=$STAGE/guest-twodisk
RT=$WORK/root-t
configure_guest "$ROOTFS" "$RT" guest-twodisk 10.99.0.5 "$(rhel_fstab VolGroup01)
"
chroot "$RT" update-initramfs -u -k "$KVER" >"$WORK/initramfs.log" 2>&1 || { cat "$WORK/initramfs.log" >&2; exit 1; }
grub_files "$RT" "$BOOT_UUID_T" VolGroup01
cp "$RT/boot/grub/i386-pc/core.img" "$WORK/core-t.img"
make_filesystems "$RT" "$BOOT_UUID_T" "$ROOT_UUID_T" "$WORK/t"
make_swap "$WORK/t-swap" "$SWAP_UUID_T" "$SWAP_MIB"

# xvda2 holds about half of the root LV; xvdb the rest and the swap LV.
PVA_MIB=$(( ROOT_MIB / 2 + EXTENT_MIB ))
PVB_MIB=$(( ROOT_MIB / 2 + SWAP_MIB + 2 * EXTENT_MIB ))
make_disk "$T/disk.img" "$PVA_MIB"
truncate -s "${PVB_MIB}M" "$T/disk2.img"
attach "$T/disk.img" "$P2" $(( PVA_MIB * MIB ))
PVA=$ATTACHED
attach "$T/disk2.img" 0 $(( PVB_MIB * MIB ))
PVB=$ATTACHED
printf '%s %s %s\n%s %s %s\n' "$PVA" "$T/disk.img" "$P2" "$PVB" "$T/disk2.img" 0 >"$WORK/pvmap-t"
lvm_run pvcreate -q -y "$PVA" "$PVB" >&2
lvm_run vgcreate -q -s "${EXTENT_MIB}M" VolGroup01 "$PVA" "$PVB" >&2
# lvm2 would take the larger PV first; PE ranges make the LV start on xvda2 and go on to xvdb.
lvm_run lvcreate -q --driverloaded n -an -Zn -y -n LogVol00 -L "${ROOT_MIB}M" VolGroup01 "$PVA" \
    "$PVB:0-$(( ROOT_MIB / 2 / EXTENT_MIB - 1 ))" >&2
lvm_run lvcreate -q --driverloaded n -an -Zn -y -n LogVol01 -L "${SWAP_MIB}M" VolGroup01 "$PVB" >&2
SEGS=$(lvm_run lvs --noheadings --segments -o seg_pe_ranges VolGroup01/LogVol00 | tr -d ' ' | tr '\n' ' ')
[ "$SEGS" = "$PVA:0-19 $PVB:0-19 " ] || { log "LogVol00 should start on xvda2 and end on xvdb: $SEGS"; exit 1; }
write_lv VolGroup01 LogVol00 "$WORK/t-root.ext3" "$WORK/pvmap-t"
write_lv VolGroup01 LogVol01 "$WORK/t-swap" "$WORK/pvmap-t"
lvm_run lvs --units b -o lv_name,lv_size,seg_start_pe,seg_pe_ranges VolGroup01 >&2
detach_all
dd if="$WORK/t-boot.ext3" of="$T/disk.img" bs=1M oflag=seek_bytes seek="$P1" conv=notrunc,sparse status=none
install_grub_mbr "$GRUB_DIR/boot.img" "$WORK/core-t.img" "$T/disk.img" "$PART_START_SECTOR"
rm -f "$WORK"/t-*
FINAL_T=$OUT/guest-twodisk
cat >"$T/guest-twodisk.cfg" <<EOF
name = "guest-twodisk"
uuid = "6b1f3e0c-0d0d-4d0d-8d0d-00000000000d"
memory = 512
vcpus = 1
bootloader = "/usr/bin/pygrub"
on_poweroff = "destroy"
on_reboot = "restart"
on_crash = "restart"
disk = [ "tap:aio:$FINAL_T/disk.img,xvda,w", "tap:aio:$FINAL_T/disk2.img,xvdb,w" ]
vif = [ "mac=00:16:3e:5a:0d:01,bridge=xenbr0,script=vif-bridge" ]
EOF

cat >"$STAGE/BUILD-INFO" <<EOF
suite=$SUITE
mirror=$MIRROR
kernel=$KVER
root_password=$ROOT_PASSWORD
extent_mib=$EXTENT_MIB
rhel5lvm_root=/dev/mapper/VolGroup00-LogVol00
twodisk_root=/dev/mapper/VolGroup01-LogVol00
EOF
cache_finish

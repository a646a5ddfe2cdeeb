#!/bin/bash
# Reference conversion: applies BY HAND (debugfs on image copies, no mounts)
# the guest edits xen2kvm must make, so the boot test can show which edits are
# necessary and sufficient. Not used by the converter; the oracle for it.
#
# Usage: testdata/convert-by-hand.sh GUESTS_DIR OUT_DIR
#   GUESTS_DIR: output of build-guests.sh; OUT_DIR gets guest-a/ and guest-b/
#   with converted copies of the disks (+ dom0 kernel/initrd for guest-a).
# Toggles (default all on) to find what is necessary:
#   X2K_FSTAB=0      keep the Xen device names in /etc/fstab
#   X2K_TTYS0=0      do not enable serial-getty@ttyS0
#   X2K_NOHVC0=0     keep serial-getty@hvc0 enabled
#   X2K_NET=link     /etc/systemd/network/10-eth0.link (MAC -> eth0) (default)
#   X2K_NET=ifnames  net.ifnames=0 on the kernel command line instead
#   X2K_NET=none     nothing (the NIC gets its predictable name, e.g. ens3)
# Device mapping: the disks in config order become vda, vdb, ...:
#   guest-a: disk.img (xvda2, whole-disk fs) -> vda, swap.img (xvda1) -> vdb
#   guest-b: disk.img (xvda) -> vda (root vda1), swap.img (xvdb) -> vdb
# Prints the kernel command line for guest-a (on stdout, last line).
set -euo pipefail
export LC_ALL=C
SRC=${1:?GUESTS_DIR}
DST=${2:?OUT_DIR}
X2K_FSTAB=${X2K_FSTAB:-1}
X2K_TTYS0=${X2K_TTYS0:-1}
X2K_NOHVC0=${X2K_NOHVC0:-1}
X2K_NET=${X2K_NET:-link}
PART1_OFFSET=$(( 2048 * 512 ))
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# debugfs -w on FS (a file, optionally "file?offset=N"); commands on stdin.
dfs() { debugfs -w -f - "$1" >"$TMP/debugfs.log" 2>&1; if grep -q -e 'not found' -e 'Could not' -e 'rror' "$TMP/debugfs.log"; then cat "$TMP/debugfs.log" >&2; return 1; fi; }

replace_file() { # FS GUESTPATH LOCALFILE
    printf 'rm %s\nwrite %s %s\nsif %s uid 0\nsif %s gid 0\n' "$2" "$3" "$2" "$2" "$2" | dfs "$1"
}

edit_guest() { # FS MAC FSTAB_SED
    local fs=$1 mac=$2 fstab_sed=$3 cmds=$TMP/cmds
    : >"$cmds"
    if [ "$X2K_FSTAB" = 1 ]; then
        debugfs -R 'cat /etc/fstab' "$fs" 2>/dev/null | sed -E "$fstab_sed" >"$TMP/fstab"
        chmod 0644 "$TMP/fstab"
        replace_file "$fs" /etc/fstab "$TMP/fstab"
    fi
    local wants=/etc/systemd/system/getty.target.wants
    [ "$X2K_TTYS0" = 1 ] && echo "symlink $wants/serial-getty@ttyS0.service /lib/systemd/system/serial-getty@.service" >>"$cmds"
    [ "$X2K_NOHVC0" = 1 ] && echo "rm $wants/serial-getty@hvc0.service" >>"$cmds"
    if [ -s "$cmds" ]; then dfs "$fs" <"$cmds"; fi
    if [ "$X2K_NET" = link ]; then
        printf '[Match]\nMACAddress=%s\n\n[Link]\nName=eth0\n' "$mac" >"$TMP/10-eth0.link"
        chmod 0644 "$TMP/10-eth0.link"
        printf 'write %s /etc/systemd/network/10-eth0.link\nsif /etc/systemd/network/10-eth0.link uid 0\nsif /etc/systemd/network/10-eth0.link gid 0\n' "$TMP/10-eth0.link" | dfs "$fs"
    fi
}

EXTRA=""
[ "$X2K_NET" = ifnames ] && EXTRA=" net.ifnames=0"

mkdir -p "$DST/guest-a" "$DST/guest-b"
# guest-a: xen-tools layout; the kernel command line is the libvirt <cmdline>.
cp --sparse=always "$SRC/guest-a/disk.img" "$SRC/guest-a/swap.img" "$SRC/guest-a/vmlinuz" "$SRC/guest-a/initrd.img" "$DST/guest-a/"
edit_guest "$DST/guest-a/disk.img" 00:16:3e:00:00:0a \
    's#^/dev/xvda2([[:space:]])#/dev/vda\1#; s#^/dev/xvda1([[:space:]])#/dev/vdb\1#'

# guest-b: pygrub layout; the kernel command line lives in grub.cfg.
cp --sparse=always "$SRC/guest-b/disk.img" "$SRC/guest-b/swap.img" "$DST/guest-b/"
FSB="$DST/guest-b/disk.img?offset=$PART1_OFFSET"
edit_guest "$FSB" 00:16:3e:00:00:0b \
    's#^/dev/xvda1([[:space:]])#/dev/vda1\1#; s#^/dev/xvdb([[:space:]])#/dev/vdb\1#'
debugfs -R 'cat /boot/grub/grub.cfg' "$FSB" 2>/dev/null \
    | sed -E "s#root=/dev/xvda1#root=/dev/vda1#; s#console=hvc0#console=ttyS0$EXTRA#" >"$TMP/grub.cfg"
chmod 0644 "$TMP/grub.cfg"
replace_file "$FSB" /boot/grub/grub.cfg "$TMP/grub.cfg"
debugfs -R 'cat /etc/default/grub' "$FSB" 2>/dev/null \
    | sed -E "s#console=hvc0#console=ttyS0$EXTRA#" >"$TMP/default-grub"
chmod 0644 "$TMP/default-grub"
replace_file "$FSB" /etc/default/grub "$TMP/default-grub"

echo "root=/dev/vda ro elevator=noop console=ttyS0$EXTRA"

#!/bin/bash
# Boots a converted guest under QEMU (TCG, virtio disks, virtio-net), logs in
# on the serial console with serial-login.py and runs the checks.
#
# Usage: testdata/boot-test.sh guest-a|guest-b CONVERTED_DIR [CMDLINE]
#   CONVERTED_DIR: OUT_DIR of convert-by-hand.sh (or the converter's output)
#   CMDLINE: kernel command line for guest-a (direct kernel boot)
# Environment: X2K_ACCEL (default tcg), X2K_TIMEOUT (default 300 s).
# Prints the command outputs between "=== X2K" markers; the raw console
# transcript is left in CONVERTED_DIR/<guest>/console.log.
set -euo pipefail
GUEST=${1:?guest-a|guest-b}
DIR=${2:?CONVERTED_DIR}/$GUEST
CMDLINE=${3:-root=/dev/vda ro console=ttyS0}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SOCK=$(mktemp -u /tmp/x2k-serial.XXXXXX)
case $GUEST in
    guest-a) MAC=00:16:3e:00:00:0a; BOOT=(-kernel "$DIR/vmlinuz" -initrd "$DIR/initrd.img" -append "$CMDLINE") ;;
    guest-b) MAC=00:16:3e:00:00:0b; BOOT=() ;;
    *) echo "unknown guest $GUEST" >&2; exit 1 ;;
esac
qemu-system-x86_64 -accel "${X2K_ACCEL:-tcg}" -m 512 -smp 1 -display none -monitor none \
    -serial "unix:$SOCK,server=on,wait=off" \
    -drive "file=$DIR/disk.img,format=raw,if=virtio" \
    -drive "file=$DIR/swap.img,format=raw,if=virtio" \
    -netdev user,id=n0 -device "virtio-net-pci,netdev=n0,mac=$MAC" \
    "${BOOT[@]}" &
QEMU=$!
trap 'kill $QEMU 2>/dev/null || true; rm -f "$SOCK"' EXIT
status=0
python3 "$HERE/serial-login.py" --socket "$SOCK" --timeout "${X2K_TIMEOUT:-300}" --log "$DIR/console.log" \
    -c 'findmnt -n -o SOURCE,OPTIONS /' \
    -c 'swapon --show=NAME,TYPE --noheadings' \
    -c 'ip -br addr show' \
    -c 'systemctl --failed --no-legend --plain' \
    -c 'systemctl list-jobs --no-legend' \
    -c 'systemctl is-system-running --wait' \
    -c 'journalctl -b -o cat --no-pager | grep -e "Timed out waiting for device" -e "Dependency failed" -e "Gave up waiting"' \
    -c 'systemd-analyze' \
    -c 'systemd-analyze blame | head -n 5' \
    --poweroff || status=$?
# Give the guest a moment to power off cleanly, then stop QEMU regardless.
for _ in $(seq 1 60); do kill -0 $QEMU 2>/dev/null || break; sleep 1; done
exit $status

#!/usr/bin/env bash
# Builds the demo guest for ./demo.sh: a xen-tools style Debian PV guest (root filesystem
# as a bare ext4 image attached as xvda2, swap as xvda1) made from the small text tree in
# demo-root/ with mkfs.ext4 -d. Its "kernel" is a placeholder: the demo shows a conversion,
# the real boot tests use testdata/build-guests.sh. Prints the config path.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:?usage: make-example.sh OUTDIR}
mkdir -p "$out"
out=$(cd "$out" && pwd)
truncate -s 64M "$out/disk.img"
mkfs.ext4 -q -F -L demo-root -d "$here/demo-root" "$out/disk.img" >/dev/null
truncate -s 32M "$out/swap.img"
mkswap -q "$out/swap.img" >/dev/null 2>&1 || mkswap "$out/swap.img" >/dev/null
cat > "$out/demo.cfg" <<CFG
# xen-tools generated configuration (demo)
kernel  = '/boot/vmlinuz-6.1.0-28-amd64'
ramdisk = '/boot/initrd.img-6.1.0-28-amd64'
vcpus   = '1'
memory  = '256'
root    = '/dev/xvda2 ro'
disk    = [
            'file:$out/disk.img,xvda2,w',
            'file:$out/swap.img,xvda1,w',
          ]
name    = 'demo'
vif     = [ 'ip=10.99.0.9,mac=00:16:3E:00:00:09,bridge=xenbr0' ]
on_poweroff = 'destroy'
on_reboot   = 'restart'
on_crash    = 'restart'
extra = 'elevator=noop console=hvc0'
CFG
echo "$out/demo.cfg"

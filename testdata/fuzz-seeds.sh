#!/usr/bin/env bash
# Rebuilds the binary seeds of the Jazzer fuzz targets (docs/fuzzing.md). The seeds are
# committed (a few KiB each) so the fuzz tests replay them without these tools; run this
# only to change them. Needs qemu-utils, e2fsprogs, fdisk, python3.
set -euo pipefail
cd "$(dirname "$0")/.."
RES=converter-core/src/test/resources/org/xen2kvm
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

disk=$RES/image/DiskImageFuzzTestInputs
mkdir -p "$disk"/{qcow2,qcow,vhd,probed}
# 512-byte clusters keep a qcow2 with data, a zero cluster and an L2 table under 4 KiB.
qemu-img create -q -f qcow2 -o cluster_size=512 "$work/a.qcow2" 64K
qemu-io -c 'write -P 0xab 1024 1k' -c 'write -z 8k 512' "$work/a.qcow2" >/dev/null
qemu-img create -q -f qcow2 -o cluster_size=512 -F qcow2 -b a.qcow2 "$work/overlay.qcow2"
qemu-img convert -c -O qcow2 -o cluster_size=4096 "$work/a.qcow2" "$work/compressed.qcow2"
qemu-img create -q -f qcow "$work/a.qcow" 64K
qemu-io -f qcow -c 'write -P 0xcd 0 1k' "$work/a.qcow" >/dev/null
qemu-img create -q -f vpc "$work/empty.vhd" 64K
qemu-img create -q -f vpc -o subformat=fixed "$work/fixed.vhd" 8K
# qemu-img makes 2 MiB VHD blocks; rewrite its dynamic header for 4 KiB blocks, one allocated.
python3 - "$work/empty.vhd" "$work/small-blocks.vhd" <<'PY'
import struct, sys
src, dst = sys.argv[1], sys.argv[2]
footer = open(src, 'rb').read()[-512:]
size = struct.unpack('>Q', footer[48:56])[0]
block = 4096
entries = (size + block - 1) // block
def csum(b):
    return (~sum(b)) & 0xffffffff
hdr = bytearray(1024)
hdr[0:8] = b'cxsparse'
struct.pack_into('>QQIII', hdr, 8, 0xffffffffffffffff, 1536, 0x00010000, entries, block)
struct.pack_into('>I', hdr, 36, csum(hdr))
bat_len = (entries * 4 + 511) // 512 * 512
bat = bytearray(b'\xff' * bat_len)
first = (1536 + bat_len) // 512
struct.pack_into('>I', bat, 0, first)
data = bytes([0xff]) * 512 + bytes([0xef]) * block
out = footer + bytes(hdr) + bytes(bat) + data + footer
open(dst, 'wb').write(out)
PY
cp "$work/a.qcow2" "$work/overlay.qcow2" "$work/compressed.qcow2" "$disk/qcow2/"
cp "$work/a.qcow" "$disk/qcow/"
cp "$work/small-blocks.vhd" "$work/fixed.vhd" "$disk/vhd/"
cp "$work/a.qcow2" "$work/a.qcow" "$work/small-blocks.vhd" "$disk/probed/"

part=$RES/partition/PartitionFuzzTestInputs/table
mkdir -p "$part"
truncate -s 64K "$work/mbr.img"
printf 'label: dos\n1,8,83,*\n9,8,82\n17,,5\n18,4,83\n23,,83\n' | sfdisk -q "$work/mbr.img" >/dev/null
truncate -s 64K "$work/gpt.img"
printf 'label: gpt\nfirst-lba: 34\n34,8,L\n42,16,S\n' | sfdisk -q "$work/gpt.img" >/dev/null
cp "$work/mbr.img" "$work/gpt.img" "$part/"

xva=$RES/xva/XvaFuzzTestInputs
mkdir -p "$xva"/{tar,archive}
# A one-disk export: ova.xml, two short chunks (one with a SHA-1 entry), plain and gzip.
python3 - "$work" <<'PY'
import hashlib, io, sys, tarfile, gzip
work = sys.argv[1]
ova = ('<?xml version="1.0" ?><value><struct><member><name>objects</name><value><array><data>'
       '<value><struct><member><name>class</name><value>VDI</value></member>'
       '<member><name>id</name><value>Ref:7</value></member><member><name>snapshot</name><value><struct>'
       '<member><name>virtual_size</name><value><string>2097152</string></value></member>'
       '</struct></value></member></struct></value></data></array></value></member></struct></value>').encode()
def add(t, name, data):
    i = tarfile.TarInfo(name); i.size = len(data); i.mtime = 0
    t.addfile(i, io.BytesIO(data))
buf = io.BytesIO()
with tarfile.open(fileobj=buf, mode='w', format=tarfile.USTAR_FORMAT) as t:
    add(t, 'ova.xml', ova)
    c0 = b'\xab' * 2048
    add(t, 'Ref:7/00000000', c0)
    add(t, 'Ref:7/00000000.checksum', hashlib.sha1(c0).hexdigest().encode())
    add(t, 'Ref:7/00000001', b'\xcd' * 512)
raw = buf.getvalue().rstrip(b'\0')
raw += b'\0' * (-len(raw) % 512) + b'\0' * 1024
open(work + '/vm.xva', 'wb').write(raw)
open(work + '/vm-gz.xva', 'wb').write(gzip.compress(raw, mtime=0))
PY
cp "$work/vm.xva" "$xva/tar/"
cp "$work/vm.xva" "$work/vm-gz.xva" "$xva/archive/"

# ext4 with 1 KiB blocks, 96 inodes, a hashed directory (e2fsck -D), a symlink and small files.
# The fuzz input overlays the start of a template image (gzip, beside the Inputs directory):
# walkAndWrite gets all of it (every non-zero block lies in the first 116 KiB), journal the
# first 56 KiB of a filesystem flagged needs_recovery (superblock, inode table, journal blocks).
ext=$RES/fs/ext
mkdir -p "$ext"/ExtImageFuzzTestInputs/{walkAndWrite,journal} "$work/src"/{etc/default,boot/grub,big}
echo hello > "$work/src/hello.txt"
printf 'UUID=x / ext4 defaults 0 1\n' > "$work/src/etc/fstab"
echo 'GRUB_CMDLINE_LINUX="console=hvc0"' > "$work/src/etc/default/grub"
printf 'menuentry "x" {\n linux /vmlinuz root=/dev/xvda1\n}\n' > "$work/src/boot/grub/grub.cfg"
ln -s ../hello.txt "$work/src/etc/link"
for i in $(seq 1 60); do echo "$i" > "$work/src/big/file-with-a-longish-name-$i"; done
head -c 2000 /dev/zero | tr '\0' 'k' > "$work/src/boot/vmlinuz"
mkfs.ext4 -F -q -E root_owner=0:0 -b 1024 -N 96 -O ^resize_inode,^has_journal -d "$work/src" "$work/walk.img" 1600K
e2fsck -fyD "$work/walk.img" >/dev/null 2>&1 || true
mkfs.ext4 -F -q -E root_owner=0:0 -b 1024 -N 96 -O ^resize_inode -J size=1 -d "$work/src" "$work/journal.img" 3M
h=$(debugfs -R 'bmap /hello.txt 0' "$work/journal.img" 2>/dev/null)
f=$(debugfs -R 'bmap /etc/fstab 0' "$work/journal.img" 2>/dev/null)
printf 'REPLAYED\n' > "$work/r.bin"; truncate -s 1024 "$work/r.bin"
printf 'jo -c\njw -b %s %s\njw -b %s %s\njw -r %s\njc\njo\njw -b %s %s\njc\n' \
  "$h" "$work/r.bin" "$f" "$work/r.bin" "$f" "$f" "$work/r.bin" | debugfs -w -f - "$work/journal.img" >/dev/null 2>&1
gzip -9n < "$work/walk.img" > "$ext/ExtImageFuzzTest-walk.img.gz"
gzip -9n < "$work/journal.img" > "$ext/ExtImageFuzzTest-journal.img.gz"
head -c 116K "$work/walk.img" > "$ext/ExtImageFuzzTestInputs/walkAndWrite/ext4-1k"
head -c 56K "$work/journal.img" > "$ext/ExtImageFuzzTestInputs/journal/ext4-needs-recovery"

#!/bin/bash
# Makes the tiny kernel packages that seed the package fuzz targets and serve as the
# originals of the corrupt-package tests (org.xen2kvm.pkg.PackageFuzzTest,
# PackageCorruptTest): a .deb from dpkg-deb (gzip and xz) and an RPM from rpmbuild (gzip and
# zstd payloads), each with a kernel image, a module, a symlink and a hard link. They are
# committed under converter-core/src/test/resources/org/xen2kvm/pkg/PackageFuzzTestInputs/;
# run this again only to change them.
set -euo pipefail
OUT="$(cd "$(dirname "$0")/.." && pwd)/converter-core/src/test/resources/org/xen2kvm/pkg/PackageFuzzTestInputs"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
REL=9.9.9-test
R="$WORK/root"
mkdir -p "$R/boot" "$R/lib/modules/$REL/kernel" "$R/DEBIAN"
printf 'kernel image\n' >"$R/boot/vmlinuz-$REL"
printf 'module\n' >"$R/lib/modules/$REL/kernel/virtio_blk.ko"
printf 'kernel/virtio_blk.ko\n' >"$R/lib/modules/$REL/modules.order"
ln -s "/usr/src/linux-headers-$REL" "$R/lib/modules/$REL/build"
ln "$R/boot/vmlinuz-$REL" "$R/lib/modules/$REL/vmlinuz"
cat >"$R/DEBIAN/control" <<CONTROL
Package: linux-image-$REL
Version: 9.9.9-1
Architecture: amd64
Maintainer: xen2kvm tests <tests@example.org>
Depends: kmod, initramfs-tools | linux-initramfs-tool
Provides: linux-image
Description: tiny test kernel
CONTROL
mkdir -p "$OUT/deb" "$OUT/rpm" "$OUT/install"
dpkg-deb --root-owner-group --build -Zgzip "$R" "$OUT/deb/tiny-gzip.deb" >/dev/null
dpkg-deb --root-owner-group --build -Zxz "$R" "$OUT/deb/tiny-xz.deb" >/dev/null
rm -rf "$R/DEBIAN"
cat >"$WORK/tiny.spec" <<SPEC
%global debug_package %{nil}
%global __os_install_post %{nil}
%global _build_id_links none
Name: kernel-tiny
Version: 9.9.9
Release: 1
Summary: tiny test kernel
License: GPL-2.0-only
AutoReqProv: no
Requires: kmod
%description
tiny test kernel
%install
cp -a $R/. %{buildroot}/
%files
/boot/vmlinuz-$REL
/lib/modules/$REL
SPEC
for c in gzip:w9.gzdio zstd:w19.zstdio; do
    rm -rf "$WORK/top"
    rpmbuild -bb --quiet --define "_topdir $WORK/top" --define "_binary_payload ${c#*:}" --target x86_64 "$WORK/tiny.spec" >/dev/null 2>&1
    cp "$WORK"/top/RPMS/x86_64/kernel-tiny-*.rpm "$OUT/rpm/tiny-${c%%:*}.rpm"
done
cp "$OUT/deb/tiny-gzip.deb" "$OUT/rpm/tiny-zstd.rpm" "$OUT/install/"
ls -l "$OUT"/*/

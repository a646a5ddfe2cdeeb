#!/bin/bash
# Builds small kernel RPMs around the files of a Debian kernel package, for the RPM reader
# and installer tests (org.xen2kvm.pkg.RpmPackageTest, PackageInstallerTest). rpmbuild (Debian
# package `rpm`) packs /boot/vmlinuz-REL, System.map, config and a few /lib/modules/REL files
# of the .deb, plus what a real kernel RPM has that the .deb lacks: the `build` symlink, a
# hard link (/lib/modules/REL/vmlinuz, as Fedora's kernel-core carries the image), a %post
# script and versioned requirements; and one file owned by daemon:daemon to check owner
# names. One RPM per payload compression: gzip, xz, zstd, bzip2.
#
#   testdata/make-kernel-rpm.sh DEB
# Output (stdout, one line per RPM): rpm-gzip=PATH, rpm-xz=PATH, rpm-zstd=PATH, rpm-bzip2=PATH
# Cached under /var/tmp/xen2kvm-testdata/kernel-rpm-<hash of this script and the .deb name>.
set -euo pipefail

DEB=${1:?usage: make-kernel-rpm.sh DEB}
HASH=$( (cat "$0"; basename "$DEB") | sha256sum | cut -c1-16)
OUT="${XEN2KVM_TESTDATA:-/var/tmp/xen2kvm-testdata}/kernel-rpm-$HASH"
COMPRESSIONS=(gzip:w9.gzdio xz:w6.xzdio zstd:w19.zstdio bzip2:w9.bzdio)

done_already=1
for c in "${COMPRESSIONS[@]}"; do [ -s "$OUT/kernel-${c%%:*}.rpm" ] || done_already=0; done
if [ $done_already = 0 ]; then
    mkdir -p "$OUT"
    WORK=$(mktemp -d "$OUT/build.XXXXXX")
    trap 'rm -rf "$WORK"' EXIT
    dpkg-deb -x "$DEB" "$WORK/deb"
    REL=$(basename "$(ls "$WORK"/deb/boot/vmlinuz-* | head -n 1)")
    REL=${REL#vmlinuz-}
    DEBVER=$(dpkg-deb -f "$DEB" Version)
    M=lib/modules/$REL
    # An RPM version has at most one '-' (between version and release): Debian's release has two.
    RELV=${REL//-/_}
    FILES=(boot/vmlinuz-$REL boot/System.map-$REL boot/config-$REL
        $M/modules.order $M/modules.builtin $M/modules.builtin.modinfo
        $M/kernel/drivers/block/virtio_blk.ko $M/kernel/drivers/net/virtio_net.ko
        $M/kernel/drivers/scsi/virtio_scsi.ko $M/kernel/drivers/virtio/virtio_balloon.ko)
    mkdir -p "$WORK/root"
    for f in "${FILES[@]}"; do
        mkdir -p "$WORK/root/$(dirname "$f")"
        cp -p "$WORK/deb/$f" "$WORK/root/$f"
    done
    cat >"$WORK/kernel.spec" <<SPEC
%global debug_package %{nil}
%global __os_install_post %{nil}
%global _build_id_links none
Name: kernel
Version: ${DEBVER%%-*}
Release: ${DEBVER#*-}.xen2kvm
Summary: The Linux kernel (test package built from $(basename "$DEB"))
License: GPL-2.0-only
AutoReqProv: no
Provides: kernel-uname-r = $RELV
Provides: kernel-core-uname-r = $RELV
Requires: kmod
Requires: coreutils >= 8.0
Requires: kernel-core-uname-r = $RELV
Requires(post): /bin/sh
%description
Test kernel package for xen2kvm's RPM reader.
%install
cp -a $WORK/root/. %{buildroot}/
ln %{buildroot}/boot/vmlinuz-$REL %{buildroot}/$M/vmlinuz
ln -s /usr/src/kernels/$REL %{buildroot}/$M/build
echo owner-test >%{buildroot}/$M/xen2kvm-owner-test
%post
/bin/true
%files
%dir /$M
%dir /$M/kernel
/$M/kernel/drivers
/boot/vmlinuz-$REL
%attr(0600,root,root) /boot/System.map-$REL
/boot/config-$REL
/$M/vmlinuz
/$M/build
/$M/modules.order
/$M/modules.builtin
/$M/modules.builtin.modinfo
%attr(0640,daemon,daemon) /$M/xen2kvm-owner-test
SPEC
    for c in "${COMPRESSIONS[@]}"; do
        name=${c%%:*}
        rm -rf "$WORK/top"
        rpmbuild -bb --quiet --define "_topdir $WORK/top" --define "_binary_payload ${c#*:}" \
            --target x86_64 "$WORK/kernel.spec" >"$WORK/rpmbuild-$name.log" 2>&1 \
            || { cat "$WORK/rpmbuild-$name.log" >&2; exit 1; }
        cp "$WORK"/top/RPMS/x86_64/kernel-*.rpm "$OUT/kernel-$name.rpm.tmp"
        mv "$OUT/kernel-$name.rpm.tmp" "$OUT/kernel-$name.rpm"
    done
fi
for c in "${COMPRESSIONS[@]}"; do echo "rpm-${c%%:*}=$OUT/kernel-${c%%:*}.rpm"; done

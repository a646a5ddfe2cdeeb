#!/usr/bin/env bash
# Runs every xen2kvm test on a fresh Debian 12 machine: installs the test oracles and
# libvirt, starts libvirtd, builds the Debian test guests (cached under
# /var/tmp/xen2kvm-testdata), then runs the whole Maven build with all tests, including the
# end-to-end conversions that boot the guests under QEMU.
set -euo pipefail
cd "$(dirname "$0")"

need_root() {
  if [ "$(id -u)" != 0 ]; then
    echo "test.sh: run as root (it installs packages, starts libvirtd and creates a bridge)" >&2
    exit 2
  fi
}

install_packages() {
  # Every program the tests, the test scripts and xen2kvm run, with its Debian package, is
  # listed once in testdata/tools.tsv (the tests' ExternalTool check reads it too).
  local pkgs
  mapfile -t pkgs < <(grep -v '^#' testdata/tools.tsv | awk -F'\t' 'NF >= 3 {print $2}' | sort -u)
  if [ ${#pkgs[@]} -eq 0 ]; then
    echo "test.sh: no packages in testdata/tools.tsv" >&2
    exit 1
  fi
  local missing=()
  for p in "${pkgs[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "== installing: ${missing[*]}"
    apt-get -o DPkg::Lock::Timeout=600 update -q
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends "${missing[@]}"
  fi
}

start_libvirt() {
  # libvirt probes QEMU's capabilities as root and re-probes (30-70 s per define or
  # start) whenever the qemu user's view of /dev/kvm differs from that probe. Debian's
  # own setting, root:kvm 0660, keeps them consistent. The tests still use TCG
  # (type='qemu'): KVM guests hang on these machines.
  if [ -e /dev/kvm ]; then
    chgrp kvm /dev/kvm 2>/dev/null && chmod 0660 /dev/kvm || true
  fi
  # Ask the daemons themselves, on this machine's sockets: pgrep would also see daemons of
  # other containers or of the host around a chroot, whose sockets are not ours. With
  # systemd, installing libvirt-daemon-system enables socket activation, so both answer.
  if ! virt-admin -c virtlogd:///system version >/dev/null 2>&1; then
    virtlogd -d
  fi
  # RemoteLibvirtIT needs the remote protocol over TCP on 127.0.0.1 (testdata/libvirtd-tcp.conf).
  # A libvirtd running without it is restarted with it; running guests are not affected.
  if virsh -c qemu:///system version >/dev/null 2>&1 \
      && ! virsh -c qemu+tcp://127.0.0.1/system version >/dev/null 2>&1; then
    echo "== restarting libvirtd to listen on 127.0.0.1:16509 (testdata/libvirtd-tcp.conf)"
    pkill -x libvirtd || true
    for _ in $(seq 1 30); do pgrep -x libvirtd >/dev/null || break; sleep 1; done
  fi
  if ! virsh -c qemu:///system version >/dev/null 2>&1; then
    libvirtd -d --listen -f "$PWD/testdata/libvirtd-tcp.conf"
  fi
  for uri in qemu:///system qemu+tcp://127.0.0.1/system; do
    for i in $(seq 1 30); do
      virsh -c "$uri" version >/dev/null 2>&1 && break
      [ "$i" = 30 ] && { echo "test.sh: libvirtd did not answer on $uri" >&2; exit 1; }
      sleep 1
    done
  done
}

make_bridge() {
  # The test guests' Xen bridge; local only, no traffic leaves the machine.
  if ! ip link show xenbr0 >/dev/null 2>&1; then
    ip link add xenbr0 type bridge
  fi
  ip link set xenbr0 up
}

need_root
install_packages
start_libvirt
make_bridge
echo "== building test guests (cached)"
XEN2KVM_GUESTS=$(bash testdata/build-guests.sh | tail -n 1)
export XEN2KVM_GUESTS
XEN2KVM_LVM_GUESTS=$(bash testdata/build-lvm-guests.sh | tail -n 1); export XEN2KVM_LVM_GUESTS
XEN2KVM_KERNEL_GUESTS=$(bash testdata/build-kernel-guests.sh | tail -n 1)
export XEN2KVM_KERNEL_GUESTS
echo "== mvn verify"
mvn -B -ntp verify
echo "== launcher (bin/xen2kvm)"
testdata/launcher-test.sh
testdata/deb-test.sh
echo "== fuzzing (testdata/fuzz.sh, 15 s per target, two at a time)"; testdata/fuzz.sh

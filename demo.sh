#!/usr/bin/env bash
# The main job on a fresh machine: build xen2kvm and convert the bundled example guest
# (a small xen-tools style PV guest whose disk images are made here from text files).
set -euo pipefail
cd "$(dirname "$0")"
if ! command -v mvn >/dev/null || ! command -v java >/dev/null || ! command -v mkfs.ext4 >/dev/null; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -q
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends openjdk-17-jdk-headless maven e2fsprogs
  else
    echo "demo.sh: needs java 17, maven and e2fsprogs (run as root to install them)" >&2
    exit 2
  fi
fi
[ -f converter-cli/target/xen2kvm.jar ] || mvn -B -q -ntp package -DskipTests
work=${DEMO_DIR:-/tmp/xen2kvm-demo}
rm -rf "$work"
mkdir -p "$work"
cfg=$(bash testdata/examples/make-example.sh "$work/xen")
xen2kvm() { bin/xen2kvm "$@"; }
echo "== xen2kvm inspect --config-only --json $cfg"
xen2kvm inspect --config-only --json "$cfg"
echo "== xen2kvm convert $cfg --dry-run"
xen2kvm convert "$cfg" --dry-run --output-dir "$work/kvm"
echo "== xen2kvm convert $cfg --output-dir $work/kvm"
xen2kvm convert "$cfg" --output-dir "$work/kvm"
ls -ls "$work/kvm"

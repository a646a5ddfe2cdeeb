#!/usr/bin/env bash
# Runs the Ansible playbook deploy/ansible/convert.yml as a migration team would, over one plan
# and an inventory of two conversion hosts, which here are both this machine
# (ansible_connection=local) with separate work directories: the role installs the Debian
# package, each host converts its shard (`plan run --shard I/2`) at the same time as the
# other, and the controller gathers both hosts' `plan status --json` into one report. Checks
# that the two shards together converted every guest of the plan exactly once, that each
# guest's disk and domain XML exist, and that the report names every guest.
# Needs root (it installs and then purges the package), ansible-core and the guests' tools.
#
#   testdata/ansible-test.sh [PATH/TO/xen2kvm_VERSION_all.deb]
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" != 0 ]; then
    echo "ansible-test: run as root (the role installs the package)" >&2
    exit 2
fi
deb=${1:-$(ls -t packaging-deb/target/xen2kvm_*_all.deb 2>/dev/null | head -n 1)}
if [ -z "$deb" ] || [ ! -f "$deb" ]; then
    echo "ansible-test: no packaging-deb/target/xen2kvm_*_all.deb; build it with: mvn -B package -DskipTests" >&2
    exit 2
fi
deb=$(readlink -f "$deb")
GUESTS=6
work=$(mktemp -d /var/tmp/xen2kvm-ansible.XXXXXX)
chmod 755 "$work"
cleanup() {
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 purge -y -q xen2kvm >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT

# The host's guests: copies of the demo guest under other names, plus a config whose disk is
# missing (a plan covers the whole host; that guest fails on whichever shard owns it).
demo=$(testdata/examples/make-example.sh "$work/src")
src=$(dirname "$demo")
mkdir "$work/xen"
for i in $(seq 1 "$GUESTS"); do
    sed "s/^name .*/name    = 'ansible-demo-$i'/" "$demo" > "$work/xen/demo$i.cfg"
done
sed -e "s/^name .*/name    = 'ansible-nodisk'/" -e "s|$src/disk.img|$src/missing.img|" "$demo" \
    > "$work/xen/nodisk.cfg"

bin/xen2kvm plan create "$work/xen" --output "$work/plan.yaml" --output-dir "$work/out" --domain-type qemu

cat > "$work/inventory.ini" <<INV
[conversion_hosts]
conv1 xen2kvm_workdir=$work/conv1
conv2 xen2kvm_workdir=$work/conv2

[conversion_hosts:vars]
ansible_connection=local
ansible_python_interpreter=/usr/bin/python3
INV

set +e
ANSIBLE_NOCOLOR=1 ANSIBLE_HOST_KEY_CHECKING=False ansible-playbook -i "$work/inventory.ini" deploy/ansible/convert.yml \
    -e "xen2kvm_plan_src=$work/plan.yaml" -e "xen2kvm_package=$deb" -e "xen2kvm_report_dir=$work/report"
rc=$?
set -e
# 2: a host failed (the one whose shard has the missing-disk guest); 0 or anything else is wrong.
if [ "$rc" != 2 ]; then
    echo "ansible-test: FAIL: ansible-playbook exit $rc, expected 2 (one host's shard has a failed guest)" >&2
    exit 1
fi

python3 - "$work" "$GUESTS" <<'PY'
import json, os, sys
work, n = sys.argv[1], int(sys.argv[2])
report = json.load(open(os.path.join(work, "report", "report.json")))
hosts = report["hosts"]
assert sorted(hosts) == ["conv1", "conv2"], hosts
assert sorted(report["shards"].values()) == ["1/2", "2/2"], report["shards"]
ran = {}
for host, status in hosts.items():
    for g in status["guests"]:
        if g["state"] != "pending":
            ran.setdefault(g["name"], []).append((host, g["state"]))
expected = [f"ansible-demo-{i}" for i in range(1, n + 1)] + ["ansible-nodisk"]
missing = [g for g in expected if g not in ran]
twice = {g: r for g, r in ran.items() if len(r) != 1}
assert not missing, f"guests no shard ran: {missing}"
assert not twice, f"guests run by more than one shard: {twice}"
for i in range(1, n + 1):
    name = f"ansible-demo-{i}"
    assert ran[name][0][1] == "done", (name, ran[name])
    assert os.path.isfile(os.path.join(work, "out", name + ".xml")), name
assert ran["ansible-nodisk"][0][1] == "failed", ran["ansible-nodisk"]
md = open(os.path.join(work, "report", "report.md")).read()
for g in expected:
    assert g in md, f"{g} not in report.md"
per_host = {h: sum(1 for r in ran.values() if r[0][0] == h) for h in hosts}
print(f"ansible-test: ok: {len(expected)} guests, each converted by exactly one shard {per_host}; "
      f"the missing-disk guest failed on {ran['ansible-nodisk'][0][0]}")
PY

#!/usr/bin/env python3
"""Measures how the conversion flows through the code, for docs/architecture.md.

usage: bench/architecture-trace.py JAR CONFIG
  JAR     a built converter-cli/target/xen2kvm.jar
  CONFIG  a Xen guest definition to convert (with --dry-run, nothing is written)

Prints:
  - classes of org.xen2kvm loaded while converting (java -Xlog:class+load): what a
    conversion touches;
  - class-level dependencies (jdeps) between those classes that climb back up the
    pipeline: from a class of a later stage to a class of an earlier stage (the stage
    order below, which names both the old and the new packages, so that two versions of
    the code can be compared);
  - the biggest production classes by lines.
"""
import collections, os, re, subprocess, sys, tempfile, zipfile

# Layers, top to bottom: the CLI; the pipeline that runs the steps; the stages (read the
# definition, plan, inspect, edit, write XML, register); the two models they exchange (the
# Xen and the KVM guest); the storage stack (image formats, XVA, partitions, filesystems);
# helpers. Both the old and the new package names are listed so two versions compare.
LEVELS = [
    ('cli', 0), ('pipeline', 1),
    ('config', 2), ('plan', 2), ('guest', 2), ('convert', 2), ('edit', 2), ('domain', 2), ('libvirt', 2),
    ('source', 3), ('xen', 3), ('target', 3), ('kvm', 3),
    ('config.xva', 4), ('xva', 4), ('disk', 4), ('image', 4), ('partition', 4), ('fs', 4),
    ('json', 5), ('', 5),
]


# Between stages, data flows definition -> inspection -> plan -> edits -> XML -> libvirt; an
# arrow against that flow (the planner reaching into the edits) is a climb back up too.
FLOW = {'config': 0, 'guest': 1, 'plan': 2, 'convert': 3, 'edit': 3, 'domain': 4, 'libvirt': 5}


def level_of(cls):
    pkg = cls.rsplit('.', 1)[0][len('org.xen2kvm.'):] if cls.count('.') > 1 else ''
    best = ('', 5)
    for prefix, lvl in LEVELS:
        if prefix and (pkg == prefix or pkg.startswith(prefix + '.')) and len(prefix) > len(best[0]):
            best = (prefix, lvl)
    return best[1], best[0]


def main():
    jar, config = sys.argv[1], sys.argv[2]
    with tempfile.TemporaryDirectory() as out:
        log = subprocess.run(['java', '-Xlog:class+load:file=' + out + '/load.txt', '-jar', jar, 'convert', config,
                              '--dry-run', '-q', '-o', out + '/kvm'], capture_output=True, text=True)
        if log.returncode != 0:
            sys.exit('conversion failed: ' + log.stderr)
        loaded = sorted({m.group(1) for m in re.finditer(r' (org\.xen2kvm\.[\w.$]+) source:',
                                                         open(out + '/load.txt').read())})
    top = sorted({c.split('$')[0] for c in loaded})
    deps = subprocess.run(['jdeps', '-verbose:class', '-filter:none', '--multi-release', '17', jar],
                          capture_output=True, text=True).stdout
    edges = set()
    for line in deps.splitlines():
        m = re.match(r'\s+(org\.xen2kvm\.[\w.$]+)\s+->\s+(org\.xen2kvm\.[\w.$]+)', line)
        if m:
            a, b = m.group(1).split('$')[0], m.group(2).split('$')[0]
            if a != b and a in top and b in top:
                edges.add((a, b))
    climbs, across = [], collections.Counter()
    for a, b in sorted(edges):
        (la, pa), (lb, pb) = level_of(a), level_of(b)
        if lb < la:
            climbs.append((a, b))
        elif la == lb == 2 and pa.split('.')[0] != pb.split('.')[0]:
            sa, sb = pa.split('.')[0], pb.split('.')[0]
            if FLOW[sb] > FLOW[sa]:
                climbs.append((a, b))
            else:
                across[(sa, sb)] += 1
    print(f'classes loaded by a dry-run conversion: {len(top)} (with nested: {len(loaded)})')
    print(f'dependencies among them: {len(edges)}')
    print(f'climbing back up (a layer, or against the flow between stages): {len(climbs)}')
    for a, b in climbs:
        print(f'  {a[12:]} -> {b[12:]}')
    print(f'between stages, along the flow: {sum(across.values())} ' + ', '.join(f'{a}->{b} {n}' for (a, b), n in sorted(across.items())))


if __name__ == '__main__':
    main()

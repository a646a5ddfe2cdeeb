#!/usr/bin/env bash
# Tests the Debian package built by `mvn package` (packaging-deb/target/xen2kvm_*_all.deb) as
# a user meets it: apt installs it, `xen2kvm` runs from /usr/bin (as root and as another
# user, whose class data sharing archive goes to its own ~/.cache), `man` shows its pages,
# bash completes its subcommands and options, and a purge leaves none of its files.
# Needs root, man-db and bash-completion. It replaces and then purges any installed xen2kvm.
#
#   testdata/deb-test.sh [PATH/TO/xen2kvm_VERSION_all.deb]
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" != 0 ]; then
    echo "deb-test: run as root (it installs and removes the package)" >&2
    exit 2
fi
deb=${1:-$(ls -t packaging-deb/target/xen2kvm_*_all.deb 2>/dev/null | head -n 1)}
if [ -z "$deb" ] || [ ! -f "$deb" ]; then
    echo "deb-test: no packaging-deb/target/xen2kvm_*_all.deb; build it with: mvn -B package -DskipTests" >&2
    exit 2
fi
deb=$(readlink -f "$deb")
work=$(mktemp -d)
chmod 755 "$work"
trap 'rm -rf "$work"' EXIT
failures=0
check() { # $1 description, $2 shell command that must succeed
    if eval "$2"; then echo "ok   $1"; else echo "FAIL $1"; failures=$((failures + 1)); fi
}

# What bash offers for the command line $1 (the cursor at its end), one word a line, through
# the function `complete -p xen2kvm` names after bash-completion loads the file on demand.
complete_words() {
    bash -c '
        source /usr/share/bash-completion/bash_completion
        # The picocli script calls compopt, which bash refuses outside a real completion.
        compopt() { builtin compopt "$@" 2>/dev/null || true; }
        _completion_loader xen2kvm
        fn=$(complete -p xen2kvm | sed -n "s/.* -F \([^ ]*\) .*/\1/p")
        [ -n "$fn" ] || { echo "no completion function for xen2kvm" >&2; exit 1; }
        COMP_LINE=$1
        COMP_POINT=${#COMP_LINE}
        read -r -a COMP_WORDS <<<"$COMP_LINE"
        case $COMP_LINE in *" ") COMP_WORDS+=("") ;; esac
        COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
        COMPREPLY=()
        "$fn" xen2kvm "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
        printf "%s\n" "${COMPREPLY[@]}"
    ' complete_words "$1"
}

echo "== installing $deb"
DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends "$deb" >"$work/install.log" 2>&1 \
    || { cat "$work/install.log" >&2; echo "deb-test: apt-get install failed" >&2; exit 1; }
check "the package is installed" '[ "$(dpkg-query -W -f="\${Status}" xen2kvm)" = "install ok installed" ]'
dpkg -L xen2kvm >"$work/listed"
# Only what the package alone owns: /usr, /usr/bin and the like are shared.
while read -r f; do
    if [ ! -d "$f" ] || [ "$(dpkg -S "$f" 2>/dev/null | cut -d: -f1)" = xen2kvm ]; then echo "$f"; fi
done <"$work/listed" >"$work/owned"
for f in /usr/bin/xen2kvm /usr/share/xen2kvm/xen2kvm.jar /usr/share/man/man1/xen2kvm.1.gz \
         /usr/share/man/man1/xen2kvm-convert.1.gz /usr/share/man/man1/xen2kvm-disk-convert.1.gz \
         /usr/share/bash-completion/completions/xen2kvm /usr/share/doc/xen2kvm/copyright; do
    # A missing man page with the file listed: see path-exclude in /etc/dpkg/dpkg.cfg.d/.
    check "installs $f" '[ -f "$f" ] && grep -qx "$f" "$work/owned"'
done

# Runs from /usr/bin, found on PATH, with the installed jar.
export HOME=$work/root-home XDG_CACHE_HOME=
upstream=$(dpkg-query -W -f='${Version}' xen2kvm | sed 's/[~-].*//')
check "xen2kvm --version prints the packaged version" \
    '(cd / && xen2kvm --version) >"$work/version" && grep -q "^xen2kvm $upstream" "$work/version"'
check "xen2kvm --help lists the commands" \
    'xen2kvm --help >"$work/help" && grep -q "inspect" "$work/help" && grep -q "convert" "$work/help" && grep -q "disk" "$work/help"'
check "the first run writes its CDS archive under ~/.cache/xen2kvm" 'ls "$HOME"/.cache/xen2kvm/classes-*.jsa >/dev/null 2>&1'
truncate -s 8M "$work/disk.raw"
check "xen2kvm disk info runs a command" 'xen2kvm disk info "$work/disk.raw" --json >"$work/info.json" && grep -q "\"raw\"" "$work/info.json"'
mkdir -p "$work/user-home"
chown nobody "$work/user-home"
check "another user runs it, its archive in its own ~/.cache" \
    'runuser -u nobody -- env HOME="$work/user-home" /usr/bin/xen2kvm --version >/dev/null && ls "$work"/user-home/.cache/xen2kvm/classes-*.jsa >/dev/null 2>&1'

# man: the pages are found by name, render without groff warnings, and carry the options.
check "man xen2kvm shows the page" \
    'MANWIDTH=80 man -P cat xen2kvm >"$work/man" 2>"$work/man.err" && grep -q "^NAME" "$work/man" && grep -q "xen2kvm - Moves Xen guests" "$work/man"'
check "man xen2kvm renders without warnings" '[ ! -s "$work/man.err" ] && [ -z "$(man --warnings -P cat xen2kvm 2>&1 >/dev/null)" ]'
check "man xen2kvm-convert documents --dry-run" 'MANWIDTH=80 man -P cat xen2kvm-convert 2>/dev/null | grep -q -- "--dry-run"'
check "man xen2kvm-disk-convert documents -O" 'MANWIDTH=80 man -P cat xen2kvm-disk-convert 2>/dev/null | grep -q -- "-O"'

# bash completion: subcommands, nested subcommands and options.
check "completes 'xen2kvm dis' to disk" 'complete_words "xen2kvm dis" | grep -qx disk'
check "completes 'xen2kvm ' with all commands" \
    'complete_words "xen2kvm " >"$work/top" && grep -qx inspect "$work/top" && grep -qx convert "$work/top" && grep -qx disk "$work/top"'
check "completes 'xen2kvm disk con' to convert" 'complete_words "xen2kvm disk con" | grep -qx convert'
check "completes 'xen2kvm convert --dry' to --dry-run" 'complete_words "xen2kvm convert --dry" | grep -qx -- --dry-run'
check "completes 'xen2kvm convert --output-f' to --output-format" \
    'complete_words "xen2kvm convert --output-f" | grep -qx -- --output-format'

echo "== purging"
DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 remove --purge -y -q xen2kvm >"$work/remove.log" 2>&1 \
    || { cat "$work/remove.log" >&2; echo "deb-test: apt-get remove --purge failed" >&2; failures=$((failures + 1)); }
check "the package is gone" '! dpkg-query -W -f="\${Status}" xen2kvm 2>/dev/null | grep -q installed'
check "it listed files before" '[ -s "$work/owned" ]'
while read -r f; do
    if [ -e "$f" ]; then echo "left behind: $f"; fi
done <"$work/owned" >"$work/left"
check "none of its $(wc -l <"$work/owned") files or directories is left" '[ ! -s "$work/left" ] || { cat "$work/left"; false; }'
hash -r
check "xen2kvm is no longer on PATH" '! command -v xen2kvm >/dev/null'

if [ "$failures" -gt 0 ]; then
    echo "deb-test: $failures check(s) failed" >&2
    exit 1
fi
echo "deb-test: all checks passed"

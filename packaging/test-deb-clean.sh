#!/bin/bash
# Installs a Roadsight .deb into a fresh Debian 12 (debootstrap minbase, nothing else) the way a
# user would (apt-get install ./roadsight_*.deb) and checks it there: --version / --help of the
# three binaries, a generated dataset and `roadsight-cli info` on it (offscreen Vulkan on lavapipe),
# the desktop entry's Exec line with a screenshot of its window under Xvfb, and the entry launched
# the way desktop menus launch it (gio launch) until its window maps. Needs root, debootstrap and a Debian mirror; not part of CI (it downloads ~1 GB).
#
#   sudo packaging/test-deb-clean.sh build/roadsight_0.1.0_amd64.deb [ROOT] [OUT]
#
# ROOT (default /tmp/roadsight-deb12) is reused when it exists; OUT (default ./deb-test) gets the
# screenshot and the log.
set -euo pipefail

[ $# -ge 1 ] || { echo "usage: $0 ROADSIGHT.deb [ROOT] [OUT]" >&2; exit 2; }
deb=$(realpath "$1")
root=${2:-/tmp/roadsight-deb12}
out=$(realpath -m "${3:-deb-test}")
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
[ -f "$deb" ] || { echo "$0: no such .deb: $1" >&2; exit 2; }
mkdir -p "$out"

if [ ! -x "$root/usr/bin/apt-get" ]; then
    echo "== debootstrap bookworm (minbase) into $root"
    debootstrap --variant=minbase bookworm "$root" "$mirror"
fi

cleanup() {
    for m in dev proc sys; do umount -l "$root/$m" 2>/dev/null || true; done
}
trap cleanup EXIT
mount -t proc proc "$root/proc"
mount --bind /sys "$root/sys"
mount --bind /dev "$root/dev"
cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true

in_root() { chroot "$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"; }

cp "$deb" "$root/tmp/roadsight.deb"
echo "== apt-get install ./roadsight.deb (with its Recommends, as a user's apt does)"
in_root apt-get update -q
# --reinstall: a reused ROOT may hold an older build of the same version.
in_root apt-get install -y -q --reinstall /tmp/roadsight.deb
# Tools of this test only, not of the package: a headless X server and the metadata validators.
in_root apt-get install -y -q --no-install-recommends xvfb xauth desktop-file-utils appstream libglib2.0-bin \
    x11-utils

echo "== binaries"
in_root roadsight --version
in_root roadsight --help | head -n 3
in_root roadsight-cli --help | head -n 3
in_root roadsight-models --help | head -n 3

echo "== desktop entry and AppStream metadata"
in_root desktop-file-validate /usr/share/applications/roadsight.desktop
in_root appstreamcli validate --no-net /usr/share/metainfo/roadsight.metainfo.xml

echo "== generate a dataset (offscreen Vulkan) and read it back"
in_root sh -c 'rm -rf /tmp/gen && roadsight-cli generate --scenes 1 --seconds 2 --width 320 --height 180 --seed 5 --out /tmp/gen'
in_root roadsight-cli info /tmp/gen | head -n 12

if [ -f "$root/usr/share/roadsight/assets/bevformer_embedded.safetensors" ]; then
    echo "== the shipped BEVFormer, found in its installed place by eval's default"
    in_root roadsight-cli eval detection --data /tmp/gen --split train --out /tmp/eval --pictures 0 | tail -n 14
fi

echo "== the menu's Exec line, under Xvfb"
in_root install -d -m 700 /tmp/xdg-run
exec_line=$(sed -n 's/^Exec=//p' "$root/usr/share/applications/roadsight.desktop" | head -n 1)
# A menu start without a file drops %f; the screenshot flags make the window save itself and quit.
cmd=$(echo "$exec_line" | sed 's/ *%[fFuU]//g')
in_root xvfb-run -a -s "-screen 0 1600x1000x24" sh -c "XDG_RUNTIME_DIR=/tmp/xdg-run $cmd /tmp/gen --screenshot /tmp/menu.png --size 1600x1000 --frames 1"
cp "$root/tmp/menu.png" "$out/menu.png"

echo "== launched as a desktop menu does it (gio launch of the desktop entry, GLib's GDesktopAppInfo)"
# The window must map with the entry's StartupWMClass within a minute; then the app is closed.
in_root xvfb-run -a -s "-screen 0 1600x1000x24" sh -c '
    XDG_RUNTIME_DIR=/tmp/xdg-run gio launch /usr/share/applications/roadsight.desktop
    for i in $(seq 60); do
        if xwininfo -root -tree | grep -q "(\"roadsight\" "; then
            xwininfo -root -tree | grep "(\"roadsight\" " | head -n 1
            pkill -x roadsight
            exit 0
        fi
        sleep 1
    done
    echo "no roadsight window appeared" >&2
    pkill -x roadsight
    exit 1'
echo "== passed: $out/menu.png"

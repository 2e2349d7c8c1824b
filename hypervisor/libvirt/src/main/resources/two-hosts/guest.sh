#!/bin/bash
# guest.sh DIR: builds a guest that boots in seconds under TCG into DIR (kept between runs):
#   DIR/vmlinuz   Debian's cloud kernel (apt-get download, dpkg -x)
#   DIR/initrd.gz busybox-static + the heartbeat init of this folder
# The guest prints GUEST-UP, then "HEARTBEAT n" on its serial port every second while rewriting
# 32 MiB of memory: a live workload whose continuity across a migration can be checked.
# The 32 MiB are rewritten in place rather than freed and allocated again each second: with the
# latter, about one LibvirtProcessIT run in four ended in a guest kernel BUG (list_del corruption
# in the page allocator, i.e. guest memory that arrived wrong) right after a live migration under
# QEMU 7.2's TCG; 160 migrations by virsh and 25 by LibvirtHypervisor alone did not reproduce it.
# A KVM guest's dirty pages are tracked by the hardware, not by TCG. The set-up now installs QEMU 10
# (bookworm-backports): 7.2 also corrupted this guest in 5 of 81 live moves with a 50 ms planned
# pause, 10 in none of 100.
# DIR keeps a copy of the init it was built with: a changed init rebuilds the initrd.
set -euo pipefail
DIR=${1:?usage: guest.sh DIR}
HERE=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$DIR"
[ -s "$DIR/vmlinuz" ] && [ -s "$DIR/initrd.gz" ] && cmp -s "$HERE/init" "$DIR/init" && exit 0
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
apt-get download linux-image-cloud-amd64 busybox-static >/dev/null 2>&1
kernel=$(dpkg-deb -f linux-image-cloud-amd64_*.deb Depends | sed 's/[ ,].*//')
apt-get download "$kernel" >/dev/null 2>&1
dpkg -x "$kernel"_*.deb k
dpkg -x busybox-static_*.deb b
mkdir -p root/bin root/proc root/sys root/dev root/run
cp b/bin/busybox root/bin/busybox
cp "$HERE/init" root/init
chmod +x root/init root/bin/busybox
(cd root && find . | ../b/bin/busybox cpio -o -H newc | gzip) > "$DIR/initrd.gz.tmp"
cp k/boot/vmlinuz-* "$DIR/vmlinuz.tmp"
mv "$DIR/initrd.gz.tmp" "$DIR/initrd.gz"
mv "$DIR/vmlinuz.tmp" "$DIR/vmlinuz"
cp "$HERE/init" "$DIR/init"

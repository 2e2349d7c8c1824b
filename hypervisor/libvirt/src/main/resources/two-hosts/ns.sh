#!/bin/bash
# ns.sh ROOT NAME: runs INSIDE a new mount+net+UTS namespace; gives libvirtd its own /etc/libvirt,
# /run, /var/lib, /var/cache and /var/log, then holds the namespace open
set -euo pipefail
ROOT=$1; N=$2; D=$ROOT/$N; HERE=$(cd "$(dirname "$0")" && pwd)
mount --make-rprivate /
mount --bind "$D/etc" /etc/libvirt
# libvirtd wants a libvirt-qemu user even when it runs guests as root
mount --bind "$HERE/passwd" /etc/passwd
mount --bind "$HERE/group" /etc/group
mount -t tmpfs tmpfs /run && mkdir -p /run/libvirt && mount --bind "$D/run" /run/libvirt
mount -t tmpfs tmpfs /var/lib && mkdir -p /var/lib/libvirt && mount --bind "$D/lib" /var/lib/libvirt
mount -t tmpfs tmpfs /var/cache && mkdir -p /var/cache/libvirt && mount --bind "$D/cache" /var/cache/libvirt
mount -t tmpfs tmpfs /var/log && mkdir -p /var/log/libvirt && mount --bind "$D/log" /var/log/libvirt
ip link set lo up
hostname "$N"
echo ready > "$D/ns.ready"
exec sleep infinity

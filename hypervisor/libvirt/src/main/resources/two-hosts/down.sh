#!/bin/bash
# down.sh ROOT: stops the guests, both libvirtd and their namespaces
ROOT=$1
for N in host-a host-b; do
  P=$(cat "$ROOT/$N/ns.pid" 2>/dev/null) || continue
  nsenter -t "$P" -m -n -u sh -c 'for d in $(virsh -q list --name 2>/dev/null); do virsh -q destroy "$d"; done; kill $(cat /run/libvirt/libvirtd.pid) 2>/dev/null' || true
done
sleep 0.5
for N in host-a host-b; do
  pkill -P "$(cat "$ROOT/$N/unshare.pid" 2>/dev/null)" 2>/dev/null || true
  kill "$(cat "$ROOT/$N/unshare.pid" 2>/dev/null)" 2>/dev/null || true
done
pkill -f "qemu-system-x86_64.*$ROOT" 2>/dev/null || true
exit 0

#!/bin/bash
# up.sh ROOT: two libvirt "hosts", host-a (10.77.0.1) and host-b (10.77.0.2), each a libvirtd in
# its own namespaces, linked by a veth pair; clients use qemu+unix:///system?socket=ROOT/<host>/run/libvirt-sock
set -euo pipefail
ROOT=$1; HERE=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$ROOT"
"$HERE/host.sh" "$ROOT" host-a 10.77.0.1 7a7a7a7a-0000-4000-8000-00000000000a
"$HERE/host.sh" "$ROOT" host-b 10.77.0.2 7a7a7a7a-0000-4000-8000-00000000000b
for N in host-a host-b; do
  rm -f "$ROOT/$N/ns.ready"
  setsid unshare --mount --net --uts --fork "$HERE/ns.sh" "$ROOT" "$N" > "$ROOT/$N/ns.out" 2>&1 &
  echo $! > "$ROOT/$N/unshare.pid"
done
for N in host-a host-b; do
  for i in $(seq 100); do [ -f "$ROOT/$N/ns.ready" ] && break; sleep 0.1; done
  [ -f "$ROOT/$N/ns.ready" ] || { echo "up: namespace of $N did not start: $(cat "$ROOT/$N/ns.out")" >&2; exit 1; }
  pgrep -P "$(cat "$ROOT/$N/unshare.pid")" > "$ROOT/$N/ns.pid"
done
PA=$(cat "$ROOT/host-a/ns.pid"); PB=$(cat "$ROOT/host-b/ns.pid")
VA=vh$$a; VB=vh$$b
ip link add "$VA" type veth peer name "$VB"
ip link set "$VA" netns "$PA"; ip link set "$VB" netns "$PB"
nsenter -t "$PA" -n sh -c "ip addr add 10.77.0.1/24 dev $VA; ip link set $VA up"
nsenter -t "$PB" -n sh -c "ip addr add 10.77.0.2/24 dev $VB; ip link set $VB up"
for N in host-a host-b; do
  nsenter -t "$(cat "$ROOT/$N/ns.pid")" -m -n -u libvirtd --listen -d -p /run/libvirt/libvirtd.pid
done
for N in host-a host-b; do
  for i in $(seq 100); do [ -S "$ROOT/$N/run/libvirt-sock" ] && break; sleep 0.1; done
  [ -S "$ROOT/$N/run/libvirt-sock" ] || { echo "up: libvirtd of $N did not start" >&2; exit 1; }
done

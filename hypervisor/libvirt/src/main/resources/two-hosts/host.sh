#!/bin/bash
# host.sh ROOT NAME IP UUID: config for one libvirtd "host" under ROOT/NAME (no system file touched)
set -euo pipefail
ROOT=$1; N=$2; IP=$3; U=$4; D=$ROOT/$N
mkdir -p "$D"/{etc,run,lib,cache,log,images}
cat > "$D/etc/libvirtd.conf" <<EOC
listen_tls = 0
listen_tcp = 1
listen_addr = "$IP"
auth_tcp = "none"
auth_unix_rw = "none"
unix_sock_rw_perms = "0777"
host_uuid = "$U"
log_outputs = "2:file:/var/log/libvirt/libvirtd.log"
EOC
cat > "$D/etc/qemu.conf" <<EOC
user = "root"
group = "root"
dynamic_ownership = 0
security_driver = "none"
stdio_handler = "file"
namespaces = [ ]
migration_address = "$IP"
migration_host = "$IP"
EOC

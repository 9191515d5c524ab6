#!/usr/bin/env bash
# Integration tests of the strata.cloud.libvirt_* modules against a REAL libvirtd.
#
#   tests/integration/libvirt/run.sh [ansible-playbook options, e.g. -v or -e strata_it_kernel=/boot/vmlinuz]
#
# STRATA_IT_IMAGE=<dir> adds a VM that really boots that image (a directory with manifest.json,
# disk.qcow2, vmlinuz and initrd.img, as the image builder writes them) and logs in over SSH.
#
# Assumes libvirtd runs and answers at $LIBVIRT_DEFAULT_URI (default qemu:///system) and that
# qemu-system-x86, qemu-utils and genisoimage are installed. Everything the suite creates is named
# strata-it-* (VMs, networks, pools, bridge strata-it-br0, files under
# /var/lib/libvirt/strata-test/it) and removed at the end, also when a test fails. VMs run under
# TCG (virt_type qemu), networks get no host address, port forwards bind 127.0.0.1.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=tools/env.sh
. "$HERE/../../../tools/env.sh"

PYTHON="$STRATA_VENV/bin/python"
URI="${LIBVIRT_DEFAULT_URI:-qemu:///system}"
[ -x "$PYTHON" ] || { echo "ERROR: no venv python at $PYTHON (run tools/setup)" >&2; exit 1; }
"$PYTHON" -c 'import sys, libvirt; libvirt.open(sys.argv[1]).close()' "$URI" 2>/dev/null || {
  echo "ERROR: libvirtd does not answer at $URI (start it: virtlogd -d; libvirtd -d)" >&2
  exit 1
}

start=$(date +%s)
rc=0
ansible-playbook -i localhost, -c local \
  -e "ansible_python_interpreter=$PYTHON" -e "strata_it_uri=$URI" -e "strata_it_image=${STRATA_IT_IMAGE:-}" \
  "$HERE/main.yml" "$@" || rc=$?
echo "libvirt integration suite: rc=$rc in $(( $(date +%s) - start ))s"
exit "$rc"

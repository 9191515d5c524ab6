#!/usr/bin/env bash
# Integration test of strata.cloud.disk_facts on REAL block devices of this machine.
#
#   tests/integration/disk_facts/run.sh [ansible-playbook options, e.g. -v]
#
# Needs root (losetup, mkfs, pvcreate). Creates four loop devices on sparse files under
# /var/tmp/strata-it-disks (a blank one, one with ext4, one with a GPT partition table, one LVM
# physical volume in volume group strata-it-disks) and removes all of them at the end, also when a
# test fails. Installs lvm2 and fdisk when they are missing.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=tools/env.sh
. "$HERE/../../../tools/env.sh"
[ "$(id -u)" -eq 0 ] || { echo "ERROR: run as root (loop devices)" >&2; exit 1; }
start=$(date +%s)
rc=0
ansible-playbook -i localhost, -c local -e "ansible_python_interpreter=$STRATA_VENV/bin/python" "$HERE/main.yml" "$@" || rc=$?
echo "disk_facts integration test: rc=$rc in $(( $(date +%s) - start ))s"
exit "$rc"

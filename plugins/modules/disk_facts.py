#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: strata.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: disk_facts
short_description: Inspect block devices before a storage role touches them
version_added: 0.1.0
description:
  - Reports what each given block device holds (file system, partition table, LVM physical volume,
    holders, mount points) and whether it is blank, so that storage roles can refuse to wipe a
    disk with data on it.
  - A device is blank when it has no file system or RAID/LVM signature (C(blkid -p)), no partition
    table, no partitions, no holders, no mount points, C(wipefs) reports no signature and the
    first and the last MiB are all zero bytes.
  - Changes nothing. A device that does not exist is returned with RV(disks[].exists=false); the
    module does not fail for it.
  - Needs C(lsblk), C(blkid) and C(wipefs) (util-linux). LVM details (RV(disks[].lvm_vg),
    RV(disks[].lvm_lv_tags)) need the LVM tools (C(pvs)); without them a physical volume is still
    recognised by its signature.
author:
  - strata.cloud maintainers (@strata-cloud)
extends_documentation_fragment:
  - strata.cloud.attributes
attributes:
  check_mode:
    support: full
    details: This module changes nothing.
  diff_mode:
    support: none
    details: This module changes nothing.
options:
  devices:
    description:
      - Block device paths as written in C(strata_disks[].device), for example V(/dev/vdb) or
        V(/dev/disk/by-id/virtio-data2). Symbolic links are resolved.
    type: list
    elements: str
    required: true
notes:
  - Reading the device edges needs read access to the device (run with become).
seealso:
  - module: community.general.lvg
"""

EXAMPLES = r"""
- name: Inspect the data disks
  strata.cloud.disk_facts:
    devices: [/dev/vdb, /dev/disk/by-id/virtio-data2]
  register: _disks

- name: Refuse disks that hold data
  ansible.builtin.assert:
    that: item.blank or item.lvm_vg == 'data'
    fail_msg: "{{ item.device }} {{ item.reason }}"
  loop: "{{ _disks.disks }}"
  loop_control:
    label: "{{ item.device }}"
"""

RETURN = r"""
disks:
  description: One entry per device of O(devices), in the same order.
  returned: always
  type: list
  elements: dict
  contains:
    device:
      description: The device as given.
      type: str
      sample: /dev/disk/by-id/virtio-data2
    path:
      description: The resolved real path.
      type: str
      sample: /dev/vdc
    exists:
      description: Whether the path exists.
      type: bool
    is_block:
      description: Whether the path is a block device.
      type: bool
    size_bytes:
      description: Size in bytes (0 when not a block device).
      type: int
      sample: 8589934592
    type:
      description: The C(lsblk) TYPE, for example V(disk), V(part), V(lvm) or V(loop); null when not a block device.
      type: str
      sample: disk
    fstype:
      description: File system or other content signature from C(blkid -p), for example V(ext4) or V(LVM2_member); null when none.
      type: str
      sample: ext4
    label:
      description: File system label, or null.
      type: str
    pttype:
      description: Partition table type (V(gpt), V(dos)), or null.
      type: str
      sample: gpt
    partitions:
      description: Paths of the partitions of the device.
      type: list
      elements: str
      sample: [/dev/vdb1]
    holders:
      description: Names in C(/sys/class/block/<dev>/holders), for example device-mapper devices of an active volume group.
      type: list
      elements: str
      sample: [dm-0]
    mountpoints:
      description: Mount points of the device and its partitions and holders.
      type: list
      elements: str
    lvm_pv:
      description: Whether the device is an LVM physical volume.
      type: bool
    lvm_vg:
      description: Volume group of the physical volume, or null.
      type: str
      sample: data
    lvm_lv_tags:
      description: Tags of the logical volumes on the physical volume, for example C(ceph.osd_fsid=...).
      type: list
      elements: str
    blank:
      description: Whether the device holds nothing (see the description).
      type: bool
    reason:
      description: Why the device is not blank, empty when it is.
      type: str
      sample: holds a ext4 signature (label data)
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.strata.cloud.plugins.module_utils.storage.disks import HostProbe, inspect
from ansible_collections.strata.cloud.plugins.module_utils.storage.errors import StorageError


def argument_spec():
    return dict(devices=dict(type='list', elements='str', required=True))


def main():
    module = AnsibleModule(argument_spec=argument_spec(), supports_check_mode=True)
    probe = HostProbe(module.run_command, module.get_bin_path)
    try:
        disks = inspect(probe, module.params['devices'])
    except StorageError as exc:
        module.fail_json(msg=str(exc), **exc.details)
    module.exit_json(changed=False, disks=disks)


if __name__ == '__main__':
    main()

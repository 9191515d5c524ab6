#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: strata.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: proxmox_template
short_description: Make a Proxmox VE VM template from a cloud image, through the API only
version_added: 0.2.0
description:
  - Turns a cloud image (Debian, Ubuntu, ... in qcow2 or raw format) into a VM template without SSH to
    the node. Proxmox VE downloads the image itself (C(download-url) into a storage that holds
    C(import) content, checksum verified), the VM is created with its disk imported from that file
    (C(import-from)), a cloud-init drive, the guest agent option and a serial console (cloud images
    print their console there), the disk is grown to O(disk_size), and the VM is converted to a template.
  - Idempotent by name. An existing template is left as it is except for its CPU, memory, NIC, tags and
    description, which are converged. A VM of that name that is not a template yet (an earlier run
    stopped half way) is taken up where it stopped.
  - Needs Proxmox VE 8.4 or newer (C(import) content on file storage).
author:
  - strata.cloud maintainers (@strata-cloud)
extends_documentation_fragment:
  - strata.cloud.attributes
  - strata.cloud.proxmox
  - strata.cloud.proxmox.attributes
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
options:
  name:
    description: Template name (a DNS name), unique in the cluster; O(strata.cloud.proxmox_vm#module:vms[].clone) refers to it.
    type: str
    required: true
  state:
    description: V(present) makes the template, V(absent) destroys it with its disks (never a VM that is not a template).
    type: str
    choices: [present, absent]
    default: present
  node:
    description: Node that downloads the image and holds the template.
    type: str
    required: true
  vmid:
    description: VM ID of a new template (default the next free ID).
    type: int
  image_url:
    description: URL of the cloud image. Required with O(state=present).
    type: str
  image_checksum:
    description: Checksum of the image as C(<algorithm>:<hex digest>), for example V(sha512:3f2b...); C(sha256) when no algorithm is given.
    type: str
  image_filename:
    description: File name on O(image_storage) (default the last part of the URL). Must end in .qcow2, .raw, .img or .vmdk.
    type: str
  image_storage:
    description: File storage with C(import) in its content types, where the image is downloaded.
    type: str
    default: local
  validate_image_certs:
    description: Verify the TLS certificate of O(image_url).
    type: bool
    default: true
  storage:
    description: Storage of the template's disk.
    type: str
    default: local-lvm
  cloudinit_storage:
    description: Storage of the cloud-init drive (default O(storage)).
    type: str
  disk_size:
    description: Grow the imported disk to this size (C(20G), or a number of GiB).
    type: raw
  discard:
    description: Pass discards (TRIM) from the guest to the storage.
    type: bool
    default: true
  cores:
    description: CPU cores.
    type: int
    default: 1
  memory:
    description: Memory in MiB.
    type: int
    default: 1024
  bridge:
    description: Bridge of the first NIC.
    type: str
    default: vmbr0
  vlan:
    description: VLAN tag of the first NIC.
    type: int
  ostype:
    description: Guest OS type.
    type: str
    default: l26
  agent:
    description: Enable the QEMU guest agent option (the image must contain the agent for guest IPs).
    type: bool
    default: true
  serial_console:
    description: Add a serial port and use it as the display (cloud images log their console to it).
    type: bool
    default: true
  tags:
    description: Tags.
    type: list
    elements: str
  description:
    description: Description (notes) of the template.
    type: str
  timeout:
    description: Seconds each task (download, create with import, resize, conversion) may take.
    type: int
    default: 1800
"""

EXAMPLES = r"""
- name: Debian 13 template from the official cloud image
  strata.cloud.proxmox_template:
    api_host: pve1.example.org
    api_user: automation@pve
    api_token_id: ansible
    api_token_secret: "{{ vault_pve_token }}"
    name: debian-13
    node: pve1
    vmid: 9000
    image_url: https://cloud.debian.org/images/cloud/trixie/latest/debian-13-genericcloud-amd64.qcow2
    image_checksum: "sha512:{{ debian_13_sha512 }}"
    storage: local-lvm
    disk_size: 8G
    tags: [debian, cloud]
  delegate_to: localhost

- name: Ubuntu image whose URL ends in .img, from an offline mirror
  strata.cloud.proxmox_template:
    name: ubuntu-24.04
    node: pve1
    image_url: https://mirror.example.org/ubuntu/noble-server-cloudimg-amd64.img
    image_filename: noble-server-cloudimg-amd64.qcow2
  delegate_to: localhost
"""

RETURN = r"""
name:
  description: Template name.
  returned: always
  type: str
vmid:
  description: VM ID of the template (the one that would be used, in check mode).
  returned: always
  type: int
node:
  description: Node of the template.
  returned: always
  type: str
template:
  description: Whether the template exists after the task.
  returned: always
  type: bool
image:
  description: Volume ID of the downloaded image.
  returned: when the template was (or would be) made
  type: str
  sample: local:import/debian-13-genericcloud-amd64.qcow2
actions:
  description: What was (or would be) done, in order.
  returned: always
  type: list
  elements: str
api_requests:
  description: Number of API requests the task made.
  returned: always
  type: int
"""

from ansible_collections.strata.cloud.plugins.module_utils.proxmox.module import proxmox_module, run
from ansible_collections.strata.cloud.plugins.module_utils.proxmox.template import TemplateRunner


def main():
    module = proxmox_module(dict(
        name=dict(type='str', required=True),
        state=dict(type='str', default='present', choices=['present', 'absent']),
        node=dict(type='str', required=True),
        vmid=dict(type='int'),
        image_url=dict(type='str'),
        image_checksum=dict(type='str'),
        image_filename=dict(type='str'),
        image_storage=dict(type='str', default='local'),
        validate_image_certs=dict(type='bool', default=True),
        storage=dict(type='str', default='local-lvm'),
        cloudinit_storage=dict(type='str'),
        disk_size=dict(type='raw'),
        discard=dict(type='bool', default=True),
        cores=dict(type='int', default=1),
        memory=dict(type='int', default=1024),
        bridge=dict(type='str', default='vmbr0'),
        vlan=dict(type='int'),
        ostype=dict(type='str', default='l26'),
        agent=dict(type='bool', default=True),
        serial_console=dict(type='bool', default=True),
        tags=dict(type='list', elements='str'),
        description=dict(type='str'),
        timeout=dict(type='int', default=1800),
    ), required_if=[('state', 'present', ('image_url',))])

    def work(client):
        return TemplateRunner(client, module.params, check_mode=module.check_mode, timeout=module.params['timeout']).run()
    run(module, work)


if __name__ == '__main__':
    main()

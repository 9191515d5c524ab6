#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: strata.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: libvirt_vm_info
short_description: Read libvirt VMs in the shape that strata.cloud.libvirt_vm returns
version_added: 0.1.0
description:
  - Returns one VM or every VM of a libvirt host, with the same fields as the RV(strata.cloud.libvirt_vm#module:vm)
    result of M(strata.cloud.libvirt_vm), including the port forwards of user-mode NICs.
  - Works for domains not created by M(strata.cloud.libvirt_vm) too; disks that are not storage
    volumes are reported with their path and without a size.
author:
  - strata.cloud maintainers (@strata-cloud)
extends_documentation_fragment:
  - strata.cloud.attributes
  - strata.cloud.libvirt
  - strata.cloud.libvirt.attributes
attributes:
  check_mode:
    support: full
    details: This module changes nothing.
  diff_mode:
    support: N/A
    details: This module changes nothing.
options:
  name:
    description: Name of the VM. Without it every VM is returned. A missing VM gives an empty list.
    type: str
seealso:
  - module: strata.cloud.libvirt_vm
"""

EXAMPLES = r"""
- name: Read one VM
  strata.cloud.libvirt_vm_info:
    name: node1
  register: node1_info

- name: Read every VM
  strata.cloud.libvirt_vm_info: {}
  register: all_vms

- name: Show the SSH port of every VM
  ansible.builtin.debug:
    msg: "{{ item.name }}: {{ item.port_forwards | selectattr('guest_port', 'eq', 22) | map(attribute='host_port') | list }}"
  loop: "{{ all_vms.vms }}"
  loop_control:
    label: "{{ item.name }}"
"""

RETURN = r"""
vms:
  description: The VMs, sorted by name. See the RV(strata.cloud.libvirt_vm#module:vm) result of M(strata.cloud.libvirt_vm).
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: Domain name.
      type: str
    uuid:
      description: Domain UUID.
      type: str
    state:
      description: Domain state, for example V(running) or V(stopped).
      type: str
    virt_type:
      description: Domain type.
      type: str
    cpu_mode:
      description: CPU mode.
      type: str
    machine:
      description: Machine type.
      type: str
    vcpus:
      description: Number of vCPUs.
      type: int
    memory:
      description: Memory in MiB.
      type: int
    boot:
      description: Direct kernel boot settings, or null.
      type: dict
    disks:
      description: Disks (C(name), C(target), C(pool), C(volume), C(path), C(format), C(size) in bytes).
      type: list
      elements: dict
    nics:
      description: NICs (C(type), C(source), C(mac), C(model), C(mtu)).
      type: list
      elements: dict
    port_forwards:
      description: Port forwards of user-mode NICs (C(nic), C(host_address), C(host_port), C(guest_port), C(protocol)).
      type: list
      elements: dict
    autostart:
      description: Whether the VM starts with the host.
      type: bool
    seed:
      description: Pool and volume of the cloud-init seed cdrom, or null.
      type: dict
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.strata.cloud.plugins.module_utils.libvirt.client import libvirt_argument_spec
from ansible_collections.strata.cloud.plugins.module_utils.libvirt.module import read
from ansible_collections.strata.cloud.plugins.module_utils.libvirt.runner import vm_info


def main():
    spec = libvirt_argument_spec()
    spec.update(name=dict(type='str'))
    module = AnsibleModule(argument_spec=spec, supports_check_mode=True)
    read(module, lambda client: {'vms': vm_info(client, module.params['name'])})


if __name__ == '__main__':
    main()

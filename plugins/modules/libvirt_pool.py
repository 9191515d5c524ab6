#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: strata.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: libvirt_pool
short_description: Declare a libvirt storage pool
version_added: 0.1.0
description:
  - Converges one libvirt storage pool of type V(dir), V(logical) (LVM) or V(rbd) (Ceph). Its
    definition is compared with the declared one field by field; a difference redefines it.
  - A redefined pool that is running keeps its old definition until it is restarted. With
    O(restart=true) it is restarted, otherwise RV(restart_required) is returned with a warning.
  - O(state=absent) never deletes data unless O(delete_volumes=true).
author:
  - strata.cloud maintainers (@strata-cloud)
extends_documentation_fragment:
  - strata.cloud.attributes
  - strata.cloud.libvirt
  - strata.cloud.libvirt.attributes
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
options:
  name:
    description: Name of the pool.
    type: str
    required: true
  state:
    description: V(present) defines the pool, V(absent) stops and undefines it.
    type: str
    choices: [present, absent]
    default: present
  type:
    description:
      - V(dir) - volumes are files in O(path); the directory is created (pool build) when the pool is
        defined or started.
      - V(logical) - volumes are logical volumes of the LVM volume group O(source.vg). With
        O(source.devices) a missing volume group is created on them when the pool is defined (never
        over existing data); without, the volume group must exist.
      - V(rbd) - volumes are RBD images in the Ceph pool O(source.pool).
      - The type of an existing pool cannot change.
    type: str
    choices: [dir, logical, rbd]
    default: dir
  path:
    description: Directory of a V(dir) pool (absolute path). Required for V(dir), not used otherwise.
    type: str
  source:
    description: Source of V(logical) and V(rbd) pools.
    type: dict
    suboptions:
      vg:
        description: LVM volume group (V(logical)).
        type: str
      devices:
        description: Physical volumes of the volume group, used to create it (V(logical)).
        type: list
        elements: str
      hosts:
        description: Ceph monitors as V(host) or V(host:port) (V(rbd)).
        type: list
        elements: str
      pool:
        description: Ceph pool (V(rbd)).
        type: str
      user:
        description: Ceph (cephx) user name, without the C(client.) prefix (V(rbd)); needs O(source.secret_uuid).
        type: str
      secret_uuid:
        description: UUID of the libvirt secret that holds the user's Ceph key (V(rbd)).
        type: str
  autostart:
    description: Whether libvirtd starts the pool when it starts.
    type: bool
    default: true
  active:
    description: Whether the pool runs now.
    type: bool
    default: true
  restart:
    description: Restart a redefined running pool so that the new definition takes effect.
    type: bool
    default: false
  delete_volumes:
    description:
      - With O(state=absent), delete every volume of the pool first, and for V(dir) pools the (then
        empty) directory. Volume groups and Ceph pools themselves are never removed.
    type: bool
    default: false
seealso:
  - module: strata.cloud.libvirt_vm
  - module: strata.cloud.libvirt_network
"""

EXAMPLES = r"""
- name: A directory pool for VM disks
  strata.cloud.libvirt_pool:
    name: default
    path: /var/lib/libvirt/images

- name: An LVM pool on an existing volume group
  strata.cloud.libvirt_pool:
    name: vg-vms
    type: logical
    source:
      vg: vms

- name: A Ceph RBD pool (the secret holds the key of client.libvirt)
  strata.cloud.libvirt_pool:
    name: rbd-vms
    type: rbd
    source:
      pool: vms
      hosts: [ceph1, ceph2:6789, ceph3]
      user: libvirt
      secret_uuid: 3f5b8c64-6a43-4a53-9a33-0d2d3d6c1c11

- name: Remove a pool and everything in it
  strata.cloud.libvirt_pool:
    name: scratch
    state: absent
    delete_volumes: true
"""

RETURN = r"""
pool:
  description: The pool after the task (predicted in check mode); null with O(state=absent).
  returned: always
  type: dict
  contains:
    name:
      description: Pool name.
      type: str
    uuid:
      description: Pool UUID (null in check mode for a new pool).
      type: str
    type:
      description: Pool type.
      type: str
    path:
      description: Directory of a dir pool, device directory of a logical pool.
      type: str
    source:
      description: Source (C(vg), C(devices), C(hosts), C(pool), C(user), C(secret_uuid)).
      type: dict
    active:
      description: Whether the pool runs.
      type: bool
    autostart:
      description: Whether it starts with libvirtd.
      type: bool
    capacity:
      description: Capacity in bytes (null when inactive or in check mode).
      type: int
    allocation:
      description: Allocated bytes (null when inactive or in check mode).
      type: int
    available:
      description: Free bytes (null when inactive or in check mode).
      type: int
    volumes:
      description: Names of the pool's volumes (null when inactive or in check mode).
      type: list
      elements: str
restart_required:
  description: The pool runs with an older definition.
  returned: always
  type: bool
actions:
  description: What the task did (or would do in check mode), in order.
  returned: always
  type: list
  elements: str
  sample: ["define storage pool images", "build storage pool images", "start storage pool images"]
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.strata.cloud.plugins.module_utils.libvirt.client import libvirt_argument_spec
from ansible_collections.strata.cloud.plugins.module_utils.libvirt.module import converge
from ansible_collections.strata.cloud.plugins.module_utils.libvirt.pool import validate_pool_params
from ansible_collections.strata.cloud.plugins.module_utils.libvirt.runner import PoolRunner


def argument_spec():
    spec = libvirt_argument_spec()
    spec.update(
        name=dict(type='str', required=True),
        state=dict(type='str', default='present', choices=['present', 'absent']),
        type=dict(type='str', default='dir', choices=['dir', 'logical', 'rbd']),
        path=dict(type='str'),
        source=dict(type='dict', options=dict(
            vg=dict(type='str'),
            devices=dict(type='list', elements='str'),
            hosts=dict(type='list', elements='str'),
            pool=dict(type='str'),
            user=dict(type='str'),
            secret_uuid=dict(type='str', no_log=False),
        )),
        autostart=dict(type='bool', default=True),
        active=dict(type='bool', default=True),
        restart=dict(type='bool', default=False),
        delete_volumes=dict(type='bool', default=False),
    )
    return spec


def main():
    module = AnsibleModule(argument_spec=argument_spec(), supports_check_mode=True)
    params = module.params
    converge(
        module,
        lambda p: {'name': p['name']} if p['state'] == 'absent' else validate_pool_params(p),
        lambda client, desired: PoolRunner(client, desired, state=params['state'], autostart=params['autostart'],
                                           active=params['active'], restart=params['restart'],
                                           delete_volumes=params['delete_volumes'], check_mode=module.check_mode))


if __name__ == '__main__':
    main()

#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: strata.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: proxmox_info
short_description: Read a Proxmox VE cluster's version, nodes, VMs, storage and pools
version_added: 0.2.0
description:
  - Two API requests however large the cluster (C(/version) and C(/cluster/resources)); O(config=true)
    adds one request per returned VM for its configuration.
author:
  - strata.cloud maintainers (@strata-cloud)
extends_documentation_fragment:
  - strata.cloud.attributes
  - strata.cloud.proxmox
  - strata.cloud.proxmox.attributes
attributes:
  check_mode:
    support: full
    details: The module changes nothing.
  diff_mode:
    support: none
options:
  names:
    description: Return only the VMs with these names (default all).
    type: list
    elements: str
  node:
    description: Return only the VMs of this node.
    type: str
  config:
    description: Also return each returned VM's configuration (secrets masked).
    type: bool
    default: false
"""

EXAMPLES = r"""
- name: Everything about the cluster
  strata.cloud.proxmox_info:
    api_host: pve1.example.org
    api_user: automation@pve
    api_token_id: ansible
    api_token_secret: "{{ vault_pve_token }}"
  register: pve
  delegate_to: localhost

- name: Configuration of two VMs
  strata.cloud.proxmox_info:
    names: [web1, web2]
    config: true
  delegate_to: localhost
"""

RETURN = r"""
version:
  description: Version of the API node (C(version), C(release), C(repoid)).
  returned: always
  type: dict
  sample: {"version": "8.4.1", "release": "8.4", "repoid": "c8bf6b6d"}
nodes:
  description: Nodes with C(node), C(status) (V(online), V(offline)), C(maxcpu), C(maxmem).
  returned: always
  type: list
  elements: dict
vms:
  description:
    - QEMU VMs and templates sorted by vmid, with C(vmid), C(name), C(node), C(status), C(template) (bool),
      C(tags) (list), C(pool), C(maxcpu), C(maxmem), C(maxdisk), and C(config) with O(config=true).
  returned: always
  type: list
  elements: dict
storage:
  description: Storage per node (C(storage), C(node), C(plugintype), C(content), C(shared), C(status)).
  returned: always
  type: list
  elements: dict
pools:
  description: Names of the resource pools.
  returned: always
  type: list
  elements: str
api_requests:
  description: Number of API requests made.
  returned: always
  type: int
"""

from ansible_collections.strata.cloud.plugins.module_utils.proxmox.module import proxmox_module, run
from ansible_collections.strata.cloud.plugins.module_utils.proxmox.resources import cluster_info


def main():
    module = proxmox_module(dict(
        names=dict(type='list', elements='str'),
        node=dict(type='str'),
        config=dict(type='bool', default=False),
    ))

    def work(client):
        result = cluster_info(client, names=module.params['names'], node=module.params['node'],
                              with_config=module.params['config'])
        result['changed'] = False
        return result
    run(module, work)


if __name__ == '__main__':
    main()

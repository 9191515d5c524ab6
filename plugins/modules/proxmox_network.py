#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: strata.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: proxmox_network
short_description: Declare a Proxmox VE node's bridges, bonds and VLANs; stage them, then apply with a network reload
version_added: 0.2.0
description:
  - Converges the interfaces of one node through the API. Proxmox VE stages every change in
    C(/etc/network/interfaces.new); with O(apply=true) the module then applies everything staged with one
    network reload (C(ifreload), a task the module waits for) and returns the staged changes it applied
    in RV(pending).
  - Changes that were already staged before the task (by another client, or by an earlier run with
    O(apply=false)) are returned in RV(pending_before) and handled as O(existing_pending) says.
  - Interfaces are created in dependency order (bonds, then bridges, then VLANs) and removed in the
    reverse order. Only declared options are managed.
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
  node:
    description: The node whose network is configured.
    type: str
    required: true
  interfaces:
    description: The interfaces.
    type: list
    elements: dict
    required: true
    suboptions:
      name:
        description: Interface name, for example V(vmbr1), V(bond0), V(bond0.20) or V(vlan30).
        type: str
        required: true
      state:
        description: V(present) or V(absent).
        type: str
        choices: [present, absent]
        default: present
      type:
        description: V(bridge), V(bond), V(vlan), or V(eth) to configure an existing NIC (MTU, address). Required to create.
        type: str
        choices: [bridge, bond, vlan, eth]
      ports:
        description: Ports of a bridge.
        type: list
        elements: str
      vlan_aware:
        description: Make a bridge VLAN aware.
        type: bool
      vids:
        description: VLANs a VLAN-aware bridge carries, for example V(2-4094) or V(10 20 30-40).
        type: str
      slaves:
        description: Member NICs of a bond.
        type: list
        elements: str
      bond_mode:
        description: Bond mode.
        type: str
        choices: [balance-rr, active-backup, balance-xor, broadcast, 802.3ad, balance-tlb, balance-alb]
      hash_policy:
        description: Transmit hash policy of a bond.
        type: str
        choices: [layer2, layer2+3, layer3+4]
      bond_primary:
        description: Primary member of an active-backup bond.
        type: str
      vlan_id:
        description: Tag of a VLAN not named C(<device>.<tag>).
        type: int
      vlan_raw_device:
        description: Device of a VLAN not named C(<device>.<tag>).
        type: str
      cidr:
        description: IPv4 address with prefix, for example V(10.0.20.11/24).
        type: str
      gateway:
        description: IPv4 default gateway.
        type: str
      cidr6:
        description: IPv6 address with prefix.
        type: str
      gateway6:
        description: IPv6 default gateway.
        type: str
      mtu:
        description: MTU.
        type: int
      autostart:
        description: Bring the interface up at boot.
        type: bool
      comments:
        description: Comment.
        type: str
  apply:
    description: Apply the staged changes with a network reload. With V(false) they stay staged.
    type: bool
    default: true
  existing_pending:
    description:
      - What to do with changes that were staged before this task.
      - V(apply) applies them together with this task's changes (with a warning), V(revert) discards them
        first, V(fail) stops before changing anything.
    type: str
    choices: [apply, revert, fail]
    default: apply
  timeout:
    description: Seconds the network reload may take.
    type: int
    default: 120
"""

EXAMPLES = r"""
- name: A bond of two NICs, a VLAN-aware bridge on it, and a storage VLAN with an address
  strata.cloud.proxmox_network:
    api_host: pve1.example.org
    api_user: automation@pve
    api_token_id: ansible
    api_token_secret: "{{ vault_pve_token }}"
    node: pve1
    interfaces:
      - {name: bond0, type: bond, slaves: [eno1, eno2], bond_mode: 802.3ad, hash_policy: layer3+4, mtu: 9000}
      - {name: vmbr1, type: bridge, ports: [bond0], vlan_aware: true, vids: "2-4094", mtu: 9000}
      - {name: vmbr1.30, type: vlan, cidr: 10.0.30.11/24, mtu: 9000, comments: Ceph public}
  delegate_to: localhost

- name: Stage only; apply later (for example in a maintenance window)
  strata.cloud.proxmox_network:
    node: pve2
    apply: false
    interfaces:
      - {name: vmbr2, type: bridge, ports: [eno3]}
  delegate_to: localhost
"""

RETURN = r"""
interfaces:
  description: One entry per declared interface, in the order they were worked on.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: Interface name.
      type: str
    action:
      description: V(create), V(update), V(delete) or V(none).
      type: str
    changed:
      description: Whether this interface was (or would be) changed.
      type: bool
    changes:
      description: Proxmox VE keys that were (or would be) set.
      returned: when action is create or update
      type: list
      elements: str
pending_before:
  description: The changes that were staged before this task (a diff of C(/etc/network/interfaces)), empty when none.
  returned: always
  type: str
pending:
  description: The staged changes at the time of the reload (applied with O(apply=true), left staged otherwise).
  returned: always
  type: str
  sample: "--- /etc/network/interfaces\n+++ /etc/network/interfaces.new\n+auto vmbr1\n+iface vmbr1 inet manual\n..."
applied:
  description: Whether a network reload was (or would be) run.
  returned: always
  type: bool
reverted:
  description: Whether changes staged before this task were discarded (O(existing_pending=revert)).
  returned: always
  type: bool
api_requests:
  description: Number of API requests the task made.
  returned: always
  type: int
"""

from ansible_collections.strata.cloud.plugins.module_utils.proxmox.module import proxmox_module, run
from ansible_collections.strata.cloud.plugins.module_utils.proxmox.network import converge_network


def main():
    module = proxmox_module(dict(
        node=dict(type='str', required=True),
        interfaces=dict(type='list', elements='dict', required=True, options=dict(
            name=dict(type='str', required=True),
            state=dict(type='str', default='present', choices=['present', 'absent']),
            type=dict(type='str', choices=['bridge', 'bond', 'vlan', 'eth']),
            ports=dict(type='list', elements='str'),
            vlan_aware=dict(type='bool'),
            vids=dict(type='str'),
            slaves=dict(type='list', elements='str'),
            bond_mode=dict(type='str', choices=['balance-rr', 'active-backup', 'balance-xor', 'broadcast', '802.3ad',
                                                'balance-tlb', 'balance-alb']),
            hash_policy=dict(type='str', choices=['layer2', 'layer2+3', 'layer3+4']),
            bond_primary=dict(type='str'),
            vlan_id=dict(type='int'),
            vlan_raw_device=dict(type='str'),
            cidr=dict(type='str'),
            gateway=dict(type='str'),
            cidr6=dict(type='str'),
            gateway6=dict(type='str'),
            mtu=dict(type='int'),
            autostart=dict(type='bool'),
            comments=dict(type='str'),
        )),
        apply=dict(type='bool', default=True),
        existing_pending=dict(type='str', default='apply', choices=['apply', 'revert', 'fail']),
        timeout=dict(type='int', default=120),
    ))
    params = module.params

    def work(client):
        return converge_network(client, params['node'], params['interfaces'], apply=params['apply'],
                                existing_pending=params['existing_pending'], check_mode=module.check_mode,
                                timeout=params['timeout'])
    run(module, work)


if __name__ == '__main__':
    main()

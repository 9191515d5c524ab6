#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: strata.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: libvirt_network
short_description: Declare a libvirt virtual network
version_added: 0.1.0
description:
  - Converges one libvirt network. Its definition is compared with the declared one field by field
    (mode, bridge, MTU, address, DHCP range); a difference redefines it.
  - A redefined network that is running is restarted when no running VM uses it, or with
    O(restart=true); otherwise RV(restart_required) is returned with a warning that names the VMs.
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
    description: Name of the network.
    type: str
    required: true
  state:
    description: V(present) defines the network, V(absent) stops and undefines it.
    type: str
    choices: [present, absent]
    default: present
  mode:
    description:
      - V(isolated) - a bridge made by libvirt, no forwarding. Without O(address) it is a pure L2
        segment with no host address and no DHCP.
      - V(nat) - a bridge made by libvirt with NAT to the host's uplinks; needs O(cidr) and O(address).
      - V(bridge) - guests attach to the existing host bridge O(bridge); libvirt does not manage it.
    type: str
    choices: [isolated, nat, bridge]
    default: isolated
  bridge:
    description:
      - For V(isolated) and V(nat), the name of the bridge libvirt creates (at most 15 characters);
        libvirt picks C(virbrN) when it is not set (and the name it picked is kept on redefinition).
      - For V(bridge), the existing host bridge; required.
    type: str
  cidr:
    description: The network's prefix, for example V(10.20.0.0/24); gives the prefix length of O(address).
    type: str
  address:
    description:
      - Address of the host on the bridge, inside O(cidr). Without it the host has no address on the network.
    type: str
  dhcp:
    description: DHCP range served by libvirt's dnsmasq; needs O(address).
    type: dict
    suboptions:
      start:
        description: First address of the range.
        type: str
        required: true
      end:
        description: Last address of the range.
        type: str
        required: true
  mtu:
    description: MTU of the bridge (not with O(mode=bridge)).
    type: int
  autostart:
    description: Whether libvirtd starts the network when it starts.
    type: bool
    default: true
  active:
    description: Whether the network runs now.
    type: bool
    default: true
  restart:
    description: Restart a redefined running network even when VMs use it (their NICs lose the link until they are restarted).
    type: bool
    default: false
seealso:
  - module: strata.cloud.libvirt_vm
  - module: strata.cloud.libvirt_pool
"""

EXAMPLES = r"""
- name: An isolated L2 segment between VMs, with no host address
  strata.cloud.libvirt_network:
    name: lab-storage
    bridge: slab-storage

- name: A NAT network with DHCP
  strata.cloud.libvirt_network:
    name: lab-nat
    mode: nat
    cidr: 10.42.0.0/24
    address: 10.42.0.1
    dhcp:
      start: 10.42.0.100
      end: 10.42.0.199

- name: Attach guests to the host bridge br0
  strata.cloud.libvirt_network:
    name: host-br0
    mode: bridge
    bridge: br0

- name: Remove a network
  strata.cloud.libvirt_network:
    name: lab-nat
    state: absent
"""

RETURN = r"""
network:
  description: The network after the task (predicted in check mode); null with O(state=absent).
  returned: always
  type: dict
  contains:
    name:
      description: Network name.
      type: str
    uuid:
      description: Network UUID (null in check mode for a new network).
      type: str
    mode:
      description: V(isolated), V(nat), V(bridge) (or another libvirt forward mode for networks defined elsewhere).
      type: str
    bridge:
      description: Bridge name.
      type: str
    mtu:
      description: MTU, or null.
      type: int
    cidr:
      description: The network prefix, or null without address.
      type: str
    address:
      description: Host address, or null.
      type: str
    dhcp:
      description: DHCP range (C(start), C(end)), or null.
      type: dict
    active:
      description: Whether the network runs.
      type: bool
    autostart:
      description: Whether it starts with libvirtd.
      type: bool
    persistent:
      description: Whether the network is defined (not transient).
      type: bool
restart_required:
  description: The network runs with an older definition because VMs use it.
  returned: always
  type: bool
actions:
  description: What the task did (or would do in check mode), in order.
  returned: always
  type: list
  elements: str
  sample: ["define network lab-storage", "start network lab-storage", "set autostart of network lab-storage to True"]
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.strata.cloud.plugins.module_utils.libvirt.client import libvirt_argument_spec
from ansible_collections.strata.cloud.plugins.module_utils.libvirt.module import converge
from ansible_collections.strata.cloud.plugins.module_utils.libvirt.network import validate_network_params
from ansible_collections.strata.cloud.plugins.module_utils.libvirt.runner import NetworkRunner


def argument_spec():
    spec = libvirt_argument_spec()
    spec.update(
        name=dict(type='str', required=True),
        state=dict(type='str', default='present', choices=['present', 'absent']),
        mode=dict(type='str', default='isolated', choices=['isolated', 'nat', 'bridge']),
        bridge=dict(type='str'),
        cidr=dict(type='str'),
        address=dict(type='str'),
        dhcp=dict(type='dict', options=dict(
            start=dict(type='str', required=True),
            end=dict(type='str', required=True),
        )),
        mtu=dict(type='int'),
        autostart=dict(type='bool', default=True),
        active=dict(type='bool', default=True),
        restart=dict(type='bool', default=False),
    )
    return spec


def main():
    module = AnsibleModule(argument_spec=argument_spec(), supports_check_mode=True)
    params = module.params
    converge(
        module,
        lambda p: {'name': p['name']} if p['state'] == 'absent' else validate_network_params(p),
        lambda client, desired: NetworkRunner(client, desired, state=params['state'], autostart=params['autostart'],
                                              active=params['active'], restart=params['restart'],
                                              check_mode=module.check_mode))


if __name__ == '__main__':
    main()

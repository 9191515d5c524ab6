#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: strata.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: proxmox_cluster
short_description: Form a Proxmox VE cluster through the nodes' APIs (create, join one at a time, remove)
version_added: 0.3.0
description:
  - Reads the cluster status of every declared node (one request each) and makes them one cluster
    named O(name). When no node is a member yet, the cluster is created on the first node of O(nodes).
  - Every other node then joins through its own API, one at a time, with the cluster's address and
    API certificate fingerprint taken from the cluster itself; after each join the module waits until
    the cluster is quorate with the new node online before the next node joins.
  - A node already in the cluster is left alone; a node that belongs to another cluster, or still
    carries the configuration of a cluster that removed it, is an error, never a forced change.
  - Nodes named in O(remove) are deleted from the cluster configuration; each must be switched off
    first (Proxmox VE would otherwise let it rejoin with a stale configuration).
  - Creating, joining and removing are C(root@pam) calls in Proxmox VE; API tokens are refused for them,
    so this module logs in to every node as C(root@pam) with O(api_password) (the join needs that
    password anyway). Never logged.
  - Joins and removals happen only in a quorate cluster.
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
    description: Cluster name (1-15 letters, digits or inner hyphens).
    type: str
    required: true
  nodes:
    description:
      - The nodes of the cluster, the first one creates it. The order is the join order.
      - A node whose API does not answer is accepted only when the cluster already lists it (it is reported
        as a warning).
    type: list
    elements: dict
    required: true
    suboptions:
      node:
        description: Node name, as the node's API reports it.
        type: str
        required: true
      api_host:
        description: Address of this node's API, as the controller reaches it.
        type: str
        required: true
      api_port:
        description: Port of this node's API (default O(api_port)).
        type: int
      ca_path:
        description: PEM file of the CA that signed this node's API certificate (default O(ca_path)).
        type: path
      links:
        description:
          - Corosync link addresses of this node, V(link0) first (usually one per cluster network). Without links
            Proxmox VE uses the address the node name resolves to, on a single link.
        type: list
        elements: str
        default: []
  remove:
    description: Names of nodes to delete from the cluster; each must be offline.
    type: list
    elements: str
    default: []
  api_host:
    description:
      - Not used (each node is reached at its O(nodes[].api_host)); accepted so that C(module_defaults) of
        C(group/strata.cloud.proxmox) apply.
    type: str
    required: false
  api_user:
    description: Must be V(root@pam) (Proxmox VE allows cluster changes to root@pam only). If not set, E(PROXMOX_USER) is used.
    type: str
    required: false
    default: root@pam
  api_password:
    description:
      - Password of root@pam, the same on every node (a join is authenticated with the existing member's root password).
        If not set, E(PROXMOX_PASSWORD) is used. Never logged; keep it in a vault.
    type: str
    required: true
  api_token_id:
    description: Not used (Proxmox VE refuses API tokens for cluster changes); accepted so that C(module_defaults) apply.
    type: str
  task_timeout:
    description: Seconds to wait for the create task and for each join task.
    type: int
    default: 300
  quorum_timeout:
    description: Seconds to wait, after each join, for the cluster to be quorate with the new node online.
    type: int
    default: 300
notes:
  - The connection options not listed here (O(api_port), O(validate_certs), O(ca_path), O(api_timeout)) are the defaults for every
    node; O(nodes[].api_port) and O(nodes[].ca_path) override them per node.
  - The strata.cloud.proxmox_cluster role calls this module with the nodes of its play.
seealso:
  - module: strata.cloud.proxmox_info
"""

EXAMPLES = r"""
- name: Three nodes, two corosync links
  strata.cloud.proxmox_cluster:
    name: lab
    api_password: "{{ vault_pve_root_password }}"
    nodes:
      - {node: pve1, api_host: 192.0.2.11, links: [10.20.0.11, 10.21.0.11]}
      - {node: pve2, api_host: 192.0.2.12, links: [10.20.0.12, 10.21.0.12]}
      - {node: pve3, api_host: 192.0.2.13, links: [10.20.0.13, 10.21.0.13]}
  delegate_to: localhost
  run_once: true

- name: Remove pve3 after it was shut down for good
  strata.cloud.proxmox_cluster:
    name: lab
    api_password: "{{ vault_pve_root_password }}"
    nodes:
      - {node: pve1, api_host: 192.0.2.11, links: [10.20.0.11, 10.21.0.11]}
      - {node: pve2, api_host: 192.0.2.12, links: [10.20.0.12, 10.21.0.12]}
    remove: [pve3]
  delegate_to: localhost
  run_once: true
"""

RETURN = r"""
cluster:
  description: Cluster name.
  returned: always
  type: str
  sample: lab
created:
  description: Whether the cluster was (or would be, in check mode) created by this task.
  returned: always
  type: bool
joined:
  description: Nodes that joined (or would join), in order.
  returned: always
  type: list
  elements: str
  sample: [pve2, pve3]
removed:
  description: Nodes removed (or that would be) from the cluster.
  returned: always
  type: list
  elements: str
anchor:
  description: The member whose API the joins and removals went through.
  returned: always
  type: str
  sample: pve1
members:
  description: Cluster members after the task (in check mode, what they would be).
  returned: always
  type: list
  elements: str
online:
  description: Members the cluster reports online after the task.
  returned: always
  type: list
  elements: str
quorate:
  description: Whether the cluster is quorate after the task.
  returned: always
  type: bool
api_requests:
  description: Number of API requests the task made, over all nodes.
  returned: always
  type: int
"""

import re

from ansible_collections.strata.cloud.plugins.module_utils.proxmox.client import ProxmoxClient, proxmox_auth_argument_spec
from ansible_collections.strata.cloud.plugins.module_utils.proxmox.cluster import ClusterFormation
from ansible_collections.strata.cloud.plugins.module_utils.proxmox.module import proxmox_module, run

NAME = r'^[A-Za-z0-9]([A-Za-z0-9-]{0,13}[A-Za-z0-9])?$'


def argument_spec():
    """The shared connection options, except that each node has its own address and root@pam's password is required."""
    auth = proxmox_auth_argument_spec()
    return dict(
        api_host=dict(auth['api_host'], required=False),
        api_user=dict(auth['api_user'], required=False, default='root@pam'),
        api_password=dict(auth['api_password'], required=True),
        name=dict(type='str', required=True),
        nodes=dict(type='list', elements='dict', required=True, options=dict(
            node=dict(type='str', required=True),
            api_host=dict(type='str', required=True),
            api_port=dict(type='int'),
            ca_path=dict(type='path'),
            links=dict(type='list', elements='str', default=[]),
        )),
        remove=dict(type='list', elements='str', default=[]),
        task_timeout=dict(type='int', default=300),
        quorum_timeout=dict(type='int', default=300),
    )


def validate(params):
    errors = []
    if not re.match(NAME, params['name']):
        errors.append('name: "%s" must be 1-15 letters, digits or inner hyphens' % params['name'])
    if params['api_user'] != 'root@pam':
        errors.append('api_user: "%s"; Proxmox VE lets only root@pam create, join or remove cluster nodes' % params['api_user'])
    seen = {}
    for index, node in enumerate(params['nodes']):
        if node['node'] in seen:
            errors.append('nodes[%d].node: %s is declared twice (also nodes[%d])' % (index, node['node'], seen[node['node']]))
        seen[node['node']] = index
    links = [len(n['links']) for n in params['nodes']]
    if len(set(links)) > 1:
        errors.append('nodes[].links: every node needs the same number of corosync links (%s)'
                      % ', '.join('%s: %d' % (n['node'], len(n['links'])) for n in params['nodes']))
    return errors


def main():
    module = proxmox_module(argument_spec())
    params = module.params
    errors = validate(params)
    if errors:
        module.fail_json(msg='proxmox_cluster: ' + '; '.join(errors))
    # One client per node, as root@pam with the password (Proxmox VE refuses tokens for cluster changes).
    clients = dict((node['node'], ProxmoxClient.from_params(dict(
        params, api_host=node['api_host'], api_port=node['api_port'] or params['api_port'],
        ca_path=node['ca_path'] or params['ca_path'], api_token_id=None, api_token_secret=None))) for node in params['nodes'])

    def work(by_node):
        return ClusterFormation(params['name'], params['nodes'], by_node, params['api_password'], remove=params['remove'],
                                task_timeout=params['task_timeout'], quorum_timeout=params['quorum_timeout']).run(module.check_mode)
    run(module, work, clients=clients)


if __name__ == '__main__':
    main()

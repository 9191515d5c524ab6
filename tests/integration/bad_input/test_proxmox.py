# -*- coding: utf-8 -*-
# Copyright: strata.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Bad input to the proxmox_* modules fails before any API request, naming the option."""

from __future__ import annotations

import json
import textwrap

import pytest

from test_bad_input import ROLE_PLAY, assert_failed_unchanged, run

PLAY = textwrap.dedent("""\
    - hosts: localhost
      connection: local
      gather_facts: false
      tasks:
        - name: bad input
          strata.cloud.proxmox_vm: {args}
    """)
BASE = {'api_host': '127.0.0.1', 'api_port': 1, 'api_user': 'root@pam', 'api_token_id': 'ci', 'api_token_secret': 'not-a-real-token-secret'}
VM = {'name': 'web1', 'clone': 'debian-13'}

CASES = {
    'no vms': ({}, ['missing required arguments: vms']),
    'state not a choice': ({'vms': [dict(VM, state='started')]}, ['state', 'started']),
    'nic model not a choice': ({'vms': [dict(VM, nics=[{'bridge': 'vmbr0', 'model': 'ne2k'}])]}, ['model', 'ne2k']),
    'nic without bridge': ({'vms': [dict(VM, nics=[{'vlan': 3}])]}, ['missing required arguments: bridge']),
    'token without secret': ({'vms': [VM], 'api_token_secret': None}, ['parameters are required together: api_token_id, api_token_secret']),
    'no credentials': ({'vms': [VM], 'api_token_id': None, 'api_token_secret': None},
                       ['one of the following is required: api_password, api_token_id']),
    'cores not an int': ({'vms': [dict(VM, cores='many')]}, ['cores', 'many']),
}


@pytest.mark.parametrize('case', sorted(CASES))
def test_proxmox_vm_bad_input(tmp_path, case):
    args, expected = CASES[case]
    merged = {k: v for k, v in dict(BASE, **args).items() if v is not None}
    rc, out = run(tmp_path, PLAY.format(args=json.dumps(merged)))
    assert_failed_unchanged(rc, out, expected)


MODULE_PLAY = textwrap.dedent("""\
    - hosts: localhost
      connection: local
      gather_facts: false
      tasks:
        - name: bad input
          strata.cloud.{module}: {args}
    """)

MODULE_CASES = {
    'template without image_url': ('proxmox_template', {'name': 't', 'node': 'pve1'}, ['state is present but all of the following are missing: image_url']),
    'template without node': ('proxmox_template', {'name': 't', 'image_url': 'https://x/y.qcow2'}, ['missing required arguments: node']),
    'template cores not an int': ('proxmox_template', {'name': 't', 'node': 'pve1', 'image_url': 'https://x/y.qcow2', 'cores': 'two'},
                                  ['cores', 'two']),
    'storage type not a choice': ('proxmox_storage', {'storages': [{'name': 's', 'type': 'zfs-over-nfs'}]}, ['type', 'zfs-over-nfs']),
    'storage without name': ('proxmox_storage', {'storages': [{'type': 'dir', 'path': '/srv'}]}, ['missing required arguments: name']),
    'storage unknown option': ('proxmox_storage', {'storages': [{'name': 's', 'type': 'dir', 'pth': '/srv'}]}, ['pth']),
    'network without node': ('proxmox_network', {'interfaces': [{'name': 'vmbr1', 'type': 'bridge'}]}, ['missing required arguments: node']),
    'network bond mode not a choice': ('proxmox_network', {'node': 'pve1', 'interfaces': [{'name': 'bond0', 'type': 'bond', 'bond_mode': 'lacp'}]},
                                       ['bond_mode', 'lacp']),
    'network existing_pending not a choice': ('proxmox_network', {'node': 'pve1', 'interfaces': [], 'existing_pending': 'ignore'},
                                              ['existing_pending', 'ignore']),
    'access acl without roles': ('proxmox_access', {'acls': [{'path': '/', 'users': ['a@pve']}]}, ['missing required arguments: roles']),
    'access token without user': ('proxmox_access', {'tokens': [{'name': 'ci'}]}, ['missing required arguments: user']),
    'access user enable not a bool': ('proxmox_access', {'users': [{'name': 'a@pve', 'enable': 'sometimes'}]}, ['enable', 'sometimes']),
}


@pytest.mark.parametrize('case', sorted(MODULE_CASES))
def test_proxmox_module_bad_input(tmp_path, case):
    module, args, expected = MODULE_CASES[case]
    rc, out = run(tmp_path, MODULE_PLAY.format(module=module, args=json.dumps(dict(BASE, **args))))
    assert_failed_unchanged(rc, out, expected)


HOST_BASE = {'proxmox_host_install_packages': False, 'proxmox_host_address': '10.20.0.11', 'proxmox_host_root_password': 'x',
             'proxmox_host_root': '/nonexistent-root'}
HOST_CASES = {
    'repository not a choice': ({'proxmox_host_repository': 'test'}, ['proxmox_host_repository', 'test']),
    'no cluster address': ({'proxmox_host_address': ''}, ['proxmox_host_address: no cluster address for localhost']),
    'unknown cluster network': ({'proxmox_host_address': '', 'proxmox_host_cluster_network': 'corosync'},
                                ['proxmox_host_cluster_network: "corosync" is not a network of strata_networks']),
    'loopback address': ({'proxmox_host_address': '127.0.1.1'}, ['proxmox_host_address: 127.0.1.1 is a loopback address']),
    'not an address': ({'proxmox_host_address': 'pve1.lan'}, ['proxmox_host_address: "pve1.lan" is not an IP address']),
    'node name with a dot': ({'proxmox_host_node_name': 'pve1.example'}, ['proxmox_host_node_name: "pve1.example" is not a valid node name']),
    'mirror not a URL': ({'proxmox_host_mirror_url': 'mirror.example.org/pve'}, ['proxmox_host_mirror_url: "mirror.example.org/pve" must be']),
    'token without root password': ({'proxmox_host_root_password': ''}, ['proxmox_host_root_password: required to create the API token']),
    'root prefix with packages': ({'proxmox_host_install_packages': True},
                                  ['proxmox_host_root: a prefix renders files only; set proxmox_host_install_packages: false']),
    'bad token user': ({'proxmox_host_api_token_user': 'automation'}, ['proxmox_host_api_token_user: "automation" must look like name@pve']),
}


@pytest.mark.parametrize('case', sorted(HOST_CASES))
def test_proxmox_host_bad_input(tmp_path, case):
    extra, expected = HOST_CASES[case]
    rc, out = run(tmp_path, ROLE_PLAY.format(role='proxmox_host'), dict(HOST_BASE, **extra))
    assert_failed_unchanged(rc, out, expected)


NETS = {'corosync': {'cidr': '10.30.0.0/24'}, 'ring1': {'cidr': '10.31.0.0/24'}}
CLUSTER_BASE = {'proxmox_cluster_name': 'lab', 'proxmox_cluster_link0_network': 'corosync', 'proxmox_cluster_root_password': 'x',
                'strata_networks': NETS, 'strata_interfaces': {'corosync': {'device': 'eno1', 'address': '10.30.0.11'},
                                                               'ring1': {'device': 'eno2', 'address': '10.31.0.11'}}}
CLUSTER_CASES = {
    'no cluster name': ({'proxmox_cluster_name': None}, ['proxmox_cluster_name']),
    'cluster name too long': ({'proxmox_cluster_name': 'a-very-long-cluster-name'},
                              ['proxmox_cluster_name: "a-very-long-cluster-name" must be 1-15 letters']),
    'unknown link0 network': ({'proxmox_cluster_link0_network': 'api'}, ['proxmox_cluster_link0_network: "api" is not a network of strata_networks']),
    'link1 same as link0': ({'proxmox_cluster_link1_network': 'corosync'}, ['gives no redundancy']),
    'no address on link1': ({'proxmox_cluster_link1_network': 'ring1', 'strata_interfaces': {'corosync': {'device': 'eno1', 'address': '10.30.0.11'}}},
                            ['strata_interfaces.ring1.address: localhost has no address on the link1 network']),
    'no root password': ({'proxmox_cluster_root_password': ''}, ['proxmox_cluster_root_password: required']),
    'first node not in play': ({'proxmox_cluster_first_node': 'pve9'}, ['proxmox_cluster_first_node: "pve9" is not a host of this play']),
    'removing a node of the play': ({'proxmox_cluster_remove_nodes': ['localhost']}, ['proxmox_cluster_remove_nodes: localhost is a host of this play']),
}


@pytest.mark.parametrize('case', sorted(CLUSTER_CASES))
def test_proxmox_cluster_bad_input(tmp_path, case):
    extra, expected = CLUSTER_CASES[case]
    merged = {k: v for k, v in dict(CLUSTER_BASE, **extra).items() if v is not None}
    rc, out = run(tmp_path, ROLE_PLAY.format(role='proxmox_cluster'), merged)
    assert_failed_unchanged(rc, out, expected)

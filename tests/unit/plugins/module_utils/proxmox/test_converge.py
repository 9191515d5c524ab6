# -*- coding: utf-8 -*-
# Copyright: strata.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one convergence pattern: decisions, check mode, diff, secrets, fixed fields; storage and network normalisation."""

from __future__ import annotations

import pytest

from ansible_collections.strata.cloud.plugins.module_utils.proxmox.converge import Kind, converge
from ansible_collections.strata.cloud.plugins.module_utils.proxmox.errors import ProxmoxError
from ansible_collections.strata.cloud.plugins.module_utils.proxmox import network, storage
from ansible_collections.strata.cloud.plugins.module_utils.proxmox.access import expand_acls


class Fake(Kind):
    name = 'thing'
    fixed = ('kind',)
    secret = ('key',)

    def __init__(self, have):
        super().__init__(None)
        self.have = have
        self.calls = []

    def read(self):
        return self.have

    def key(self, item):
        return item['name']

    def want(self, item, have):
        return {k: v for k, v in item.items() if k not in ('name', 'state')}

    def create(self, key, want, item):
        self.calls.append(('create', key, want))

    def update(self, key, changes, want, have, item):
        self.calls.append(('update', key, changes))

    def delete(self, key, have, item):
        self.calls.append(('delete', key))


HAVE = {'a': {'kind': 'x', 'size': '1'}, 'b': {'kind': 'x', 'size': '2'}}
ITEMS = [{'name': 'a', 'kind': 'x', 'size': '1'}, {'name': 'b', 'kind': 'x', 'size': '3', 'key': 'k'},
         {'name': 'c', 'kind': 'y', 'key': 's'}, {'name': 'd', 'state': 'absent'}, {'name': 'a2', 'state': 'absent'}]


@pytest.mark.parametrize('check_mode', [True, False])
def test_decisions_are_the_same_in_check_mode(check_mode):
    kind = Fake(dict(HAVE, d={'kind': 'z'}))
    results, diff, changed = converge(kind, ITEMS, check_mode)
    assert changed and [r['action'] for r in results] == ['none', 'update', 'create', 'delete', 'none']
    assert results[1]['changes'] == ['key', 'size'] and diff['after']['b'] == {'key': '********', 'size': '3'}
    assert diff['before']['c'] is None and diff['after']['c'] == {'key': '********', 'kind': 'y'} and diff['after']['d'] is None
    assert kind.calls == ([] if check_mode else [('update', 'b', {'size': '3', 'key': 'k'}), ('create', 'c', {'kind': 'y', 'key': 's'}),
                                                 ('delete', 'd')])


def test_fixed_field_and_duplicates_are_errors():
    with pytest.raises(ProxmoxError, match=r'things\[a\]: kind cannot be changed on an existing thing \(it is kind=x\)'):
        converge(Fake(HAVE), [{'name': 'a', 'kind': 'y'}], False, where='things')
    with pytest.raises(ProxmoxError, match='a is declared more than once'):
        converge(Fake(HAVE), [{'name': 'a'}, {'name': 'a'}], True)


@pytest.mark.parametrize('key,value,expected', [
    ('content', ['iso', 'images', 'iso'], 'images,iso'), ('content', 'iso,images', 'images,iso'),
    ('monhost', '10.0.0.2 10.0.0.1;10.0.0.3', '10.0.0.1,10.0.0.2,10.0.0.3'), ('krbd', True, '1'), ('shared', 0, '0'),
    ('pool', 'vms', 'vms'),
])
def test_storage_norm(key, value, expected):
    assert storage.norm(key, value) == expected


def test_storage_want_rejects_options_of_other_types():
    kind = storage.StorageKind(None)
    with pytest.raises(ProxmoxError, match=r'storages\[s\]\.pool: not an option of type dir storage \(it belongs to rbd\)'):
        kind.want({'name': 's', 'type': 'dir', 'path': '/srv', 'pool': 'x'}, None)
    with pytest.raises(ProxmoxError, match='type nfs storage needs server, export'):
        kind.want({'name': 's', 'type': 'nfs'}, None)
    assert 'keyring' not in kind.want({'name': 's', 'type': 'rbd', 'pool': 'p', 'keyring': 'k'}, {'type': 'rbd'})


@pytest.mark.parametrize('key,value,expected', [
    ('bridge_ports', ['eno2', 'eno1'], 'eno1 eno2'), ('slaves', 'eno2 eno1', 'eno1 eno2'), ('bridge_vlan_aware', 1, '1'),
    ('autostart', False, '0'), ('mtu', 9000, '9000'), ('bridge_vids', '2-4094', '2-4094'),
])
def test_network_norm(key, value, expected):
    assert network.norm(key, value) == expected


def test_acls_expand_to_one_entry_per_principal_and_role():
    items = expand_acls([{'path': '/pool/web', 'roles': ['A', 'B'], 'users': ['u@pve'], 'tokens': ['u@pve!t'], 'propagate': False}])
    assert [i['key'] for i in items] == ['/pool/web|user:u@pve|A', '/pool/web|user:u@pve|B', '/pool/web|token:u@pve!t|A',
                                         '/pool/web|token:u@pve!t|B']
    with pytest.raises(ProxmoxError, match='must start with /'):
        expand_acls([{'path': 'vms', 'roles': ['A'], 'users': ['u@pve']}])

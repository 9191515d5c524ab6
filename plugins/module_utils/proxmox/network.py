# -*- coding: utf-8 -*-
# Copyright: strata.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""proxmox_network: a node's bridges, bonds and VLANs, staged through the API and applied by a network reload.

Proxmox VE writes every change to ``/etc/network/interfaces.new`` (staged); ``PUT /nodes/{node}/network``
applies all staged changes with ``ifreload`` (a task). ``GET /nodes/{node}/network`` answers with the
staged configuration and, beside the data, the pending ``changes`` as a diff.
"""

from __future__ import annotations

import re

from ansible_collections.strata.cloud.plugins.module_utils.proxmox.converge import Kind, converge
from ansible_collections.strata.cloud.plugins.module_utils.proxmox.errors import ProxmoxError
from ansible_collections.strata.cloud.plugins.module_utils.proxmox.tasks import TaskWaiter

# Declared option -> PVE key.
FIELDS = {
    'ports': 'bridge_ports', 'vlan_aware': 'bridge_vlan_aware', 'vids': 'bridge_vids',
    'slaves': 'slaves', 'bond_mode': 'bond_mode', 'hash_policy': 'bond_xmit_hash_policy', 'bond_primary': 'bond-primary',
    'vlan_id': 'vlan-id', 'vlan_raw_device': 'vlan-raw-device',
    'cidr': 'cidr', 'gateway': 'gateway', 'cidr6': 'cidr6', 'gateway6': 'gateway6', 'mtu': 'mtu',
    'autostart': 'autostart', 'comments': 'comments',
}
BY_TYPE = {
    'bridge': ('ports', 'vlan_aware', 'vids'),
    'bond': ('slaves', 'bond_mode', 'hash_policy', 'bond_primary'),
    'vlan': ('vlan_id', 'vlan_raw_device'),
    'eth': (),
}
LISTS = ('bridge_ports', 'slaves')
BOOLS = ('bridge_vlan_aware', 'autostart')
# Creation order: what others are built on comes first; removal goes the other way.
ORDER = {'eth': 0, 'bond': 1, 'bridge': 2, 'vlan': 3}
IFACE = re.compile(r'^[a-zA-Z][a-zA-Z0-9_.:\-]{1,20}$')


def norm(key, value):
    if value is None:
        return None
    if key in LISTS:
        items = value if isinstance(value, list) else str(value).split()
        return ' '.join(sorted(set(str(i) for i in items if str(i))))
    if key in BOOLS:
        return '1' if value in (True, 1, '1', 'true') else '0'
    if key == 'bridge_vids':
        items = value if isinstance(value, list) else str(value).split()
        return ' '.join(str(i) for i in items)
    return str(value)


class InterfaceKind(Kind):
    name = 'interface'
    fixed = ('type',)

    def __init__(self, client, node):
        super().__init__(client)
        self.node = node
        self.base = '/nodes/%s/network' % node
        self.pending = ''

    def read(self):
        body = self.client.get_full(self.base)
        self.pending = body.get('changes') or ''
        out = {}
        for entry in body.get('data') or []:
            fields = {k: norm(k, v) for k, v in entry.items() if k in FIELDS.values() or k == 'type'}
            for key in BOOLS:
                fields.setdefault(key, '0')
            out[entry['iface']] = fields
        return out

    def key(self, item):
        if not IFACE.match(item['name']):
            raise ProxmoxError('interfaces[%s].name: not an interface name (a letter, then 1-20 letters, digits, _ . : -)' % item['name'])
        return item['name']

    def want(self, item, have):
        where = 'interfaces[%s]' % item['name']
        kind = item.get('type') or (have or {}).get('type')
        if kind is None:
            raise ProxmoxError('%s.type: required to create the interface (bridge, bond or vlan)' % where)
        if kind == 'eth' and have is None:
            raise ProxmoxError('%s: there is no physical interface %s on node %s (type eth only configures existing NICs)'
                               % (where, item['name'], self.node))
        for option, value in item.items():
            if option in FIELDS and value is not None and option not in BY_TYPE[kind] and option not in (
                    'cidr', 'gateway', 'cidr6', 'gateway6', 'mtu', 'autostart', 'comments'):
                raise ProxmoxError('%s.%s: not an option of type %s' % (where, option, kind))
        if kind == 'vlan' and have is None and not re.search(r'\.\d+$', item['name']) and not (
                item.get('vlan_id') and item.get('vlan_raw_device')):
            raise ProxmoxError('%s: a VLAN named other than <device>.<tag> needs vlan_id and vlan_raw_device' % where)
        if kind == 'bond' and have is None and not item.get('slaves'):
            raise ProxmoxError('%s.slaves: a bond needs at least one slave' % where)
        want = {'type': kind}
        for option, key in FIELDS.items():
            if item.get(option) is not None:
                want[key] = norm(key, item[option])
        return want

    def _params(self, fields, kind):
        return dict(type=kind, **{k: v for k, v in fields.items() if k != 'type'})

    def create(self, key, want, item):
        self.client.post(self.base, iface=key, **self._params(want, want['type']))

    def update(self, key, changes, want, have, item):
        self.client.put('%s/%s' % (self.base, key), **self._params(changes, have['type']))

    def delete(self, key, have, item):
        self.client.delete('%s/%s' % (self.base, key))


def converge_network(client, node, interfaces, apply=True, existing_pending='apply', check_mode=False, timeout=120):
    kind = InterfaceKind(client, node)
    ordered = sorted(interfaces, key=lambda i: ORDER.get(i.get('type') or 'eth', 0) * (-1 if i.get('state') == 'absent' else 1))
    waiter = TaskWaiter(client)
    have = kind.read()
    pending_before = kind.pending
    warnings = []
    if pending_before:
        if existing_pending == 'fail':
            raise ProxmoxError('node %s has network changes staged before this task (existing_pending=fail):\n%s'
                               % (node, pending_before), pending_before=pending_before)
        if existing_pending == 'revert':
            if not check_mode:
                client.delete(kind.base)
                have = kind.read()
        else:
            warnings.append('node %s had network changes staged before this task; they are applied too' % node)
    results, diff, changed = converge(kind, ordered, check_mode, where='interfaces', have_all=have)
    pending = pending_before if existing_pending == 'apply' else ''
    if changed and not check_mode:
        pending = client.get_full(kind.base).get('changes') or ''
    applied = False
    if apply and (changed or (pending_before and existing_pending == 'apply')):
        if not check_mode:
            waiter.wait(client.put(kind.base), timeout)
        applied = True
    reverted = bool(pending_before) and existing_pending == 'revert'
    return {'changed': changed or applied or reverted, 'interfaces': results, 'diff': diff, 'pending_before': pending_before,
            'pending': pending, 'applied': applied, 'reverted': reverted, 'warnings': warnings}

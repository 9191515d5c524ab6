# -*- coding: utf-8 -*-
# Copyright: strata.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""proxmox_storage: cluster storage definitions (``/storage``) through the one convergence pattern."""

from __future__ import annotations

import re

from ansible_collections.strata.cloud.plugins.module_utils.proxmox.converge import Kind
from ansible_collections.strata.cloud.plugins.module_utils.proxmox.errors import ProxmoxError

# Declared option -> PVE key, per storage type (what each type takes besides the common keys).
COMMON = {'content': 'content', 'nodes': 'nodes', 'shared': 'shared', 'disable': 'disable'}
TYPES = {
    'dir': {'path': 'path', 'prune_backups': 'prune-backups'},
    'nfs': {'server': 'server', 'export': 'export', 'path': 'path', 'options': 'options', 'prune_backups': 'prune-backups'},
    'lvm': {'vgname': 'vgname', 'saferemove': 'saferemove'},
    'lvmthin': {'vgname': 'vgname', 'thinpool': 'thinpool'},
    'rbd': {'monhost': 'monhost', 'pool': 'pool', 'username': 'username', 'krbd': 'krbd', 'namespace': 'namespace',
            'keyring': 'keyring'},
}
REQUIRED = {'dir': ('path',), 'nfs': ('server', 'export'), 'lvm': ('vgname',), 'lvmthin': ('vgname', 'thinpool'), 'rbd': ('pool',)}
LISTS = ('content', 'nodes', 'monhost')
BOOLS = ('shared', 'disable', 'krbd', 'saferemove')
STORAGE_ID = re.compile(r'^[a-z][a-z0-9\-_.]*[a-z0-9]$')


def norm(key, value):
    if value is None:
        return None
    if key in LISTS:
        items = value if isinstance(value, list) else re.split(r'[;, ]+', str(value))
        return ','.join(sorted(set(str(i) for i in items if str(i))))
    if key in BOOLS:
        return '1' if value in (True, 1, '1', 'true') else '0'
    return str(value)


def wire(key, value):
    """Normalised value -> what the API takes (monitor lists are space-separated)."""
    if key == 'monhost':
        return value.replace(',', ' ')
    return value


class StorageKind(Kind):
    name = 'storage'
    fixed = ('type', 'path', 'export', 'vgname', 'thinpool')
    secret = ('keyring',)

    def __init__(self, client, update_keyring=False):
        super().__init__(client)
        self.update_keyring = update_keyring

    def read(self):
        out = {}
        for entry in self.client.get('/storage'):
            out[entry['storage']] = {k: norm(k, v) for k, v in entry.items() if k not in ('storage', 'digest')}
        return out

    def key(self, item):
        name = item['name']
        if not STORAGE_ID.match(name):
            raise ProxmoxError('storages[%s].name: not a storage ID (lower-case letters, digits, - _ .; starting with a letter)' % name)
        return name

    def want(self, item, have):
        where = 'storages[%s]' % item['name']
        if item.get('state', 'present') == 'absent':
            return {}
        kind = item.get('type') or (have or {}).get('type')
        if kind is None:
            raise ProxmoxError('%s.type: required to create the storage (one of %s)' % (where, ', '.join(sorted(TYPES))))
        known = dict(COMMON, **TYPES[kind])
        given = {o: item.get(o) for o in known if item.get(o) is not None}
        for other, mapping in TYPES.items():
            for option in mapping:
                if option not in known and item.get(option) is not None:
                    raise ProxmoxError('%s.%s: not an option of type %s storage (it belongs to %s)' % (where, option, kind, other))
        if have is None:
            missing = [o for o in REQUIRED[kind] if o not in given]
            if missing:
                raise ProxmoxError('%s: type %s storage needs %s' % (where, kind, ', '.join(missing)))
        elif not self.update_keyring:
            given.pop('keyring', None)
        want = {'type': kind}
        for option, value in given.items():
            want[known[option]] = norm(known[option], value)
        for key, value in (item.get('extra') or {}).items():
            want[key] = norm(key, value)
        return want

    def create(self, key, want, item):
        self.client.post('/storage', storage=key, **{k: wire(k, v) for k, v in want.items()})

    def update(self, key, changes, want, have, item):
        self.client.put('/storage/%s' % key, **{k: wire(k, v) for k, v in changes.items()})

    def delete(self, key, have, item):
        self.client.delete('/storage/%s' % key)

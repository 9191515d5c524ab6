# -*- coding: utf-8 -*-
# Copyright: strata.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A host with block devices, answering like lsblk, blkid, wipefs and pvs (util-linux 2.38, LVM 2.03)."""

from __future__ import annotations

import json

from ansible_collections.strata.cloud.plugins.module_utils.storage.disks import HostProbe

GIB = 1024 ** 3


def lsblk_json(path, size=8 * GIB, dev_type='disk', mountpoints=(None,), children=()):
    node = {'path': path, 'kname': path.rsplit('/', 1)[-1], 'size': size, 'type': dev_type,
            'mountpoints': list(mountpoints)}
    if children:
        node['children'] = list(children)
    return node


def flatten(node):
    flat = [entry for child in node.get('children') or [] for entry in flatten(child)]
    return flat + [{key: value for key, value in node.items() if key != 'children'}]


class FakeDevice:
    def __init__(self, path, size=8 * GIB, dev_type='disk', blkid=None, mountpoints=(None,), children=(),
                 wipefs=(), holders=(), edges_zero=True):
        self.path = path
        self.lsblk = lsblk_json(path, size, dev_type, mountpoints, children)
        self.blkid = blkid or {}
        self.wipefs = list(wipefs)
        self.holders = list(holders)
        self.edges_zero = edges_zero


class FakeHost(HostProbe):
    """HostProbe over in-memory devices; records every command."""

    def __init__(self, devices=(), links=None, pvsegs=None, has_lvm=True, others=(), fail=None):
        super().__init__(self._command, lambda tool: ('/usr/sbin/' + tool) if has_lvm or tool != 'pvs' else None)
        self.devices = {dev.path: dev for dev in devices}
        self.links = dict(links or {})
        self.pvsegs = list(pvsegs or [])
        self.others = set(others)
        self.fail = fail or {}
        self.calls = []

    def _command(self, argv, environ_update=None):
        assert environ_update == {'LC_ALL': 'C'}
        self.calls.append(argv)
        tool, path = argv[0], argv[-1]
        if tool in self.fail:
            return self.fail[tool]
        if tool == 'pvs':
            return 0, json.dumps({'report': [{'pvseg': self.pvsegs}]}), ''
        dev = self.devices[path]
        if tool == 'lsblk':
            # Like util-linux 2.38: a tree only when NAME is shown, else a flat list, children first.
            if 'NAME' in argv[argv.index('--output') + 1].split(','):
                return 0, json.dumps({'blockdevices': [dev.lsblk]}), ''
            return 0, json.dumps({'blockdevices': flatten(dev.lsblk)}), ''
        if tool == 'blkid':
            if not dev.blkid:
                return 2, '', ''
            lines = ['DEVNAME=%s' % path] + ['%s=%s' % (k, v.replace(' ', '\\ ')) for k, v in dev.blkid.items()]
            return 0, '\n'.join(lines) + '\n', ''
        if tool == 'wipefs':
            sigs = [{'device': path[5:], 'offset': '0x0', 'type': t, 'uuid': None, 'label': None} for t in dev.wipefs]
            return 0, json.dumps({'signatures': sigs}) if sigs else '', ''
        raise AssertionError('unexpected command %r' % argv)

    def realpath(self, path):
        return self.links.get(path, path)

    def kind(self, path):
        if path in self.devices:
            return 'block'
        return 'other' if path in self.others else 'missing'

    def holders(self, kname):
        return self.devices['/dev/' + kname].holders

    def edges_zero(self, path, size):
        edges = self.devices[path].edges_zero
        if isinstance(edges, Exception):
            raise edges
        return edges

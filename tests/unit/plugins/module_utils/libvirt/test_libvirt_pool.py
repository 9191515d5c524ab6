# -*- coding: utf-8 -*-
# Copyright: strata.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import pytest

from ansible_collections.strata.cloud.plugins.module_utils.libvirt import pool as pl
from ansible_collections.strata.cloud.plugins.module_utils.libvirt.errors import LibvirtValidationError

UUID = '3f5b8c64-6a43-4a53-9a33-0d2d3d6c1c11'


def params(**over):
    result = {'name': 'p', 'type': 'dir', 'path': '/srv/p', 'source': None}
    result.update(over)
    return result


@pytest.mark.parametrize('over, message', [
    ({'path': None}, 'path is required when type is dir'),
    ({'path': 'srv/p'}, "path: 'srv/p' must be an absolute path"),
    ({'type': 'logical', 'path': None}, 'source.vg is required when type is logical'),
    ({'type': 'logical', 'path': '/x', 'source': {'vg': 'vg0'}}, 'path is only used by type dir'),
    ({'type': 'logical', 'path': None, 'source': {'vg': 'vg0', 'devices': ['sdb']}},
     "source.devices[0]: 'sdb' is not a /dev path"),
    ({'type': 'rbd', 'path': None, 'source': {'hosts': ['m1']}}, 'source.pool (the Ceph pool) is required'),
    ({'type': 'rbd', 'path': None, 'source': {'pool': 'vms'}}, 'source.hosts (the Ceph monitors) is required'),
    ({'type': 'rbd', 'path': None, 'source': {'pool': 'vms', 'hosts': ['m1'], 'user': 'libvirt'}},
     'source.user and source.secret_uuid must be given together'),
    ({'type': 'rbd', 'path': None, 'source': {'pool': 'vms', 'hosts': ['m1'], 'user': 'u', 'secret_uuid': 'nope'}},
     "source.secret_uuid: 'nope' is not a UUID"),
    ({'type': 'rbd', 'path': None, 'source': {'pool': 'vms', 'hosts': ['m1:99999']}}, "source.hosts[0]: 'm1:99999'"),
    ({'source': {'vg': 'vg0'}}, 'source.vg is not used by pool type dir'),
])
def test_validation(over, message):
    with pytest.raises(LibvirtValidationError) as err:
        pl.validate_pool_params(params(**over))
    assert message in str(err.value)


@pytest.mark.parametrize('over', [
    {'path': '/srv/p/'},
    {'type': 'logical', 'path': None, 'source': {'vg': 'vg0', 'devices': ['/dev/sdc', '/dev/sdb']}},
    {'type': 'rbd', 'path': None, 'source': {'pool': 'vms', 'hosts': ['m1', 'm2:6789', '[2001:db8::1]:3300'],
                                             'user': 'libvirt', 'secret_uuid': UUID.upper()}},
])
def test_round_trip(over):
    desired = pl.validate_pool_params(params(**over))
    parsed = pl.parse_pool_xml(pl.build_pool_xml(desired))
    assert pl.pool_config_view(parsed) == pl.pool_config_view(desired)


def test_normalisation():
    model = pl.validate_pool_params(params(type='logical', path=None, source={'vg': 'vg0', 'devices': ['/dev/sdc', '/dev/sdb']}))
    assert model['source']['devices'] == ['/dev/sdb', '/dev/sdc']
    model = pl.validate_pool_params(params(type='rbd', path=None, source={
        'pool': 'vms', 'hosts': ['[2001:db8::1]:3300'], 'user': 'u', 'secret_uuid': UUID.upper()}))
    assert model['source']['hosts'] == ['[2001:db8::1]:3300']
    assert model['source']['secret_uuid'] == UUID
    assert pl.validate_pool_params(params(path='/srv/p/'))['path'] == '/srv/p'


def test_parse_libvirt_dir_pool():
    xml = """<pool type='dir'><name>default</name><uuid>%s</uuid><capacity unit='bytes'>1</capacity>
      <source/><target><path>/var/lib/libvirt/images</path><permissions><mode>0711</mode></permissions></target>
      </pool>""" % UUID
    model = pl.parse_pool_xml(xml)
    assert model['path'] == '/var/lib/libvirt/images'
    assert model['uuid'] == UUID
    view = pl.pool_view(model, True, True, 1, 2, 3, ['a'])
    assert view['path'] == '/var/lib/libvirt/images' and view['volumes'] == ['a'] and view['available'] == 3

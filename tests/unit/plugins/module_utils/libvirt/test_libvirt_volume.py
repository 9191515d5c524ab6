# -*- coding: utf-8 -*-
# Copyright: strata.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import pytest

from ansible_collections.strata.cloud.plugins.module_utils.libvirt import volume as vl
from ansible_collections.strata.cloud.plugins.module_utils.libvirt.errors import LibvirtValidationError

G = 1024 ** 3
M = 1024 ** 2


@pytest.mark.parametrize('value, expected', [
    (10, 10 * G),
    ('10', 10 * G),
    ('10G', 10 * G),
    ('10g', 10 * G),
    ('10GiB', 10 * G),
    ('10GB', 10 * G),
    ('512M', 512 * M),
    (' 512 MiB ', 512 * M),
    ('1.5T', int(1.5 * 1024 ** 4)),
    ('64K', 64 * 1024),
    ('1000b', 1024),        # rounded up to 512-byte sectors
    ('512b', 512),
    (None, None),
])
def test_parse_size(value, expected):
    assert vl.parse_size(value, 'disks[0].size') == expected


@pytest.mark.parametrize('value', ['10X', 'ten', '', '-1G', '1.2.3G', True, '0', 0])
def test_parse_size_rejects(value):
    with pytest.raises(LibvirtValidationError) as err:
        vl.parse_size(value, 'disks[3].size')
    assert str(err.value).startswith('disks[3].size: ')


@pytest.mark.parametrize('size, text', [
    (10 * G, '10G'), (512 * M, '512M'), (int(1.5 * G), '1.50G'), (1024, '1K'), (100, '100B'), (None, None)])
def test_human_size(size, text):
    assert vl.human_size(size) == text


@pytest.mark.parametrize('pool_type, name, fmt', [
    ('dir', 'vm1-root.qcow2', 'qcow2'),
    ('netfs', 'vm1-root.qcow2', 'qcow2'),
    ('logical', 'vm1-root', 'raw'),
    ('rbd', 'vm1-root', 'raw'),
])
def test_volume_names_and_formats(pool_type, name, fmt):
    assert vl.disk_volume_name('vm1', 'root', pool_type) == name
    assert vl.volume_format(pool_type) == fmt


def test_seed_volume_name():
    assert vl.seed_volume_name('vm1') == 'vm1-seed.iso'


def test_overlay_volume_xml_round_trip():
    xml = vl.volume_xml('vm1-root.qcow2', 20 * G, 'qcow2', '/srv/base.qcow2', 'qcow2')
    parsed = vl.parse_volume_xml(xml)
    assert parsed == {'name': 'vm1-root.qcow2', 'capacity': 20 * G, 'format': 'qcow2', 'path': None,
                      'backing_path': '/srv/base.qcow2'}


def test_parse_volume_xml_units():
    xml = ("<volume><name>b</name><capacity unit='G'>2</capacity><target><path>/p/b</path>"
           "<format type='raw'/></target></volume>")
    assert vl.parse_volume_xml(xml)['capacity'] == 2 * G
    assert vl.parse_volume_xml(xml)['format'] == 'raw'

# -*- coding: utf-8 -*-
# Copyright: strata.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Disk inspection: parsers, the blank decision, LVM details."""

from __future__ import annotations

import pytest

from ansible_collections.strata.cloud.plugins.module_utils.storage import disks
from ansible_collections.strata.cloud.plugins.module_utils.storage.errors import StorageCommandError
from ansible_collections.strata.cloud.tests.unit.plugins.module_utils.storage.fake_host import GIB, FakeDevice, FakeHost, lsblk_json

PART = lsblk_json('/dev/vdb1', size=GIB, dev_type='part', mountpoints=['/srv/data'])

CASES = {
    'blank disk': (FakeDevice('/dev/vdb'), True, ''),
    'ext4 with label': (FakeDevice('/dev/vdb', blkid={'TYPE': 'ext4', 'LABEL': 'old data'}, wipefs=['ext4']),
                        False, 'holds ext4 (label old data)'),
    'xfs without label': (FakeDevice('/dev/vdb', blkid={'TYPE': 'xfs'}, wipefs=['xfs']), False, 'holds xfs'),
    'gpt with mounted partition': (FakeDevice('/dev/vdb', blkid={'PTTYPE': 'gpt'}, wipefs=['gpt', 'PMBR'], children=[PART]),
                                   False, 'has a gpt partition table; has partitions /dev/vdb1; is mounted at /srv/data'),
    'dos table': (FakeDevice('/dev/vdb', blkid={'PTTYPE': 'dos'}, wipefs=['dos']), False, 'has a dos partition table'),
    'swap in use': (FakeDevice('/dev/vdb', blkid={'TYPE': 'swap'}, mountpoints=['[SWAP]'], wipefs=['swap']),
                    False, 'holds swap; is mounted at [SWAP]'),
    'held by device-mapper': (FakeDevice('/dev/vdb', holders=['dm-3']), False, 'is held by dm-3'),
    'signature only wipefs knows': (FakeDevice('/dev/vdb', wipefs=['linux_raid_member']), False,
                                    'wipefs finds signatures linux_raid_member'),
    'data without signature': (FakeDevice('/dev/vdb', edges_zero=False), False,
                               'the first or last MiB holds data (no known signature)'),
    'unreadable': (FakeDevice('/dev/vdb', edges_zero=PermissionError(13, 'Permission denied')), False,
                   'cannot read the device: Permission denied'),
}


@pytest.mark.parametrize('case', sorted(CASES))
def test_blank_decision(case):
    device, blank, reason = CASES[case]
    host = FakeHost([device])
    [disk] = disks.inspect(host, ['/dev/vdb'])
    assert (disk['blank'], disk['reason']) == (blank, reason)
    assert disk['exists'] and disk['is_block'] and disk['size_bytes'] == 8 * GIB and disk['type'] == 'disk'


def test_fields_of_a_partitioned_disk():
    host = FakeHost([FakeDevice('/dev/vdb', blkid={'PTTYPE': 'gpt', 'PTUUID': 'x'}, children=[PART])])
    [disk] = disks.inspect(host, ['/dev/vdb'])
    assert disk['pttype'] == 'gpt' and disk['fstype'] is None and disk['label'] is None
    assert disk['partitions'] == ['/dev/vdb1'] and disk['mountpoints'] == ['/srv/data']


def test_by_id_path_is_resolved_and_order_kept():
    host = FakeHost([FakeDevice('/dev/vdb'), FakeDevice('/dev/vdc', blkid={'TYPE': 'ext4'})],
                    links={'/dev/disk/by-id/virtio-data2': '/dev/vdc'})
    result = disks.inspect(host, ['/dev/disk/by-id/virtio-data2', '/dev/vdb'])
    assert [(d['device'], d['path'], d['fstype']) for d in result] == [
        ('/dev/disk/by-id/virtio-data2', '/dev/vdc', 'ext4'), ('/dev/vdb', '/dev/vdb', None)]


@pytest.mark.parametrize('path, exists, reason', [('/dev/vdz', False, 'does not exist'), ('/tmp/file', True, 'not a block device')])
def test_missing_and_non_block_paths_do_not_fail(path, exists, reason):
    host = FakeHost([], others=['/tmp/file'])
    [disk] = disks.inspect(host, [path])
    assert disk == {
        'device': path, 'path': path, 'exists': exists, 'is_block': False, 'size_bytes': 0, 'type': None,
        'fstype': None, 'label': None, 'pttype': None, 'partitions': [], 'holders': [], 'mountpoints': [],
        'lvm_pv': False, 'lvm_vg': None, 'lvm_lv_tags': [], 'blank': False, 'reason': reason}
    assert [call[0] for call in host.calls] == ['pvs']


PV_SEGS = [
    {'pv_name': '/dev/vdb', 'vg_name': 'ceph-1', 'lv_tags': 'ceph.osd_fsid=abc,ceph.type=block'},
    {'pv_name': '/dev/vdb', 'vg_name': 'ceph-1', 'lv_tags': 'ceph.osd_fsid=abc,ceph.type=block'},
    {'pv_name': '/dev/vdb', 'vg_name': 'ceph-1', 'lv_tags': ''},
    {'pv_name': '/dev/vdc', 'vg_name': '', 'lv_tags': ''},
]


@pytest.mark.parametrize('path, vg, tags, reason', [
    ('/dev/vdb', 'ceph-1', ['ceph.osd_fsid=abc', 'ceph.type=block'], 'is an LVM physical volume of volume group ceph-1; is held by dm-0'),
    ('/dev/vdc', None, [], 'is an LVM physical volume'),
])
def test_lvm_physical_volumes(path, vg, tags, reason):
    host = FakeHost([FakeDevice('/dev/vdb', blkid={'TYPE': 'LVM2_member'}, wipefs=['LVM2_member'], holders=['dm-0']),
                     FakeDevice('/dev/vdc', blkid={'TYPE': 'LVM2_member'}, wipefs=['LVM2_member'])], pvsegs=PV_SEGS)
    [disk] = disks.inspect(host, [path])
    assert (disk['lvm_pv'], disk['lvm_vg'], disk['lvm_lv_tags'], disk['reason']) == (True, vg, tags, reason)
    assert disk['fstype'] == 'LVM2_member'


def test_pv_found_by_signature_without_lvm_tools():
    host = FakeHost([FakeDevice('/dev/vdb', blkid={'TYPE': 'LVM2_member'})], has_lvm=False)
    [disk] = disks.inspect(host, ['/dev/vdb'])
    assert disk['lvm_pv'] and disk['lvm_vg'] is None and not disk['blank']
    assert 'pvs' not in [call[0] for call in host.calls]


@pytest.mark.parametrize('tool, answer', [('lsblk', (32, '', 'lsblk: not a block device')), ('wipefs', (1, '', 'wipefs: error')),
                                          ('blkid', (4, '', 'usage')), ('pvs', (3, '', 'locking failed'))])
def test_command_failures_raise(tool, answer):
    host = FakeHost([FakeDevice('/dev/vdb')], fail={tool: answer})
    with pytest.raises(StorageCommandError) as err:
        disks.inspect(host, ['/dev/vdb'])
    assert tool in str(err.value) and err.value.details['rc'] == answer[0]


def test_lsblk_without_devices_raises():
    host = FakeHost([FakeDevice('/dev/vdb')], fail={'lsblk': (0, '{"blockdevices": []}', '')})
    with pytest.raises(StorageCommandError, match='lsblk returned nothing'):
        disks.inspect(host, ['/dev/vdb'])


@pytest.mark.parametrize('text, expected', [
    ('DEVNAME=/dev/vdb\nLABEL=my\\ disk\nTYPE=ext4\n', {'DEVNAME': '/dev/vdb', 'LABEL': 'my disk', 'TYPE': 'ext4'}),
    ('', {}),
    ('garbage line\nPTTYPE=gpt', {'PTTYPE': 'gpt'}),
])
def test_parse_blkid(text, expected):
    assert disks.parse_blkid(text) == expected


@pytest.mark.parametrize('text, expected', [
    ('', []),
    ('{"signatures": []}', []),
    ('{"signatures": [{"type": "gpt"}, {"type": "gpt"}, {"type": "PMBR"}]}', ['PMBR', 'gpt']),
])
def test_parse_wipefs(text, expected):
    assert disks.parse_wipefs(text) == expected


def test_parse_lsblk_old_mountpoint_column_and_nested_holders():
    text = ('{"blockdevices": [{"path": "/dev/vdb", "kname": "vdb", "size": 10, "type": "disk", "mountpoint": null,'
            ' "children": [{"path": "/dev/mapper/vg-lv", "kname": "dm-0", "size": 5, "type": "lvm", "mountpoint": "/srv"}]}]}')
    assert disks.parse_lsblk(text) == {'kname': 'vdb', 'size_bytes': 10, 'type': 'disk', 'partitions': [], 'mountpoints': ['/srv']}


def test_parse_lsblk_flat_list_with_the_lv_first():
    # util-linux 2.38 without the NAME column: an OSD disk and its LV, the LV listed first.
    text = ('{"blockdevices": [{"path": "/dev/mapper/ceph--a-osd--block--b", "kname": "dm-0", "size": 5, "type": "lvm",'
            ' "mountpoints": [null]}, {"path": "/dev/vdb", "kname": "vdb", "size": 10, "type": "disk", "mountpoints": [null]}]}')
    assert disks.parse_lsblk(text, '/dev/vdb') == {'kname': 'vdb', 'size_bytes': 10, 'type': 'disk', 'partitions': [],
                                                   'mountpoints': []}


def test_parse_lsblk_flat_list_partitions_and_mounts():
    text = ('{"blockdevices": [{"path": "/dev/vdc1", "kname": "vdc1", "size": 4, "type": "part", "mountpoints": ["/mnt"]},'
            ' {"path": "/dev/vdc", "kname": "vdc", "size": 10, "type": "disk", "mountpoints": [null]}]}')
    assert disks.parse_lsblk(text, '/dev/vdc') == {'kname': 'vdc', 'size_bytes': 10, 'type': 'disk',
                                                   'partitions': ['/dev/vdc1'], 'mountpoints': ['/mnt']}


def test_inspect_an_osd_disk_is_a_disk_with_its_lv_below():
    lv = {'path': '/dev/mapper/ceph--a-osd--block--b', 'kname': 'dm-0', 'size': GIB, 'type': 'lvm', 'mountpoints': [None]}
    host = FakeHost([FakeDevice('/dev/vdb', blkid={'TYPE': 'LVM2_member'}, children=[lv], holders=['dm-0'])])
    [disk] = disks.inspect(host, ['/dev/vdb'])
    assert (disk['type'], disk['size_bytes'], disk['holders']) == ('disk', 8 * GIB, ['dm-0'])


def test_edges_zero_reads_head_and_tail(tmp_path):
    image = tmp_path / 'disk.img'
    image.write_bytes(b'\0' * (3 * disks.MIB))
    assert disks.HostProbe.edges_zero(str(image), 3 * disks.MIB) is True
    with open(image, 'r+b') as handle:
        handle.seek(3 * disks.MIB - 1)
        handle.write(b'x')
    assert disks.HostProbe.edges_zero(str(image), 3 * disks.MIB) is False
    small = tmp_path / 'small.img'
    small.write_bytes(b'\0' * 4096)
    assert disks.HostProbe.edges_zero(str(small), 4096) is True


def test_host_probe_kind_and_holders(tmp_path):
    assert disks.HostProbe.kind(str(tmp_path / 'nope')) == 'missing'
    assert disks.HostProbe.kind(str(tmp_path)) == 'other'
    assert disks.HostProbe.holders('no-such-device-strata') == []

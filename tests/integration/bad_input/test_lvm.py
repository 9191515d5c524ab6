"""Bad input to strata.cloud.lvm fails before anything changes, with a message naming the field.

The disk-safety cases use a real loop device with an ext4 file system (root needed): the role must
refuse it and leave the file system in place.
"""

from __future__ import annotations

import os
import subprocess

import pytest

from conftest import fs_type
from test_bad_input import ROLE_PLAY, assert_failed_unchanged, run

PLAY = ROLE_PLAY.format(role='lvm')
DISKS = [{'name': 'data1', 'device': '/dev/vdb'}, {'name': 'data2', 'device': '/dev/vdc'}]


def vg(**extra):
    return dict({'name': 'data', 'disks': ['data1']}, **extra)


CASES = {
    'unknown disk name': ({'lvm_volume_groups': [vg(disks=['data1', 'data9'])]},
                          ['lvm_volume_groups[name=data].disks: "data9" is not a strata_disks name of localhost (known: data1, data2)']),
    'disk in two volume groups': ({'lvm_volume_groups': [vg(), {'name': 'other', 'disks': ['data1']}]},
                                  ['lvm_volume_groups[name=other].disks: disk data1 is already used by volume group data']),
    'thin volume larger than pool': ({'lvm_volume_groups': [vg(thin_pools=[{'name': 'pool0', 'size': '1G'}],
                                                               logical_volumes=[{'name': 'big', 'size': '2G', 'thin_pool': 'pool0'}])]},
                                     ['lvm_volume_groups[name=data].thin_pools[name=pool0]: its thin volumes add up to',
                                      'more than the pool size 1G', 'overcommit: true']),
    'duplicate logical volume names': ({'lvm_volume_groups': [vg(logical_volumes=[{'name': 'lv1', 'size': '1G'}, {'name': 'lv1', 'size': '2G'}])]},
                                       ['lvm_volume_groups[name=data]: logical volume name lv1 is used 2 times']),
    'thin pool and volume share a name': ({'lvm_volume_groups': [vg(thin_pools=[{'name': 'x', 'size': '1G'}],
                                                                    logical_volumes=[{'name': 'x', 'size': '1G'}])]},
                                          ['logical volume name x is used 2 times (thin pools and logical volumes share one namespace)']),
    'unknown thin pool': ({'lvm_volume_groups': [vg(logical_volumes=[{'name': 'lv1', 'size': '1G', 'thin_pool': 'nope'}])]},
                          ['lvm_volume_groups[name=data].logical_volumes[name=lv1].thin_pool: "nope" is not a thin pool of data']),
    'malformed size': ({'lvm_volume_groups': [vg(logical_volumes=[{'name': 'lv1', 'size': 'lots'}])]},
                       ['lvm_volume_groups[name=data].logical_volumes[name=lv1].size: "lots" is not a size']),
    'relative mount point': ({'lvm_volume_groups': [vg(logical_volumes=[{'name': 'lv1', 'size': '1G', 'filesystem': 'xfs', 'mount': 'srv/db'}])]},
                             ['lvm_volume_groups[name=data].logical_volumes[name=lv1].mount: "srv/db" must be an absolute path']),
    'mount without file system': ({'lvm_volume_groups': [vg(logical_volumes=[{'name': 'lv1', 'size': '1G', 'mount': '/srv/db'}])]},
                                  ['logical_volumes[name=lv1].mount: a mounted volume needs a filesystem']),
    'file system not a choice': ({'lvm_volume_groups': [vg(logical_volumes=[{'name': 'lv1', 'size': '1G', 'filesystem': 'zfs'}])]},
                                 ['filesystem', 'zfs']),
    'bad volume group name': ({'lvm_volume_groups': [vg(name='my vg')]}, ['lvm_volume_groups[name=my vg].name: "my vg" is not a valid volume group name']),
    'volume group without disks that does not exist': ({'lvm_volume_groups': [{'name': 'strata-absent'}]},
                                                       ['lvm_volume_groups[name=strata-absent].disks is not set and volume group',
                                                        'strata-absent does not exist on localhost; name the disks']),
    'missing device': ({'lvm_volume_groups': [vg(disks=['gone'])], 'strata_disks': [{'name': 'gone', 'device': '/dev/strata-no-such-disk'}]},
                       ['strata_disks[name=gone] (/dev/strata-no-such-disk) does not exist; fix strata_disks[name=gone].device']),
}


@pytest.mark.parametrize('case', sorted(CASES))
def test_lvm_rejects(tmp_path, case):
    extra, expected = CASES[case]
    extra = dict({'strata_disks': DISKS, 'lvm_install_packages': False}, **extra)
    rc, out = run(tmp_path, PLAY, extra)
    assert_failed_unchanged(rc, out, expected)


def test_disk_with_file_system_is_refused_without_force(tmp_path, ext4_disk):
    dev, dummy = ext4_disk
    extra = {'strata_disks': [{'name': 'old1', 'device': dev}], 'lvm_volume_groups': [{'name': 'data', 'disks': ['old1']}],
             'lvm_install_packages': False}
    rc, out = run(tmp_path, PLAY, extra)
    assert_failed_unchanged(rc, out, ['strata_disks[name=old1] (%s) holds ext4 (label strata-bad)' % dev,
                                      'set force: true in strata_disks[name=old1]', 'nothing was changed'])
    assert fs_type(dev) == 'ext4'


def test_mounted_disk_is_refused_even_with_force(tmp_path, ext4_disk):
    dev, mnt = ext4_disk
    # A private mount namespace for this test process and the playbook it starts: QEMU processes
    # that libvirtd starts meanwhile would otherwise get a copy of the mount and keep the loop
    # device busy.
    os.unshare(os.CLONE_NEWNS)
    subprocess.run(['mount', '--make-rprivate', '/'], check=True)
    subprocess.run(['mount', dev, mnt], check=True)
    extra = {'strata_disks': [{'name': 'old1', 'device': dev, 'force': True}],
             'lvm_volume_groups': [{'name': 'data', 'disks': ['old1']}], 'lvm_install_packages': False}
    rc, out = run(tmp_path, PLAY, extra)
    assert_failed_unchanged(rc, out, ['is mounted at %s' % mnt, 'is never wiped, not even with force: true'])
    assert fs_type(dev) == 'ext4'

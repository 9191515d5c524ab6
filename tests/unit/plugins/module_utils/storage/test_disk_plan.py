# -*- coding: utf-8 -*-
# Copyright: strata.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which inventory disks the lvm role may write to."""

from __future__ import annotations

import pytest

from ansible_collections.strata.cloud.plugins.module_utils.storage.disk_plan import decide, disk_decisions, disk_plan, wanted_disks

DISKS = [
    {'name': 'data1', 'device': '/dev/vdb'},
    {'name': 'data2', 'device': '/dev/disk/by-id/virtio-d2', 'force': True},
    {'name': 'nodev'},
]
VGS = [{'name': 'data', 'disks': ['data1', 'data2', 'unknown', 'nodev']}, {'name': 'empty'}]


def facts(**extra):
    base = {'exists': True, 'is_block': True, 'path': '/dev/vdb', 'blank': False, 'reason': 'holds ext4',
            'lvm_vg': None, 'mountpoints': [], 'holders': []}
    base.update(extra)
    return base


def test_wanted_disks_skip_unknown_names_and_missing_devices():
    assert wanted_disks(VGS, DISKS) == [
        {'vg': 'data', 'name': 'data1', 'device': '/dev/vdb', 'force': False},
        {'vg': 'data', 'name': 'data2', 'device': '/dev/disk/by-id/virtio-d2', 'force': True},
    ]
    assert wanted_disks([], DISKS) == [] and wanted_disks(VGS, None) == []


DISK = {'vg': 'data', 'name': 'data1', 'device': '/dev/vdb', 'force': False}
FORCED = dict(DISK, force=True)

DECISIONS = {
    'blank disk is used': (DISK, facts(blank=True, reason=''), 'use', ''),
    'our own physical volume is kept': (DISK, facts(lvm_vg='data', holders=['dm-0'], reason='is an LVM physical volume'), 'keep', ''),
    'data without force is refused': (DISK, facts(), 'refuse', 'set force: true in strata_disks[name=data1]'),
    'foreign physical volume is refused': (DISK, facts(lvm_vg='other', reason='is an LVM physical volume of volume group other'),
                                           'refuse', 'of volume group other; to use it for volume group data anyway'),
    'data with force is wiped': (FORCED, facts(), 'wipe', ''),
    'mounted disk is refused even with force': (FORCED, facts(mountpoints=['/srv'], reason='is mounted at /srv'), 'refuse',
                                                'is never wiped, not even with force: true'),
    'held disk is refused even with force': (FORCED, facts(holders=['dm-1'], reason='is held by dm-1'), 'refuse', 'is in use'),
    'missing device': (FORCED, facts(exists=False, is_block=False), 'refuse', 'does not exist; fix strata_disks[name=data1].device'),
    'not a block device': (DISK, facts(is_block=False), 'refuse', 'is not a block device'),
}


@pytest.mark.parametrize('case', sorted(DECISIONS))
def test_decide(case):
    disk, fact, action, message = DECISIONS[case]
    plan = decide(disk, fact)
    assert plan['action'] == action
    assert message in plan['message']
    assert bool(plan['message']) == (action == 'refuse')
    assert plan['path'] == '/dev/vdb'


def test_disk_plan_pairs_facts_in_order():
    plan = disk_plan(VGS, DISKS, [facts(blank=True), facts(path='/dev/vdc')])
    assert [(p['name'], p['path'], p['action']) for p in plan] == [('data1', '/dev/vdb', 'use'), ('data2', '/dev/vdc', 'wipe')]


def test_disk_plan_rejects_mismatched_facts():
    with pytest.raises(ValueError, match='2 disks but 1 disk_facts results'):
        disk_plan(VGS, DISKS, [facts()])


OSD_TAG = 'ceph.cluster_fsid=1b2c'
OSD_DISKS = [{'name': 'a', 'device': '/dev/vdb'}, {'name': 'b', 'device': '/dev/vdc', 'force': True},
             {'name': 'c', 'device': '/dev/vdd'}, {'name': 'd', 'device': '/dev/vde', 'force': True},
             {'name': 'e', 'device': '/dev/vdf'}, {'name': 'f', 'device': '/dev/vdg', 'force': True},
             {'name': 'g', 'device': '/dev/vdh'}]
OSD_FACTS = [facts(blank=True, reason='', type='disk'),
             facts(reason='holds ext4', type='disk'),
             facts(reason='holds ext4', type='disk'),
             facts(holders=['dm-3'], lvm_lv_tags=['ceph.osd_id=0', OSD_TAG], reason='is an LVM physical volume', type='disk'),
             facts(exists=False, is_block=False, reason=''),
             facts(mountpoints=['/srv'], reason='holds ext4, mounted at /srv', type='disk'),
             facts(lvm_lv_tags=['ceph.cluster_fsid=other'], reason='is an LVM physical volume', type='disk')]


def test_disk_decisions_recognise_our_own_osds_by_tag():
    decided = disk_decisions(OSD_DISKS, OSD_FACTS, OSD_TAG)
    assert [(d['name'], d['action']) for d in decided] == [
        ('a', 'use'), ('b', 'wipe'), ('c', 'refuse'), ('d', 'keep'), ('e', 'missing'), ('f', 'in_use'), ('g', 'refuse')]
    assert decided[2]['reason'] == 'holds ext4' and decided[0]['type'] == 'disk' and decided[0]['path'] == '/dev/vdb'


def test_disk_decisions_without_a_tag_own_nothing():
    assert disk_decisions(OSD_DISKS[3:4], OSD_FACTS[3:4])[0]['action'] == 'in_use'


def test_disk_decisions_need_one_fact_per_disk():
    with pytest.raises(ValueError, match='2 disks but 1 disk_facts results'):
        disk_decisions(OSD_DISKS[:2], OSD_FACTS[:1])

# -*- coding: utf-8 -*-
# Copyright: strata.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which inventory disks a storage role may write to (pure functions over disk_facts results).

The rule: a blank disk may be used; a disk that already is a physical volume of the wanted
volume group is ours and kept; anything else is refused unless its ``strata_disks`` entry says
``force: true`` - and even then a disk that is mounted or held by another device is refused.
"""

from __future__ import annotations


def wanted_disks(volume_groups, strata_disks):
    """The disks the volume groups name, as ``{vg, name, device, force}``, in declaration order.

    Names that ``strata_disks`` does not define (reported by the role's validation) are skipped.
    """
    by_name = {disk.get('name'): disk for disk in strata_disks or [] if isinstance(disk, dict)}
    wanted = []
    for vg in volume_groups or []:
        for name in vg.get('disks') or []:
            disk = by_name.get(name)
            if disk is None or not disk.get('device'):
                continue
            wanted.append({'vg': vg['name'], 'name': name, 'device': disk['device'], 'force': bool(disk.get('force', False))})
    return wanted


def decide(disk, facts):
    """``disk`` from :func:`wanted_disks` plus its disk_facts entry -> the disk with ``path``, ``action``, ``message``."""
    where = 'strata_disks[name=%s] (%s)' % (disk['name'], disk['device'])
    plan = dict(disk, path=facts.get('path') or disk['device'], action='refuse', message='')
    if not facts.get('exists'):
        plan['message'] = '%s does not exist; fix strata_disks[name=%s].device' % (where, disk['name'])
    elif not facts.get('is_block'):
        plan['message'] = '%s is not a block device; fix strata_disks[name=%s].device' % (where, disk['name'])
    elif facts.get('lvm_vg') == disk['vg']:
        plan['action'] = 'keep'
    elif facts.get('blank'):
        plan['action'] = 'use'
    elif facts.get('mountpoints') or facts.get('holders'):
        plan['message'] = '%s %s; it is in use and is never wiped, not even with force: true' % (where, facts.get('reason'))
    elif disk['force']:
        plan['action'] = 'wipe'
    else:
        plan['message'] = ('%s %s; to use it for volume group %s anyway (its data is lost), set force: true in '
                           'strata_disks[name=%s]' % (where, facts.get('reason'), disk['vg'], disk['name']))
    return plan


def disk_plan(volume_groups, strata_disks, facts=None):
    """Without ``facts`` the disks to inspect; with the disk_facts results (same order) the decisions."""
    wanted = wanted_disks(volume_groups, strata_disks)
    if facts is None:
        return wanted
    if len(facts) != len(wanted):
        raise ValueError('disk_plan: %d disks but %d disk_facts results' % (len(wanted), len(facts)))
    return [decide(disk, fact) for disk, fact in zip(wanted, facts)]

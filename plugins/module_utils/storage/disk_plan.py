# -*- coding: utf-8 -*-
# Copyright: strata.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which inventory disks a storage role may write to (pure functions over disk_facts results).

The rule, for every storage role: a disk the role prepared earlier is ours and kept (LVM: a
physical volume of the wanted volume group; Ceph: an OSD of this cluster); a blank disk may be
used; anything else is refused unless its ``strata_disks`` entry says ``force: true`` - and even
then a disk that is mounted or held by another device is refused.
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


def classify(facts, ours, force):
    """The decision for one disk: ``(action, reason)``.

    ``action`` is ``keep`` (ours), ``use`` (blank), ``wipe`` (holds data, forced), or a refusal:
    ``missing``, ``not_block``, ``in_use`` (mounted or held: never wiped) or ``refuse`` (holds data,
    not forced). ``reason`` is disk_facts' description of what the disk holds.
    """
    if not facts.get('exists'):
        return 'missing', 'does not exist'
    if not facts.get('is_block'):
        return 'not_block', 'is not a block device'
    if ours:
        return 'keep', ''
    if facts.get('blank'):
        return 'use', ''
    if facts.get('mountpoints') or facts.get('holders'):
        return 'in_use', facts.get('reason') or ''
    if force:
        return 'wipe', facts.get('reason') or ''
    return 'refuse', facts.get('reason') or ''


def disk_decisions(disks, facts, ours_lv_tag=None):
    """``strata_disks`` entries plus their disk_facts results (same order) -> entries with ``action``, ``reason``.

    A disk is ours when one of its logical volumes carries ``ours_lv_tag`` (Ceph marks its OSD
    volumes with ``ceph.cluster_fsid=<fsid>``).
    """
    if len(facts) != len(disks):
        raise ValueError('disk_decisions: %d disks but %d disk_facts results' % (len(disks), len(facts)))
    out = []
    for disk, fact in zip(disks, facts):
        ours = bool(ours_lv_tag) and ours_lv_tag in (fact.get('lvm_lv_tags') or [])
        action, reason = classify(fact, ours, bool(disk.get('force', False)))
        out.append(dict(disk, path=fact.get('path') or disk.get('device'), type=fact.get('type'), action=action, reason=reason))
    return out


def decide(disk, facts):
    """``disk`` from :func:`wanted_disks` plus its disk_facts entry -> the disk with ``path``, ``action``, ``message``.

    ``action`` is ``use``, ``keep``, ``wipe`` or ``refuse`` (then ``message`` says why and what to do).
    """
    where = 'strata_disks[name=%s] (%s)' % (disk['name'], disk['device'])
    action, reason = classify(facts, facts.get('lvm_vg') == disk['vg'], disk['force'])
    plan = dict(disk, path=facts.get('path') or disk['device'], action=action, message='')
    if action in ('missing', 'not_block'):
        plan['message'] = '%s %s; fix strata_disks[name=%s].device' % (where, reason, disk['name'])
    elif action == 'in_use':
        plan['message'] = '%s %s; it is in use and is never wiped, not even with force: true' % (where, reason)
    elif action == 'refuse':
        plan['message'] = ('%s %s; to use it for volume group %s anyway (its data is lost), set force: true in '
                           'strata_disks[name=%s]' % (where, reason, disk['vg'], disk['name']))
    if plan['message']:
        plan['action'] = 'refuse'
    return plan


def disk_plan(volume_groups, strata_disks, facts=None):
    """Without ``facts`` the disks to inspect; with the disk_facts results (same order) the decisions."""
    wanted = wanted_disks(volume_groups, strata_disks)
    if facts is None:
        return wanted
    if len(facts) != len(wanted):
        raise ValueError('disk_plan: %d disks but %d disk_facts results' % (len(wanted), len(facts)))
    return [decide(disk, fact) for disk, fact in zip(wanted, facts)]

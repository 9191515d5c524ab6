# -*- coding: utf-8 -*-
# Copyright: strata.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters of the storage roles."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

from ansible_collections.strata.cloud.plugins.module_utils.storage.ceph_config import config_changes
from ansible_collections.strata.cloud.plugins.module_utils.storage.disk_plan import disk_decisions as _disk_decisions
from ansible_collections.strata.cloud.plugins.module_utils.storage.disk_plan import disk_plan


def lvm_disks(volume_groups, strata_disks, facts=None):
    try:
        return disk_plan(volume_groups, strata_disks, facts)
    except ValueError as exc:
        raise AnsibleFilterError(str(exc)) from exc


def disk_decisions(disks, facts, ours_lv_tag=None):
    try:
        return _disk_decisions(disks, facts, ours_lv_tag)
    except ValueError as exc:
        raise AnsibleFilterError(str(exc)) from exc


def ceph_config_changes(wanted, dump):
    try:
        return config_changes(wanted, dump)
    except ValueError as exc:
        raise AnsibleFilterError(str(exc)) from exc


class FilterModule(object):
    def filters(self):
        return {'lvm_disks': lvm_disks, 'disk_decisions': disk_decisions, 'ceph_config_changes': ceph_config_changes}

# -*- coding: utf-8 -*-
# Copyright: strata.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters of the storage roles."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

from ansible_collections.strata.cloud.plugins.module_utils.storage.ceph_config import config_changes
from ansible_collections.strata.cloud.plugins.module_utils.storage.disk_plan import disk_decisions, disk_plan


def _named_errors(function):
    """The filter ``function`` with its ValueError (which names the field) as a filter error."""
    def run(*args, **kwargs):
        try:
            return function(*args, **kwargs)
        except ValueError as exc:
            raise AnsibleFilterError(str(exc)) from exc
    return run


class FilterModule(object):
    def filters(self):
        return {
            'lvm_disks': _named_errors(disk_plan),
            'disk_decisions': _named_errors(disk_decisions),
            'ceph_config_changes': _named_errors(config_changes),
        }

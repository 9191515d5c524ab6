# -*- coding: utf-8 -*-
# Copyright: strata.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters of the kolla_deploy role."""

from __future__ import annotations

from ansible_collections.strata.cloud.plugins.module_utils.kolla_plan import inventory_text, plan


def kolla_plan(config, hostvars, groups, networks, multinode=None, header='', deployment=None):
    """Plan a Kolla-Ansible deployment; with ``multinode`` also render the inventory."""
    result = plan(config, hostvars, groups, networks)
    if multinode is not None and not result['errors']:
        result['inventory'] = inventory_text(multinode, result, header=header, deployment=deployment)
    return result


class FilterModule(object):
    def filters(self):
        return {'kolla_plan': kolla_plan}

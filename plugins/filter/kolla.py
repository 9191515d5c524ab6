# -*- coding: utf-8 -*-
# Copyright: strata.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters of the kolla_deploy role."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

from ansible_collections.strata.cloud.plugins.module_utils.kolla_plan import inventory_text, plan


def kolla_plan(config, hostvars, groups, networks):
    """Plan a Kolla-Ansible deployment."""
    return plan(config, hostvars, groups, networks)


def kolla_inventory(the_plan, multinode, header='', deployment=None):
    """The multinode inventory text of a plan made by kolla_plan (it must have no errors)."""
    if the_plan.get('errors'):
        raise AnsibleFilterError('kolla_inventory: the plan has errors: %s' % '; '.join(the_plan['errors']))
    return inventory_text(multinode, the_plan, header=header, deployment=deployment)


class FilterModule(object):
    def filters(self):
        return {'kolla_plan': kolla_plan, 'kolla_inventory': kolla_inventory}

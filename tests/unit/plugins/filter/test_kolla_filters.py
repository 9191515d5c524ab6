# -*- coding: utf-8 -*-
# Copyright: strata.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.strata.cloud.plugins.filter.kolla import kolla_inventory, kolla_plan

NETS = {'api': {'cidr': '10.94.0.0/24'}}
HOSTVARS = {'ctl1': {'strata_interfaces': {'api': {'device': 'ens21', 'address': '10.94.0.11'}}}}
GROUPS = {'openstack_control': ['ctl1'], 'openstack_network': ['ctl1'], 'openstack_compute': ['ctl1'],
          'openstack_storage': []}
BASE = {'internal_vip': '10.94.0.250', 'services': ['keystone']}
EXAMPLE = '[control]\ncontrol01\n\n[network]\n\n[compute]\n\n[monitoring]\n\n[storage]\n\n[keystone:children]\ncontrol\n'


def test_inventory_is_rendered_from_the_plan():
    text = kolla_inventory(kolla_plan(BASE, HOSTVARS, GROUPS, NETS), EXAMPLE, '# managed')
    assert text.startswith('# managed\n[control]\nctl1 api_interface=ens21')
    assert 'control01' not in text
    assert '[keystone:children]\ncontrol\n' in text


def test_a_plan_with_errors_is_refused():
    with pytest.raises(AnsibleFilterError, match='internal_vip'):
        kolla_inventory(kolla_plan(dict(BASE, internal_vip=''), HOSTVARS, GROUPS, NETS), EXAMPLE)

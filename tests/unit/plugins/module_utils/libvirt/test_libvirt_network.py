# -*- coding: utf-8 -*-
# Copyright: strata.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from ansible_collections.strata.cloud.plugins.module_utils.libvirt import network as nw
from ansible_collections.strata.cloud.plugins.module_utils.libvirt.errors import LibvirtValidationError


def params(**over):
    result = {'name': 'lab', 'mode': 'isolated', 'bridge': None, 'cidr': None, 'address': None, 'dhcp': None,
              'mtu': None}
    result.update(over)
    return result


@pytest.mark.parametrize('over, message', [
    ({'mode': 'bridge'}, 'bridge is required when mode is bridge'),
    ({'mode': 'bridge', 'bridge': 'br0', 'address': '10.0.0.1', 'cidr': '10.0.0.0/24'},
     'cidr is not supported with mode bridge'),
    ({'mode': 'nat'}, 'address (and cidr) is required when mode is nat'),
    ({'bridge': 'a-bridge-name-too-long'}, "bridge: 'a-bridge-name-too-long' is not a valid Linux bridge name"),
    ({'address': '10.0.0.1'}, 'address needs cidr'),
    ({'cidr': '10.0.0.0/33'}, "cidr: '10.0.0.0/33' is not a network address"),
    ({'cidr': '10.0.0.0/24', 'address': '10.0.1.1'}, 'address: 10.0.1.1 is not inside cidr 10.0.0.0/24'),
    ({'cidr': '10.0.0.0/24', 'address': '10.0.0.0'}, 'address: 10.0.0.0 is the network or broadcast address'),
    ({'cidr': '10.0.0.0/24', 'dhcp': {'start': '10.0.0.2', 'end': '10.0.0.9'}}, 'dhcp needs address and cidr'),
    ({'cidr': '10.0.0.0/24', 'address': '10.0.0.1', 'dhcp': {'start': '10.0.0.20', 'end': '10.0.0.9'}},
     'dhcp: start 10.0.0.20 is after end 10.0.0.9'),
    ({'cidr': '10.0.0.0/24', 'address': '10.0.0.1', 'dhcp': {'start': '10.0.0.1', 'end': '10.0.0.9'}},
     'dhcp: the range 10.0.0.1-10.0.0.9 contains the host address 10.0.0.1'),
    ({'cidr': '10.0.0.0/24', 'address': '10.0.0.1', 'dhcp': {'start': '10.0.9.1', 'end': '10.0.9.9'}},
     'dhcp.start: 10.0.9.1 is not inside cidr 10.0.0.0/24'),
    ({'mtu': 20}, 'mtu must be between 68 and 65535, got 20'),
])
def test_validation(over, message):
    with pytest.raises(LibvirtValidationError) as err:
        nw.validate_network_params(params(**over))
    assert message in str(err.value)


@pytest.mark.parametrize('over', [
    {},
    {'bridge': 'lab0', 'mtu': 9000},
    {'mode': 'nat', 'cidr': '10.0.0.0/24', 'address': '10.0.0.1', 'dhcp': {'start': '10.0.0.100', 'end': '10.0.0.200'}},
    {'mode': 'isolated', 'cidr': 'fd00:1::/64', 'address': 'fd00:1::1'},
    {'mode': 'bridge', 'bridge': 'br0'},
])
def test_round_trip(over):
    desired = nw.validate_network_params(params(**over))
    parsed = nw.parse_network_xml(nw.build_network_xml(desired))
    assert nw.network_config_view(parsed, desired) == nw.network_config_view(desired, desired)


def test_isolated_without_address_has_no_ip_and_no_forward():
    root = ET.fromstring(nw.build_network_xml(nw.validate_network_params(params(bridge='lab0'))))
    assert root.find('ip') is None
    assert root.find('forward') is None
    assert root.find('bridge').get('name') == 'lab0'


def test_bridge_name_chosen_by_libvirt_is_not_a_difference():
    desired = nw.validate_network_params(params())
    actual = nw.parse_network_xml("<network><name>lab</name><bridge name='virbr3' stp='on' delay='0'/></network>")
    assert nw.network_config_view(actual, desired) == nw.network_config_view(desired, desired)
    pinned = nw.validate_network_params(params(bridge='lab0'))
    assert nw.network_config_view(actual, pinned) != nw.network_config_view(pinned, pinned)


def test_netmask_and_view():
    model = nw.parse_network_xml("<network><name>n</name><forward mode='nat'/><bridge name='virbr0'/>"
                                 "<ip address='192.0.2.1' netmask='255.255.255.0'/></network>")
    assert model['ip']['prefix'] == 24
    view = nw.network_view(model, True, False)
    assert view['cidr'] == '192.0.2.0/24'
    assert view['address'] == '192.0.2.1'
    assert view['mode'] == 'nat'

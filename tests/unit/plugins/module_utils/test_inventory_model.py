# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

import pytest

from ansible_collections.strata.cloud.plugins.module_utils.inventory_model import model_errors

GOOD_NETS = {
    'api': {'cidr': '10.90.0.0/24', 'mtu': 1500, 'gateway': '10.90.0.1', 'segment': 'lab'},
    'storage': {'cidr': '10.90.1.0/24', 'vlan': 11, 'segment': 'lab'},
}
GOOD_HOSTS = {
    'h1': {'strata_interfaces': {'api': {'device': 'ens4', 'address': '10.90.0.11'},
                                 'storage': {'device': 'ens4', 'address': '10.90.1.11'}},
           'strata_disks': [{'name': 'data1', 'size': '8G', 'device': '/dev/vdb'}]},
    'h2': {'strata_interfaces': {'api': {'device': 'ens4', 'address': '10.90.0.12'}}},
}


def test_consistent_model_has_no_errors():
    assert model_errors(GOOD_NETS, GOOD_HOSTS) == []


def test_empty_model_is_fine():
    assert model_errors(None, {}) == []


@pytest.mark.parametrize('nets, hosts, expected', [
    ({'api': {'cidr': '10.90.0.0/33'}}, {}, 'strata_networks.api.cidr'),
    ({'api': {'cidr': '10.90.0.5/24'}}, {}, 'use the network address'),
    ({'api': {}}, {}, 'strata_networks.api.cidr: missing'),
    ({'api': {'cidr': '10.90.0.0/24', 'vlan': 4095}}, {}, 'strata_networks.api.vlan: 4095 is out of range'),
    ({'api': {'cidr': '10.90.0.0/24', 'vlan': 0}}, {}, 'strata_networks.api.vlan'),
    ({'api': {'cidr': '10.90.0.0/24', 'mtu': 100000}}, {}, 'strata_networks.api.mtu'),
    ({'api': {'cidr': '10.90.0.0/24', 'gateway': '10.91.0.1'}}, {}, 'strata_networks.api.gateway'),
    ({'api': {'cidr': '10.90.0.0/24', 'colour': 'red'}}, {}, 'unknown keys colour'),
    ({'Bad-Name': {'cidr': '10.90.0.0/24'}}, {}, 'network name'),
    ({'a': {'cidr': '10.90.0.0/16'}, 'b': {'cidr': '10.90.4.0/24'}}, {}, 'strata_networks.b.cidr: 10.90.4.0/24 overlaps strata_networks.a.cidr'),
    (GOOD_NETS, {'h': {'strata_interfaces': {'nope': {'device': 'ens4'}}}}, "hostvars[h].strata_interfaces.nope: network 'nope' is not defined"),
    (GOOD_NETS, {'h': {'strata_interfaces': {'api': {'address': '10.99.0.1'}}}},
     'hostvars[h].strata_interfaces.api.address: 10.99.0.1 is not a usable host address'),
    (GOOD_NETS, {'h': {'strata_interfaces': {'api': {'address': '10.90.0.0'}}}}, 'not a usable host address'),
    (GOOD_NETS, {'h': {'strata_interfaces': {'api': {'address': '10.90.0.1/24'}}}}, 'is not an IP address'),
    (GOOD_NETS, {'h': {'strata_interfaces': {'api': {'device': 'an-interface-name-too-long'}}}}, 'strata_interfaces.api.device'),
    (GOOD_NETS, {'a': {'strata_interfaces': {'api': {'address': '10.90.0.9'}}},
                 'b': {'strata_interfaces': {'api': {'address': '10.90.0.9'}}}}, 'already assigned to host a'),
    (GOOD_NETS, {'h': {'strata_disks': [{'name': 'd', 'size': '8G'}, {'name': 'd', 'size': '8G'}]}}, "strata_disks[1].name: 'd' is used twice"),
    (GOOD_NETS, {'h': {'strata_disks': [{'name': 'd', 'size': 'huge'}]}}, 'strata_disks[0].size'),
    (GOOD_NETS, {'h': {'strata_disks': [{'name': 'd', 'device': 'sdb'}]}}, 'strata_disks[0].device'),
    (GOOD_NETS, {'h': {'strata_disks': {'name': 'd'}}}, 'must be a list'),
])
def test_contradictions_are_named(nets, hosts, expected):
    errors = model_errors(nets, hosts)
    assert errors, 'expected an error containing %r' % expected
    assert any(expected in e for e in errors), errors


def test_all_errors_reported_at_once():
    nets = {'a': {'cidr': 'x'}, 'b': {'cidr': '10.0.0.0/8', 'vlan': 5000}}
    errors = model_errors(nets, {'h': {'strata_disks': [{'name': 'd', 'size': '1X'}]}})
    assert len(errors) == 3


def test_same_device_on_different_vlans_is_allowed():
    hosts = {'h': {'strata_interfaces': {'api': {'device': 'ens4'}, 'storage': {'device': 'ens4'}}}}
    assert model_errors(GOOD_NETS, hosts) == []


def test_same_untagged_device_twice_is_an_error():
    nets = {'a': {'cidr': '10.0.0.0/24'}, 'b': {'cidr': '10.0.1.0/24'}}
    hosts = {'h': {'strata_interfaces': {'a': {'device': 'ens4'}, 'b': {'device': 'ens4'}}}}
    errors = model_errors(nets, hosts)
    assert any('already used by network' in e for e in errors), errors


@pytest.mark.parametrize('routes, expected', [
    ('10.0.0.0/8', 'strata_networks.api.routes: must be a list of {to, via}'),
    ([{'to': '10.20.0.0/16'}], 'strata_networks.api.routes[0]:'),
    ([{'to': '10.20.0.1/16', 'via': '10.90.0.1'}], "strata_networks.api.routes[0].to: '10.20.0.1/16' is not a network"),
    ([{'to': '10.20.0.0/16', 'via': 'gw'}], "strata_networks.api.routes[0].via: 'gw' is not an IP address"),
    ([{'to': '10.20.0.0/16', 'via': '10.91.0.1'}], 'strata_networks.api.routes[0].via: 10.91.0.1 is not inside 10.90.0.0/24'),
])
def test_route_errors(routes, expected):
    errors = model_errors({'api': {'cidr': '10.90.0.0/24', 'routes': routes}}, {})
    assert any(expected in e for e in errors), errors


def test_good_routes():
    assert model_errors({'api': {'cidr': '10.90.0.0/24', 'routes': [{'to': '10.20.0.0/16', 'via': '10.90.0.1'}]}}, {}) == []

# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

import pytest

from ansible_collections.strata.cloud.plugins.module_utils.network_plan import plan

NETS = {
    'api': {'cidr': '10.93.0.0/24', 'mtu': 1500, 'gateway': '10.93.0.1',
            'routes': [{'to': '10.93.200.0/24', 'via': '10.93.0.1'}]},
    'blue': {'cidr': '10.93.1.0/24', 'vlan': 21, 'mtu': 9000},
    'green': {'cidr': '10.93.3.0/24', 'vlan': 31, 'mtu': 1400},
    'plain': {'cidr': '10.93.5.0/24'},
}
DEVICES = ['lo', 'ens20', 'ens21', 'ens22', 'ens23']
BONDS = {'bond0': {'members': ['ens21', 'ens22'], 'mode': 'active-backup'}}
BRIDGES = {'br0': {'type': 'linux', 'ports': ['bond0']}, 'br-ovs': {'type': 'ovs', 'ports': ['ens23']}}
IFACES = {'api': {'device': 'br0', 'address': '10.93.0.11'},
          'blue': {'device': 'br0', 'address': '10.93.1.11'},
          'green': {'device': 'br-ovs', 'address': '10.93.3.11'}}


def stanzas(result):
    return {s['name']: s for s in result['stanzas']}


def opts(stanza):
    return dict((k, v) for k, v in stanza['options'] if k not in ('post-up', 'pre-down'))


def test_full_host_plan():
    result = plan('h1', NETS, IFACES, BONDS, BRIDGES, DEVICES, default_route_network='api')
    assert result['errors'] == []
    st = stanzas(result)
    assert [s['name'] for s in result['stanzas']] == ['ens21', 'ens22', 'ens23', 'bond0', 'br-ovs', 'br0',
                                                      'br0.21', 'vlan31']
    assert opts(st['bond0'])['bond-slaves'] == 'ens21 ens22'
    assert opts(st['bond0'])['bond-mode'] == 'active-backup'
    assert opts(st['bond0'])['bond-miimon'] == '100'
    assert opts(st['br0'])['bridge-ports'] == 'bond0'
    assert st['br0']['addresses'] == ['10.93.0.11/24'] and st['br0']['method'] == 'static'
    assert opts(st['br0'])['gateway'] == '10.93.0.1'
    assert ['post-up', 'ip route replace 10.93.200.0/24 via 10.93.0.1 dev br0'] in st['br0']['options']
    assert opts(st['br0.21']) == {'vlan-raw-device': 'br0', 'vlan-id': '21', 'mtu': '9000'}
    # MTU flows down: br0 carries a 9000 VLAN, so bond0 and both members are 9000 (the bridge
    # itself takes the MTU of its ports).
    for name in ('bond0', 'ens21', 'ens22'):
        assert opts(st[name])['mtu'] == '9000', name
    assert 'mtu' not in opts(st['br0'])
    assert opts(st['vlan31']) == {'ovs-type': 'OVSIntPort', 'ovs-bridge': 'br-ovs', 'ovs-options': 'tag=31',
                                  'ovs-mtu': '1400'}
    assert opts(st['br-ovs'])['ovs-ports'] == 'ens23 vlan31'
    assert opts(st['ens23']) == {'ovs-type': 'OVSPort', 'ovs-bridge': 'br-ovs'}
    assert st['ens21']['method'] == 'manual' and st['ens21']['addresses'] == []
    assert result['ovs'] is True and result['bonding'] is True
    assert 'ens20' not in result['managed']
    assert result['physical'] == ['ens21', 'ens22', 'ens23']


def test_plain_device_with_vlan_and_untagged():
    result = plan('h1', NETS, {'plain': {'device': 'ens21', 'address': '10.93.5.2'},
                               'green': {'device': 'ens21', 'address': '10.93.3.2'}}, devices=DEVICES)
    assert result['errors'] == []
    st = stanzas(result)
    assert st['ens21']['addresses'] == ['10.93.5.2/24']
    assert opts(st['ens21'])['mtu'] == '1400'
    assert opts(st['ens21.31'])['vlan-raw-device'] == 'ens21'
    assert result['ovs'] is False and result['bonding'] is False


def test_network_without_address_is_a_manual_stanza():
    result = plan('h1', NETS, {'plain': {'device': 'ens22'}}, devices=DEVICES)
    assert stanzas(result)['ens22']['method'] == 'manual'


def test_lacp_bond_defaults():
    result = plan('h1', NETS, {}, {'bond1': {'members': ['ens21', 'ens22'], 'mode': '802.3ad',
                                             'options': {'miimon': 50}}}, {}, DEVICES)
    o = opts(stanzas(result)['bond1'])
    assert o['bond-miimon'] == '50' and o['bond-lacp-rate'] == 'fast' and o['bond-xmit-hash-policy'] == 'layer3+4'


def test_no_existence_checks_without_devices():
    assert plan('h1', NETS, {'plain': {'device': 'eno9', 'address': '10.93.5.2'}})['errors'] == []


@pytest.mark.parametrize('bonds, bridges, ifaces, kwargs, expected', [
    ({}, {}, {'plain': {'device': 'ens99', 'address': '10.93.5.2'}}, {},
     "hostvars[h1].strata_interfaces.plain.device: 'ens99' is not a network device of h1"),
    ({'bond0': {'members': ['ens21', 'ens29']}}, {}, {}, {},
     "hostvars[h1].strata_bonds.bond0.members: 'ens29' is not a network device of h1"),
    ({'bond0': {'members': ['ens21'], 'mode': 'lacp'}}, {}, {}, {},
     "hostvars[h1].strata_bonds.bond0.mode: 'lacp' is not a bonding mode"),
    ({'bond0': {'members': []}}, {}, {}, {}, 'hostvars[h1].strata_bonds.bond0.members: [] must be a non-empty list'),
    ({'bond0': {'members': ['ens21'], 'speed': 1}}, {}, {}, {}, 'hostvars[h1].strata_bonds.bond0: unknown keys speed'),
    ({'bond0': {'members': ['ens21']}, 'bond1': {'members': ['ens21']}}, {}, {}, {},
     'hostvars[h1].strata_bonds.bond1.members: ens21 is already used by strata_bonds.bond0.members'),
    ({'bond0': {'members': ['ens21'], 'mtu': 20000}}, {}, {}, {}, 'hostvars[h1].strata_bonds.bond0.mtu: 20000 is out of range'),
    ({}, {'br0': {'type': 'macvlan'}}, {}, {}, "hostvars[h1].strata_bridges.br0.type: 'macvlan' is not a bridge type"),
    ({}, {'br0': {'ports': ['ens21']}, 'br1': {'ports': ['ens21']}}, {}, {},
     'hostvars[h1].strata_bridges.br1.ports: ens21 is already used by strata_bridges.br0.ports'),
    ({}, {'br0': {'ports': ['ens21']}}, {'plain': {'device': 'ens21', 'address': '10.93.5.2'}}, {},
     'hostvars[h1].strata_interfaces.plain.device: ens21 is a member/port of strata_bridges.br0.ports; put the network on br0'),
    ({'bond0': {'members': ['ens21']}}, {'br-ovs': {'type': 'ovs', 'ports': ['bond0']}}, {}, {},
     'hostvars[h1].strata_bridges.br-ovs.ports: bond0 is a Linux bond'),
    ({}, {'br-a': {'type': 'ovs', 'ports': ['ens21']}, 'br-b': {'type': 'ovs', 'ports': ['ens22']}},
     {'green': {'device': 'br-a', 'address': '10.93.3.2'}, 'blue': {'device': 'br-b', 'address': '10.93.1.2'}}, {}, None),
    ({}, {'averyveryverylong': {'ports': []}}, {}, {}, "hostvars[h1].strata_bridges.averyveryverylong: 'averyveryverylong' is not a valid interface name"),
    ({}, {'br-fourteen-12': {'ports': []}}, {'blue': {'device': 'br-fourteen-12', 'address': '10.93.1.2'}}, {},
     'the VLAN interface name br-fourteen-12.21 is longer than 15 characters'),
    ({}, {}, {'plain': {'device': 'ens21', 'address': '10.93.5.2'}}, {'default_route_network': 'plain'},
     "network_default_route_network: 'plain' has no gateway"),
    ({}, {}, {'plain': {'device': 'ens21', 'address': '10.93.5.2'}}, {'default_route_network': 'api'},
     "network_default_route_network: 'api' is not one of the networks of h1"),
    ({}, {}, {'plain': {'address': '10.93.5.2'}}, {}, 'hostvars[h1].strata_interfaces.plain.device: missing'),
])
def test_errors_name_the_field(bonds, bridges, ifaces, kwargs, expected):
    result = plan('h1', NETS, ifaces, bonds, bridges, DEVICES, **kwargs)
    if expected is None:
        assert result['errors'] == []
    else:
        assert any(expected in e for e in result['errors']), result['errors']


def test_same_vlan_on_two_ovs_bridges():
    nets = dict(NETS, green2={'cidr': '10.93.6.0/24', 'vlan': 31})
    result = plan('h1', nets, {'green': {'device': 'br-a', 'address': '10.93.3.2'},
                               'green2': {'device': 'br-b', 'address': '10.93.6.2'}}, {},
                  {'br-a': {'type': 'ovs', 'ports': ['ens21']}, 'br-b': {'type': 'ovs', 'ports': ['ens22']}}, DEVICES)
    assert any('VLAN 31 is already carried by Open vSwitch bridge br-a' in e for e in result['errors']), result['errors']


@pytest.mark.parametrize('value, expected', [
    ('bonds', 'hostvars[h1].strata_bonds: must be a mapping'),
    ('bridges', 'hostvars[h1].strata_bridges: must be a mapping'),
    ('interfaces', 'hostvars[h1].strata_interfaces: must be a mapping'),
])
def test_wrong_types(value, expected):
    args = {'interfaces': {}, 'bonds': {}, 'bridges': {}}
    args[value] = ['nope']
    result = plan('h1', NETS, args['interfaces'], args['bonds'], args['bridges'], DEVICES)
    assert any(expected in e for e in result['errors']), result['errors']

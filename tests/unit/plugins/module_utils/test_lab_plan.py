# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

import re

import pytest

from ansible_collections.strata.cloud.plugins.module_utils.lab_plan import (
    LabPlanError, derive_mac, plan, segment_bridge_name, segments_of,
)

NETS = {
    'api': {'cidr': '10.90.0.0/24', 'mtu': 1500, 'segment': 'lab'},
    'storage': {'cidr': '10.90.1.0/24', 'vlan': 11, 'segment': 'lab'},
    'provider': {'cidr': '10.90.3.0/24', 'mtu': 9000, 'segment': 'ext'},
    'unmapped': {'cidr': '10.90.9.0/24'},
}
HV = {
    'lab1': {'strata_interfaces': {'api': {'address': '10.90.0.11'}, 'storage': {'address': '10.90.1.11'},
                                   'provider': {'address': '10.90.3.11'}, 'unmapped': {'address': '10.90.9.1'}},
             'strata_disks': [{'name': 'data1', 'size': '8G'}], 'lab_vm': {'memory': 4096}},
    'lab2': {'strata_interfaces': {'api': {'address': '10.90.0.12'}}},
}


def test_plan_shapes_vms():
    vms = plan(['lab1', 'lab2'], HV, NETS, 'lab', 2220, {'vcpus': 2, 'memory': 2048})
    one, two = vms
    assert one['domain'] == 'lab-lab1' and one['ssh_port'] == 2221 and two['ssh_port'] == 2222
    assert one['memory'] == 4096 and two['memory'] == 2048
    assert one['segments'] == ['lab', 'ext']
    user = one['nics'][0]
    assert user['type'] == 'user'
    assert user['port_forwards'] == [{'host_address': '127.0.0.1', 'host_port': 2221, 'guest_port': 22}]
    assert [n['source'] for n in one['nics'][1:]] == ['lab-lab', 'lab-ext']
    eth = one['network_config']['ethernets']
    # untagged addresses only; the VLAN network is left to the network role
    assert eth['seg0']['addresses'] == ['10.90.0.11/24']
    assert eth['seg1']['addresses'] == ['10.90.3.11/24'] and eth['seg1']['mtu'] == 9000
    assert eth['mgmt'] == {'match': {'macaddress': user['mac']}, 'dhcp4': True}
    assert one['disks'] == [{'name': 'data1', 'size': '8G'}]
    assert segments_of(vms) == ['lab', 'ext']


def test_plan_is_stable_and_macs_differ():
    first = plan(['lab1', 'lab2'], HV, NETS, 'lab')
    again = plan(['lab1', 'lab2'], HV, NETS, 'lab')
    assert first == again
    macs = [n['mac'] for vm in first for n in vm['nics']]
    assert len(macs) == len(set(macs))
    assert all(re.match(r'^52:54:00(:[0-9a-f]{2}){3}$', m) for m in macs)
    assert derive_mac('a', 'b') != derive_mac('a', 'c')


def test_bridge_names_fit_the_kernel_limit():
    assert len(segment_bridge_name('a-very-long-lab-name-indeed', 'segment-with-long-name')) <= 15


@pytest.mark.parametrize('hv, message', [
    ({'a': {'lab_vm': {'ssh_port': 80}}}, 'hostvars[a].lab_vm.ssh_port: 80 must be an integer from 1024'),
    ({'a': {'lab_vm': {'ssh_port': 2300}}, 'b': {'lab_vm': {'ssh_port': 2300}}}, 'hostvars[b].lab_vm.ssh_port: 2300 is already used by a'),
])
def test_plan_rejects_bad_ports(hv, message):
    with pytest.raises(LabPlanError) as exc:
        plan(sorted(hv), hv, {}, 'lab')
    assert message in str(exc.value)


def test_explicit_segments_may_repeat_for_bond_members():
    hv = {'h1': {'lab_vm': {'segments': ['trunk', 'trunk', 'ovs'], 'addresses': False},
                 'strata_interfaces': {'api': {'address': '10.90.0.11'}}}}
    nets = {'api': {'cidr': '10.90.0.0/24', 'segment': 'trunk'}}
    (vm,) = plan(['h1'], hv, nets, 'lab', 2220)
    sources = [nic.get('source') for nic in vm['nics'][1:]]
    assert sources == ['lab-trunk', 'lab-trunk', 'lab-ovs']
    macs = [nic['mac'] for nic in vm['nics']]
    assert len(set(macs)) == len(macs)
    assert all('addresses' not in eth for eth in vm['network_config']['ethernets'].values())
    assert segments_of([vm]) == ['trunk', 'ovs']

"""Checks of the hosts converged by strata.cloud.network (scenario network).

Run once per scenario (not per host): the checks are about traffic between the three VMs.
"""

import os
import re
import subprocess
import time

import pytest
import testinfra

LAB = 'molecule-network'
SSH_CONFIG = os.path.expanduser('~/.cache/strata-cloud/lab/%s/ssh_config' % LAB)
VIRSH = ['virsh', '-c', 'qemu:///system']


@pytest.fixture(scope='module')
def hosts():
    return {name: testinfra.get_host('ssh://%s' % name, ssh_config=SSH_CONFIG, sudo=True)
            for name in ('net1', 'net2', 'net3')}


def ping(host, address, count=2, iface=None):
    cmd = 'ping -c %d -W 2 -q' % count
    if iface:
        cmd += ' -I %s' % iface
    return host.run('%s %s' % (cmd, address))


def bonding(host):
    return host.file('/proc/net/bonding/bond0').content_string


def test_bond_active_backup_with_two_members(hosts):
    for name, host in hosts.items():
        state = bonding(host)
        assert 'Bonding Mode: fault-tolerance (active-backup)' in state, name
        assert state.count('MII Status: up') == 3, (name, state)    # the bond and both members
        assert host.interface('bond0').exists
        assert host.file('/sys/class/net/br0/brif/bond0').exists, name


def test_untagged_network_on_the_bridge(hosts):
    for name, host in hosts.items():
        addresses = host.interface('br0').addresses
        index = name[-1]
        assert '10.93.0.1%s' % index in addresses, (name, addresses)
    for src in hosts.values():
        for dst in ('10.93.0.11', '10.93.0.12', '10.93.0.13'):
            result = ping(src, dst)
            assert result.rc == 0, result.stdout + result.stderr


def test_network_route(hosts):
    for host in hosts.values():
        route = host.check_output('ip route show 10.93.200.0/24')
        assert 'via 10.93.0.1 dev br0' in route


def test_same_vlan_reaches_each_other(hosts):
    result = ping(hosts['net1'], '10.93.1.12')
    assert result.rc == 0, result.stdout + result.stderr
    result = hosts['net1'].run('arping -c 2 -w 4 -I br0.21 10.93.1.12')
    assert result.rc == 0 and 'Unicast reply' in result.stdout, result.stdout


def test_different_vlans_do_not(hosts):
    # net3 is on VLAN 22 only: an ARP request for net1's VLAN 21 address, sent tagged 22 on the
    # same wire, gets no answer (while the same request on VLAN 21 from net2 does).
    result = hosts['net3'].run('arping -c 3 -w 4 -I br0.22 10.93.1.11')
    assert result.rc != 0 and 'Unicast reply' not in result.stdout, result.stdout
    result = hosts['net2'].run('arping -c 2 -w 4 -I br0.21 10.93.1.11')
    assert result.rc == 0, result.stdout
    assert not hosts['net1'].interface('br0.22').exists
    assert ping(hosts['net3'], '10.93.1.11', count=1).rc != 0


def test_ovs_bridge_carries_tagged_traffic(hosts):
    for name in ('net1', 'net2'):
        host = hosts[name]
        assert host.check_output('ovs-vsctl get port vlan31 tag') == '31'
        ports = host.check_output('ovs-vsctl list-ports br-ovs').split()
        assert sorted(ports) == ['ens23', 'vlan31'], ports
        assert host.file('/sys/class/net/vlan31/mtu').content_string.strip() == '1400'
    # net3 has no Open vSwitch: its ens23.31 only accepts frames tagged 31.
    assert not hosts['net3'].interface('br-ovs').exists
    assert hosts['net3'].file('/sys/class/net/ens23.31/mtu').content_string.strip() == '1400'
    for src, dst in (('net1', '10.93.3.13'), ('net3', '10.93.3.12'), ('net2', '10.93.3.11')):
        result = ping(hosts[src], dst)
        assert result.rc == 0, (src, dst, result.stdout + result.stderr)


def _first_trunk_mac(domain):
    # The first NIC on the trunk segment is ens21, the bond's first member.
    out = subprocess.run(VIRSH + ['domiflist', domain], check=True, capture_output=True, text=True).stdout
    nets = [line.split() for line in out.splitlines() if '%s-trunk' % LAB in line]
    assert len(nets) == 2, out
    return nets[0][-1]


def test_bond_survives_a_cut_member_link(hosts):
    host = hosts['net1']
    domain = '%s-net1' % LAB
    mac = _first_trunk_mac(domain)
    subprocess.run(VIRSH + ['domif-setlink', domain, mac, 'down'], check=True, capture_output=True)
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            state = bonding(host)
            if re.search(r'Currently Active Slave: ens22', state) and \
                    re.search(r'Slave Interface: ens21\nMII Status: down', state):
                break
            time.sleep(1)
        else:
            pytest.fail('bond0 did not fail over to ens22:\n%s' % bonding(host))
        result = ping(host, '10.93.0.12', count=5)
        assert result.rc == 0 and ' 0% packet loss' in result.stdout, result.stdout
        result = ping(host, '10.93.1.12', count=3)
        assert result.rc == 0, result.stdout
    finally:
        subprocess.run(VIRSH + ['domif-setlink', domain, mac, 'up'], check=True, capture_output=True)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and bonding(host).count('MII Status: up') != 3:
        time.sleep(1)
    assert bonding(host).count('MII Status: up') == 3


def test_devices_handed_over_from_networkd(hosts):
    for host in hosts.values():
        conf = host.file('/etc/systemd/network/05-strata-unmanaged.network').content_string
        assert 'Unmanaged=yes' in conf
        assert 'ens20' not in conf
        status = host.check_output('networkctl list --no-legend')
        assert re.search(r'ens20\s+ether\s+routable\s+configured', status), status
        assert re.search(r'br0\s+bridge\s+\S+\s+unmanaged', status), status

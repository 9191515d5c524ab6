# -*- coding: utf-8 -*-
# Copyright: strata.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""strata.cloud.proxmox_network against the simulator: staged changes, the reload task, pending changes, faults."""

from __future__ import annotations

from conftest import play

IFACES = [
    {'name': 'vmbr1.30', 'type': 'vlan', 'cidr': '10.0.30.11/24', 'mtu': 9000, 'comments': 'ceph public'},
    {'name': 'vmbr1', 'type': 'bridge', 'ports': ['bond0'], 'vlan_aware': True, 'vids': '2-4094', 'mtu': 9000},
    {'name': 'bond0', 'type': 'bond', 'slaves': ['eno3', 'eno2'], 'bond_mode': '802.3ad', 'hash_policy': 'layer3+4', 'mtu': 9000},
]


def task(name, interfaces, node='pve1', **opts):
    return {'name': name, 'strata.cloud.proxmox_network': dict({'node': node, 'interfaces': interfaces}, **opts),
            'ignore_errors': True}


def test_network_lifecycle(tmp_path, sim):
    run = play(tmp_path, sim, [dict(task('check', IFACES), check_mode=True, diff=True), task('apply', IFACES), task('again', IFACES)])
    check, apply, again = run['check'], run['apply'], run['again']
    assert check['changed'] and check['applied'] and check['pending'] == '', check
    assert [i['name'] for i in check['interfaces']] == ['bond0', 'vmbr1', 'vmbr1.30']     # dependency order
    assert check['diff']['after']['bond0']['slaves'] == 'eno2 eno3'
    assert apply['changed'] and apply['applied'] and not apply.get('failed'), apply
    assert '+iface bond0 inet manual' in apply['pending'] and '+\taddress 10.0.30.11/24' in apply['pending'], apply['pending']
    assert apply['pending_before'] == '' and apply['reverted'] is False
    active = sim.cluster.network['pve1']
    assert sim.cluster.network_staged['pve1'] is None
    assert active['bond0']['bond_mode'] == '802.3ad' and active['vmbr1']['bridge_ports'] == 'bond0'
    assert active['vmbr1.30']['address'] == '10.0.30.11' and active['vmbr1.30']['mtu'] == '9000'
    assert again['changed'] is False and again['applied'] is False and again['api_requests'] == 1, again
    assert sim.requests[('PUT', '/nodes/{node}/network')] == 1

    # Staged only, then a later run applies what was pending (and says so); then removal.
    staged = [{'name': 'vmbr2', 'type': 'bridge', 'ports': ['eno4']}]
    run = play(tmp_path, sim, [task('stage', staged, apply=False), task('later', staged),
                               task('remove', [{'name': 'vmbr1.30', 'state': 'absent'}, {'name': 'vmbr2', 'state': 'absent'}])])
    assert run['stage']['changed'] and run['stage']['applied'] is False and '+iface vmbr2' in run['stage']['pending']
    later = run['later']
    assert later['applied'] and later['changed'] and '+iface vmbr2' in later['pending_before'], later
    assert [i['action'] for i in later['interfaces']] == ['none']
    assert any('staged before this task' in w for w in later.get('warnings', [])), later
    assert [i['action'] for i in run['remove']['interfaces']] == ['delete', 'delete']
    assert 'vmbr2' not in sim.cluster.network['pve1'] and 'vmbr1.30' not in sim.cluster.network['pve1']


def test_network_faults_then_rerun_converges(tmp_path, sim):
    sim.fault('task', task_type='srvreload', message='ifreload -a failed: error: bond0: bond slave eno3 is down')
    sim.set_node_online('pve2', False)
    foreign = [{'name': 'vmbr9', 'type': 'bridge', 'ports': ['eno4']}]
    run = play(tmp_path, sim, [task('reload-fails', IFACES), task('offline', IFACES, node='pve2'),
                               task('bad-port', [{'name': 'vmbr5', 'type': 'bridge', 'ports': ['eno9']}], node='pve3'),
                               task('foreign', foreign, node='pve3', apply=False),
                               task('refuse', IFACES, node='pve3', existing_pending='fail')])
    failed = run['reload-fails']
    assert failed['failed'] and 'ifreload -a failed: error: bond0: bond slave eno3 is down' in failed['msg'], failed
    assert failed['exitstatus'].startswith('ifreload -a failed') and failed['task_log'][-1].startswith('TASK ERROR')
    assert 'bond0' not in sim.cluster.network['pve1'] and 'bond0' in sim.cluster.network_staged['pve1']
    assert run['offline']['failed'] and '595 No route to host' in run['offline']['msg'], run['offline']
    assert run['bad-port']['failed'] and "interface 'eno9' does not exist" in run['bad-port']['msg']
    refuse = run['refuse']
    assert refuse['failed'] and 'existing_pending=fail' in refuse['msg'] and '+iface vmbr9' in refuse['pending_before'], refuse
    sim.set_node_online('pve2', True)
    run = play(tmp_path, sim, [task('rerun', IFACES), task('offline-rerun', IFACES, node='pve2'),
                               task('revert', IFACES, node='pve3', existing_pending='revert'), task('again', IFACES)])
    rerun = run['rerun']
    assert rerun['applied'] and rerun['changed'] and '+iface bond0' in rerun['pending_before'], rerun
    assert 'bond0' in sim.cluster.network['pve1'] and sim.cluster.network_staged['pve1'] is None
    assert run['offline-rerun']['applied'] and 'bond0' in sim.cluster.network['pve2']
    assert run['revert']['reverted'] and 'vmbr9' not in sim.cluster.network['pve3'] and 'bond0' in sim.cluster.network['pve3']
    assert run['again']['changed'] is False

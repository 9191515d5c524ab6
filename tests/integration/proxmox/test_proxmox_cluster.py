# -*- coding: utf-8 -*-
# Copyright: strata.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""strata.cloud.proxmox_cluster and the proxmox_cluster role against standalone simulated nodes.

The nodes start as single Proxmox VE hosts in one Fabric (tests/proxmox_sim/corosync.py); the
module creates the cluster, joins the others one at a time, waits for quorum, adds and removes
nodes. Every request is checked against the official schema of the profile.
"""

from __future__ import annotations

import os
import subprocess

import pytest
import yaml
from conftest import PYTHON, ROOT, play
from proxmox_sim import Fabric

PASSWORD = 'Root-Pass-5f3e9c'
ADDRESSES = {'pve1': '10.20.0.11', 'pve2': '10.20.0.12', 'pve3': '10.20.0.13', 'pve4': '10.20.0.14'}


@pytest.fixture
def fabric(request):
    """Three standalone nodes (PVE 9.1 unless the test parametrises the profile)."""
    world = Fabric(settle=0.6)
    world.profile = getattr(request, 'param', '9.1')
    for node in ('pve1', 'pve2', 'pve3'):
        world.start_node(node, ADDRESSES[node], world.profile, root_password=PASSWORD)
    yield world
    world.stop()
    for sim in world.sims.values():
        assert not sim.violations, 'requests the schema rejects: %s' % sim.violations
        assert not sim.unimplemented, 'requests to endpoints the simulator lacks: %s' % sim.unimplemented
        assert not sim.internal_errors, sim.internal_errors


def node(world, name):
    sim = world.sims[name]
    last = ADDRESSES[name].rsplit('.', 1)[1]
    return {'node': name, 'api_host': '127.0.0.1', 'api_port': sim.port, 'ca_path': sim.ca_path,
            'links': [ADDRESSES[name], '10.21.0.%s' % last]}


def task(title, world, names, check_mode=False, diff=False, **args):
    spec = {'name': 'lab', 'nodes': [node(world, n) for n in names], 'quorum_timeout': 30, 'task_timeout': 30}
    spec.update(args)
    return {'name': title, 'strata.cloud.proxmox_cluster': spec, 'ignore_errors': True, 'check_mode': check_mode, 'diff': diff}


CONN = {'api_password': PASSWORD}


def members(world, name='pve1'):
    ring = world.membership(name)
    return sorted(ring.nodes) if ring else []


@pytest.mark.parametrize('fabric', ['8.4', '9.1'], indirect=True)
def test_create_join_rerun(tmp_path, fabric):
    names = ['pve1', 'pve2', 'pve3']
    run = play(tmp_path, None, [task('check', fabric, names, check_mode=True, diff=True), task('apply', fabric, names, diff=True),
                                task('again', fabric, names)], conn=CONN)
    check, apply, again = run['check'], run['apply'], run['again']
    assert check['changed'] and check['created'] and check['joined'] == ['pve2', 'pve3'], check
    assert check['diff'] == {'before': {'members': [], 'online': [], 'quorate': False},
                             'after': {'members': names, 'online': names, 'quorate': True}}
    assert apply['changed'] and not apply.get('failed'), apply
    assert apply['created'] and apply['joined'] == ['pve2', 'pve3'] and apply['anchor'] == 'pve1'
    assert apply['members'] == names and apply['online'] == names and apply['quorate'] is True
    ring = fabric.membership('pve3')
    assert ring is fabric.membership('pve1') and ring.name == 'lab' and ring.version == 3
    assert {n: (e['nodeid'], e['links']) for n, e in ring.nodes.items()} == {
        'pve1': (1, {0: '10.20.0.11', 1: '10.21.0.11'}), 'pve2': (2, {0: '10.20.0.12', 1: '10.21.0.12'}),
        'pve3': (3, {0: '10.20.0.13', 1: '10.21.0.13'})}
    # one login and one status per node, then create, its task, quorum, join info, two joins with task and quorum each
    joins = [e for s in fabric.sims.values() for e in s.log if e[1] == 'POST' and e[2] == '/cluster/config/join']
    assert len(joins) == 2
    assert again['changed'] is False and not again.get('failed') and again['joined'] == [] and again['created'] is False, again
    assert again['api_requests'] == 6 and again['members'] == names and again['quorate'] is True
    assert PASSWORD not in run.out


def test_add_then_remove_a_node(tmp_path, fabric):
    fabric.start_node('pve4', ADDRESSES['pve4'], fabric.profile, root_password=PASSWORD)
    run = play(tmp_path, None, [task('form', fabric, ['pve1', 'pve2', 'pve3']),
                                task('add', fabric, ['pve1', 'pve2', 'pve3', 'pve4'], diff=True),
                                task('online', fabric, ['pve1', 'pve2', 'pve4'], remove=['pve3'])], conn=CONN)
    assert run['form']['changed'] and run['add']['joined'] == ['pve4'] and not run['add']['created'], run['add']
    assert run['add']['diff']['before']['members'] == ['pve1', 'pve2', 'pve3'] and run['add']['members'] == ['pve1', 'pve2', 'pve3', 'pve4']
    assert run['online']['failed'] and 'remove: pve3 still online in cluster "lab"' in run['online']['msg'], run['online']
    assert members(fabric) == ['pve1', 'pve2', 'pve3', 'pve4']

    fabric.power('pve3', False)
    keep = ['pve1', 'pve2', 'pve4']
    run = play(tmp_path, None, [task('check', fabric, keep, remove=['pve3'], check_mode=True),
                                task('remove', fabric, keep, remove=['pve3']), task('again', fabric, keep, remove=['pve3'])], conn=CONN)
    assert run['check']['changed'] and run['check']['removed'] == ['pve3'] and run['check']['members'] == keep
    assert run['remove']['changed'] and run['remove']['removed'] == ['pve3'] and run['remove']['members'] == keep, run['remove']
    assert members(fabric) == keep and fabric.membership('pve1').quorate()
    assert run['again']['changed'] is False and run['again']['removed'] == []

    # the removed node comes back with its stale configuration: refused, not joined
    fabric.power('pve3', True)
    run = play(tmp_path, None, [task('stale', fabric, keep + ['pve3'])], conn=CONN)
    assert run['stale']['failed'] and 'pve3 still carries the configuration of cluster "lab"' in run['stale']['msg'], run['stale']
    assert members(fabric) == keep


def test_refusals_change_nothing(tmp_path, fabric):
    other = fabric.start_node('pve4', ADDRESSES['pve4'], fabric.profile, root_password=PASSWORD)
    run = play(tmp_path, None, [{'name': 'other', 'strata.cloud.proxmox_cluster': {
        'name': 'other', 'nodes': [node(fabric, 'pve4')], 'quorum_timeout': 30}}], conn=CONN)
    assert run['other']['changed'] and fabric.membership('pve4').name == 'other'
    wrong_name = dict(node(fabric, 'pve2'), node='pve9')
    run = play(tmp_path, None, [
        task('foreign', fabric, ['pve1', 'pve4']),
        {'name': 'misnamed', 'ignore_errors': True, 'strata.cloud.proxmox_cluster': {'name': 'lab', 'nodes': [node(fabric, 'pve1'), wrong_name]}},
        task('token user', fabric, ['pve1'], api_user='automation@pve'),
        task('bad name', fabric, ['pve1'], name='lab_1'),
        task('uneven links', fabric, ['pve1', 'pve2'], nodes=[node(fabric, 'pve1'), dict(node(fabric, 'pve2'), links=['10.20.0.12'])]),
    ], conn=CONN)
    assert run['foreign']['failed'] and 'nodes[1] (pve4) is a member of cluster "other", not "lab"' in run['foreign']['msg']
    assert run['misnamed']['failed'] and 'nodes[1].node: declared as pve9, but the API at 127.0.0.1:%d is node pve2' % fabric.sims['pve2'].port \
        in run['misnamed']['msg']
    assert run['token user']['failed'] and 'api_user: "automation@pve"; Proxmox VE lets only root@pam' in run['token user']['msg']
    assert run['bad name']['failed'] and 'name: "lab_1" must be 1-15 letters' in run['bad name']['msg']
    assert run['uneven links']['failed'] and 'every node needs the same number of corosync links (pve1: 2, pve2: 1)' in run['uneven links']['msg']
    assert 'api_requests' not in run['token user'] and members(fabric) == [] and other.cluster.corosync.name == 'other'


def test_join_failure_then_rerun_converges(tmp_path, fabric):
    message = 'unable to add node: corosync link 0 (10.20.0.12) does not reach 10.20.0.11'
    fabric.sims['pve2'].fault('task', task_type='clusterjoin', message=message, count=1)
    run = play(tmp_path, None, [task('form', fabric, ['pve1', 'pve2', 'pve3'])], conn=CONN)
    result = run['form']
    assert result['failed'] and result['exitstatus'] == message, result
    assert result['msg'].startswith('task UPID:pve2:') and 'TASK ERROR: ' + message in result['task_log'], result
    assert members(fabric) == ['pve1'] and fabric.membership('pve2') is None
    run = play(tmp_path, None, [task('rerun', fabric, ['pve1', 'pve2', 'pve3'])], conn=CONN)
    assert run['rerun']['changed'] and not run['rerun']['created'] and run['rerun']['joined'] == ['pve2', 'pve3'], run['rerun']
    assert members(fabric) == ['pve1', 'pve2', 'pve3']


def test_not_quorate_refuses_joins(tmp_path, fabric):
    run = play(tmp_path, None, [task('form', fabric, ['pve1', 'pve2', 'pve3'])], conn=CONN)
    assert run['form']['changed']
    fabric.power('pve2', False)
    fabric.power('pve3', False)
    fabric.start_node('pve4', ADDRESSES['pve4'], fabric.profile, root_password=PASSWORD)
    run = play(tmp_path, None, [task('add', fabric, ['pve1', 'pve2', 'pve3', 'pve4'])], conn=CONN)
    result = run['add']
    assert result['failed'] and 'cluster "lab" is not quorate (1 of 3 nodes online, seen from pve1)' in result['msg'], result
    assert members(fabric) == ['pve1', 'pve2', 'pve3']


def test_role_forms_the_cluster_and_reruns_unchanged(tmp_path, fabric):
    hosts = {}
    for name in ('pve1', 'pve2', 'pve3'):
        sim = fabric.sims[name]
        last = ADDRESSES[name].rsplit('.', 1)[1]
        hosts[name] = {'ansible_connection': 'local', 'ansible_python_interpreter': PYTHON,
                       'proxmox_cluster_api_host': '127.0.0.1', 'proxmox_cluster_api_port': sim.port,
                       'proxmox_cluster_ca_path': sim.ca_path,
                       'strata_interfaces': {'cluster': {'device': 'eno1', 'address': ADDRESSES[name]},
                                             'backup': {'device': 'eno2', 'address': '10.21.0.%s' % last}}}
    inventory = {'all': {'hosts': hosts, 'vars': {
        'strata_networks': {'cluster': {'cidr': '10.20.0.0/24'}, 'backup': {'cidr': '10.21.0.0/24'}},
        'proxmox_cluster_name': 'lab', 'proxmox_cluster_link0_network': 'cluster', 'proxmox_cluster_link1_network': 'backup',
        'proxmox_cluster_root_password': PASSWORD, 'proxmox_cluster_quorum_timeout': 30}}}
    (tmp_path / 'inventory.yml').write_text(yaml.safe_dump(inventory))
    (tmp_path / 'site.yml').write_text(yaml.safe_dump([{'hosts': 'all', 'gather_facts': False,
                                                        'roles': ['strata.cloud.proxmox_cluster']}]))
    env = dict(os.environ, ANSIBLE_NOCOLOR='1', ANSIBLE_LOCALHOST_WARNING='0')

    def converge(*extra):
        cmd = ['ansible-playbook', '-i', str(tmp_path / 'inventory.yml'), str(tmp_path / 'site.yml')] + list(extra)
        return subprocess.run(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=300,
                              check=False, env=env)

    first = converge('-vvv')
    assert first.returncode == 0, first.stdout[-4000:]
    assert members(fabric) == ['pve1', 'pve2', 'pve3'] and fabric.membership('pve1').nodes['pve3']['links'] == {
        0: '10.20.0.13', 1: '10.21.0.13'}
    assert PASSWORD not in first.stdout
    second = converge()
    assert second.returncode == 0 and 'changed=0' in second.stdout and 'changed=1' not in second.stdout, second.stdout[-3000:]

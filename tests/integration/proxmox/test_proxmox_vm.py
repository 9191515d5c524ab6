# -*- coding: utf-8 -*-
# Copyright: strata.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""strata.cloud.proxmox_vm against the simulator: check mode, apply, re-apply, changes, removal, faults."""

from __future__ import annotations

import time

import pytest

from conftest import connection, make_sim, play

KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGq7 admin@example.org'


def web(name, **extra):
    spec = {'name': name, 'clone': 'debian-13', 'cores': 2, 'memory': 2048, 'agent': True, 'tags': ['web', 'Prod'],
            'pool': 'web', 'disks': [{'slot': 'scsi0', 'size': '10G'}], 'nics': [{'bridge': 'vmbr0', 'vlan': 20}],
            'cloud_init': {'user': 'debian', 'password': 'Sup3r-s3cret!', 'ssh_keys': [KEY],
                           'ipconfig': [{'ip': 'dhcp'}]}}
    spec.update(extra)
    return spec


def vm_task(name, vms, **opts):
    return {'name': name, 'strata.cloud.proxmox_vm': dict({'vms': vms}, **opts), 'ignore_errors': True}


def by_name(result):
    return {v['name']: v for v in result['vms']}


@pytest.mark.parametrize('profile', ['8.4', '9.1'])
def test_lifecycle(tmp_path, sim):
    vms = [web('web1'), web('web2'), web('web3', node='pve1', full=False)]
    checked = play(tmp_path, sim, [vm_task('vm', vms)], check=True, diff=True)
    res = checked['vm']
    assert res['changed'] and not res.get('failed'), res
    assert [v['vmid'] for v in res['vms']] == [100, 101, 102]
    assert 'clone debian-13 (vmid 9000) to web3 (vmid 102, linked)' in by_name(res)['web3']['actions']
    assert res['diff']['before']['web1'] is None and res['diff']['after']['web1']['cores'] == '2'
    assert res['diff']['after']['web1']['cipassword'] == '********'
    assert len(sim.cluster.vms) == 1, 'check mode created VMs'

    sim.reset_counts()
    applied = play(tmp_path, sim, [vm_task('vm', vms, wait_for_ip=True)])
    res = applied['vm']
    assert res['changed'] and not res.get('failed'), res
    for name, entry in by_name(res).items():
        assert entry['status'] == 'running' and entry['node'] == 'pve1' and entry['ip'].startswith('10.0.0.'), entry
        vm = sim.vm_by_name(name)[0]
        assert vm.status == 'running' and vm.pool == 'web' and vm.config['cores'] == '2'
        assert vm.config['tags'] == 'prod;web'
        assert 'tag=20' in vm.config['net0'] and vm.config['ciuser'] == 'debian'
        assert vm.config['sshkeys'] == 'ssh-ed25519%20AAAAC3NzaC1lZDI1NTE5AAAAIGq7%20admin%40example.org%0A'
        assert vm.config['scsi0'].endswith('size=10G')
    assert 'base-9000-disk-0/vm-102-disk-0' in sim.vm_by_name('web3')[0].config['scsi0']
    assert res['api_requests'] == sim.total_requests()

    sim.reset_counts()
    again = play(tmp_path, sim, [vm_task('vm', vms)], diff=True)['vm']
    assert again['changed'] is False and not again.get('failed'), again
    assert all(not v['actions'] for v in again['vms'])
    assert sim.total_requests() == 1 + 3, sim.requests      # resources, then one config per VM

    changed = [web('web1', cores=4, disks=[{'slot': 'scsi0', 'size': 12}, {'slot': 'scsi1', 'size': 5, 'storage': 'local-lvm'}],
                   tags=['web']), web('web2'), web('web3', node='pve1', full=False, state='stopped')]
    res = play(tmp_path, sim, [vm_task('vm', changed)], diff=True)['vm']
    assert res['changed'] and not res.get('failed'), res
    web1 = by_name(res)['web1']
    assert web1['restart_required'] is True and 'resize web1 scsi0 to 12G' in web1['actions'], web1
    assert by_name(res)['web3']['status'] == 'stopped' and sim.vm_by_name('web3')[0].status == 'stopped'
    assert res['diff']['before']['web1']['cores'] == 2 and res['diff']['after']['web1']['cores'] == '4'
    vm = sim.vm_by_name('web1')[0]
    assert vm.pending['cores'] == '4' and vm.config['scsi0'].endswith('size=12G') and 'scsi1' in vm.config
    res = play(tmp_path, sim, [vm_task('vm', changed)])['vm']
    assert res['changed'] is False, res

    gone = play(tmp_path, sim, [vm_task('vm', [{'name': 'web1', 'state': 'absent'}, {'name': 'web3', 'state': 'absent'}])])['vm']
    assert gone['changed'] and [v['status'] for v in gone['vms']] == ['absent', 'absent'], gone
    assert not sim.vm_by_name('web1') and not sim.vm_by_name('web3')
    gone = play(tmp_path, sim, [vm_task('vm', [{'name': 'web1', 'state': 'absent'}])])['vm']
    assert gone['changed'] is False


@pytest.mark.parametrize('auth,validate_certs,ca,ok', [
    ('password', True, True, True),
    ('token', False, False, True),
    ('token', True, False, False),
], ids=['password-ca', 'token-noverify', 'token-untrusted'])
def test_auth_and_tls(tmp_path, sim, auth, validate_certs, ca, ok):
    conn = connection(sim, auth=auth, validate_certs=validate_certs, ca=ca)
    res = play(tmp_path, sim, [{'name': 'info', 'strata.cloud.proxmox_info': {}, 'ignore_errors': True}], conn=conn)['info']
    if ok:
        assert not res.get('failed') and res['vms'][0]['name'] == 'debian-13', res
        assert res['api_requests'] == (3 if auth == 'password' else 2)
    else:
        assert res['failed'] and 'CERTIFICATE_VERIFY_FAILED' in res['msg'] or 'SSLError' in res['msg'], res


def test_privilege_separated_token(tmp_path, sim):
    secret = sim.add_token('root@pam', 'limited', privsep=True)
    conn = dict(connection(sim), api_token_id='limited', api_token_secret=secret)
    res = play(tmp_path, sim, [vm_task('vm', [web('web9')])], conn=conn)['vm']
    assert res['failed'] and "no template 'debian-13'" in res['msg'], res     # the token sees no VM at all
    sim.grant('/', 'root@pam!limited', 'PVEVMAdmin', kind='token')
    res = play(tmp_path, sim, [vm_task('vm', [web('web9')])], conn=conn)['vm']
    assert not res.get('failed') and res['changed'], res


def test_duplicate_names_and_bad_input(tmp_path, sim):
    sim.add_vm(500, 'pve1', {'name': 'twin'})
    sim.add_vm(501, 'pve2', {'name': 'twin'})
    res = play(tmp_path, sim, [vm_task('vm', [web('twin'), web('bad_name'), web('web1', disks=[{'slot': 'scsi0', 'size': '1G'}])])])['vm']
    assert res['failed'], res
    errors = {v['name']: v.get('error', '') for v in res['vms']}
    assert '2 VMs carry this name (vmids 500, 501)' in errors['twin']
    assert "vms[1].name: 'bad_name' is not a valid DNS name" in errors['bad_name']
    assert 'size: 1G is smaller than the disk (3G); disks cannot shrink' in errors['web1']
    assert len(sim.cluster.vms) == 3


FAULTS = {
    'http-500-on-clone': (lambda s: s.fault('http', method='POST', path='/clone$', status=500, message='got timeout'),
                          {}, 'POST /nodes/pve1/qemu/9000/clone: 500 got timeout'),
    'api-timeout': (lambda s: s.fault('delay', method='GET', path='^/cluster/resources$', seconds=2.5, count=3),
                    {'api_timeout': 1}, 'no answer from 127.0.0.1'),
    'task-fails': (lambda s: s.fault('task', task_type='qmclone', message="storage 'local-lvm' is full"),
                   {}, "failed: storage 'local-lvm' is full | task log:"),
    'task-timeout': (lambda s: s.cluster.durations.update(qmclone=4.0), {'timeout': 1}, 'still running after 1 s (timeout'),
    'node-offline': (lambda s: s.set_node_online('pve2', False), {}, 'web2: vms[name=web2]: node pve2 is offline'),
}


@pytest.mark.parametrize('fault', sorted(FAULTS))
def test_fault_reported_then_rerun_converges(tmp_path, fault):
    sim = make_sim()
    try:
        inject, opts, message = FAULTS[fault]
        vms = [web('web1'), web('web2', node='pve2')]
        sim.cluster.storage['local-lvm']['shared'] = 1
        inject(sim)
        res = play(tmp_path, sim, [vm_task('vm', vms, **opts)])['vm']
        assert res.get('failed') and message in res['msg'], res
        sim.clear_faults()
        sim.set_node_online('pve2', True)
        sim.wait_idle()
        res = play(tmp_path, sim, [vm_task('vm', vms)])['vm']
        assert not res.get('failed'), res
        res = play(tmp_path, sim, [vm_task('vm', vms)])['vm']
        assert res['changed'] is False and not res.get('failed'), res
        assert sorted(vm.name for vm in sim.cluster.vms.values() if not vm.template) == ['web1', 'web2']
        assert all(vm.status == 'running' for vm in sim.cluster.vms.values() if not vm.template)
        assert not sim.violations and not sim.internal_errors
    finally:
        sim.stop()


def test_lock_held(tmp_path):
    sim = make_sim()
    try:
        sim.add_vm(300, 'pve1', {'name': 'busy', 'cores': '1', 'memory': '1024', 'scsi0': 'local-lvm:vm-300-disk-0,size=4G'})
        sim.hold_lock(300, 'backup', seconds=60)
        spec = [{'name': 'busy', 'cores': 2, 'state': 'present'}]
        res = play(tmp_path, sim, [vm_task('vm', spec, lock_timeout=2)])['vm']
        assert res['failed'] and 'VM 300 is locked (backup)' in res['msg'] and 'still locked after 2s' in res['msg'], res
        sim.hold_lock(300, 'backup', seconds=2)
        start = time.monotonic()
        res = play(tmp_path, sim, [vm_task('vm', spec, lock_timeout=20)])['vm']
        assert not res.get('failed') and res['changed'] and time.monotonic() - start >= 1.5, res
        assert sim.cluster.vms[300].config['cores'] == '2'
    finally:
        sim.stop()

# -*- coding: utf-8 -*-
# Copyright: strata.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""strata.cloud.proxmox_storage against the simulator: check mode, apply, re-apply, update, removal, faults."""

from __future__ import annotations

from conftest import play

KEYRING = '[client.pve]\n\tkey = AQBkeyringsecret0123456789abcdefghij==\n'
STORAGES = [
    {'name': 'iso', 'type': 'dir', 'path': '/srv/iso', 'content': ['iso', 'import'], 'shared': False},
    {'name': 'nfs-backup', 'type': 'nfs', 'server': 'nas.example.org', 'export': '/srv/backup', 'content': ['backup'],
     'options': 'vers=4.2', 'prune_backups': 'keep-last=3'},
    {'name': 'thin2', 'type': 'lvmthin', 'vgname': 'data', 'thinpool': 'thin', 'content': ['images', 'rootdir'], 'nodes': ['pve2', 'pve1']},
    {'name': 'ceph-vm', 'type': 'rbd', 'monhost': ['10.0.30.11', '10.0.30.12'], 'pool': 'vms', 'username': 'pve',
     'keyring': KEYRING, 'content': ['images'], 'krbd': True},
]


def task(name, storages, **extra):
    return dict({'name': name, 'strata.cloud.proxmox_storage': {'storages': storages}, 'ignore_errors': True}, **extra)


def test_storage_lifecycle(tmp_path, sim):
    run = play(tmp_path, sim, [task('check', STORAGES, check_mode=True, diff=True), task('apply', STORAGES, diff=True),
                               task('again', STORAGES)], verbosity=0)
    check, apply, again = run['check'], run['apply'], run['again']
    assert check['changed'] and not check.get('failed'), check
    assert [s['action'] for s in check['storages']] == ['create'] * 4
    assert check['diff']['after']['ceph-vm']['keyring'] == '********'
    assert apply['changed'] and not apply.get('failed'), apply
    assert [s['name'] for s in apply['storages']] == ['iso', 'nfs-backup', 'thin2', 'ceph-vm']
    assert 'keyring' in apply['storages'][3]['changes'] and apply['api_requests'] == 5
    storage = sim.cluster.storage
    assert storage['nfs-backup']['server'] == 'nas.example.org' and storage['nfs-backup']['path'] == '/mnt/pve/nfs-backup'
    assert storage['thin2']['nodes'] == 'pve1,pve2' and storage['iso']['content'] == 'import,iso'
    assert storage['ceph-vm']['monhost'] == '10.0.30.11 10.0.30.12' and 'keyring' not in storage['ceph-vm']
    assert sim.cluster.storage_keyrings['ceph-vm'] == KEYRING
    assert again['changed'] is False and not again.get('failed'), again
    assert [s['action'] for s in again['storages']] == ['none'] * 4 and again['api_requests'] == 1
    assert KEYRING.split()[3] not in run.out

    changed = [dict(STORAGES[1], content=['backup', 'iso']), dict(STORAGES[2], type='lvmthin', thinpool='other'),
               {'name': 'iso', 'state': 'absent'}, dict(STORAGES[3], keyring='[client.pve]\n\tkey = new\n')]
    run = play(tmp_path, sim, [task('update', [changed[0], changed[2], changed[3]], diff=True), task('fixed', [changed[1]]),
                               {'name': 'rekey', 'strata.cloud.proxmox_storage': {'storages': [changed[3]], 'update_keyring': True}}])
    update = run['update']
    assert [s['action'] for s in update['storages']] == ['update', 'delete', 'none'], update
    assert update['diff']['before']['nfs-backup'] == {'content': 'backup'} and update['diff']['after']['nfs-backup'] == {'content': 'backup,iso'}
    assert 'iso' not in sim.cluster.storage and sim.cluster.storage['nfs-backup']['content'] == 'backup,iso'
    assert run['fixed']['failed'] and 'thinpool cannot be changed on an existing storage (it is thinpool=thin)' in run['fixed']['msg']
    assert run['rekey']['changed'] and sim.cluster.storage_keyrings['ceph-vm'].endswith('key = new\n')


def test_storage_faults_then_rerun_converges(tmp_path, sim):
    sim.cluster.unreachable_servers.add('nas.example.org')
    sim.fault('http', method='POST', path='^/storage$', status=500, message='cfs-lock \'file-storage_cfg\' error: got lock request timeout', count=1)
    run = play(tmp_path, sim, [task('first', [STORAGES[0]]), task('offline', [STORAGES[1]])])
    assert run['first']['failed'] and "POST /storage: 500 cfs-lock 'file-storage_cfg' error: got lock request timeout" in run['first']['msg']
    assert run['offline']['failed'] and "storage 'nfs-backup' is not online" in run['offline']['msg'], run['offline']
    assert set(sim.cluster.storage) == {'local', 'local-lvm'}
    sim.cluster.unreachable_servers.clear()
    run = play(tmp_path, sim, [task('rerun', STORAGES[:2]), task('again', STORAGES[:2])])
    assert run['rerun']['changed'] and not run['rerun'].get('failed') and run['again']['changed'] is False, run.results

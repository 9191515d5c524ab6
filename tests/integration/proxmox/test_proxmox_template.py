# -*- coding: utf-8 -*-
# Copyright: strata.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""strata.cloud.proxmox_template against the simulator: image download, import, cloud-init, template; faults."""

from __future__ import annotations

import pytest

from conftest import play

URL = 'https://images.example.org/debian-13-genericcloud-amd64.qcow2'


def task(title, **args):
    spec = dict({'name': 'debian-13-cloud', 'node': 'pve1', 'image_url': URL, 'disk_size': '8G', 'tags': ['debian', 'cloud']}, **args)
    return {'name': title, 'strata.cloud.proxmox_template': spec, 'ignore_errors': True}


@pytest.mark.parametrize('profile', ['8.4', '9.1'])
def test_template_lifecycle(tmp_path, sim):
    sums = sim.add_remote_file(URL, size=3 * 1024 ** 3)
    good = 'sha512:' + sums['sha512']
    run = play(tmp_path, sim, [dict(task('check', image_checksum=good), check_mode=True, diff=True), task('apply', image_checksum=good),
                               task('again', image_checksum=good),
                               {'name': 'vm', 'strata.cloud.proxmox_vm': {'vms': [{'name': 'web1', 'clone': 'debian-13-cloud'}]}}])
    check, apply, again = run['check'], run['apply'], run['again']
    assert check['changed'] and check['vmid'] == 100 and check['template'] is False, check
    assert check['actions'][0] == 'download %s to local:import/debian-13-genericcloud-amd64.qcow2' % URL
    assert check['diff']['after']['serial0'] == 'socket'
    assert apply['changed'] and apply['template'] and not apply.get('failed'), apply
    assert apply['image'] == 'local:import/debian-13-genericcloud-amd64.qcow2' and apply['vmid'] == 100
    assert [a.split()[0] for a in apply['actions']] == ['download', 'create', 'grow', 'convert']
    vm = sim.cluster.vms[100]
    assert vm.template and vm.config['scsi0'] == 'local-lvm:base-100-disk-0,discard=on,size=8G', vm.config
    assert vm.config['ide2'] == 'local-lvm:vm-100-cloudinit,media=cdrom' and vm.config['vga'] == 'serial0'
    assert vm.config['agent'] == '1' and vm.config['tags'] == 'cloud;debian' and vm.config['boot'] == 'order=scsi0'
    assert again['changed'] is False and again['actions'] == [] and again['api_requests'] == 2, again
    assert not run['vm'].get('failed') and sim.vm_by_name('web1')[0].status == 'running', run['vm']

    run = play(tmp_path, sim, [task('reconfigure', memory=2048, image_checksum=good), task('absent', state='absent'),
                               task('absent-again', state='absent'), task('not-a-template', name='web1', state='absent')])
    assert run['reconfigure']['actions'] == ['configure template debian-13-cloud: memory'], run['reconfigure']
    assert run['absent']['changed'] and 100 not in sim.cluster.vms and run['absent-again']['changed'] is False
    assert run['not-a-template']['failed'] and 'is a VM, not a template; it is left alone' in run['not-a-template']['msg']


def test_template_faults_then_rerun_converges(tmp_path, sim):
    sums = sim.add_remote_file(URL)
    sim.fault('task', task_type='qmtemplate', message='unable to create base volume: lvcreate failed')
    run = play(tmp_path, sim, [task('bad-checksum', image_checksum='sha256:' + '0' * 64),
                               task('missing-image', image_url='https://images.example.org/gone.qcow2'),
                               task('bad-name', image_url='https://images.example.org/noble.iso'),
                               task('convert-fails', image_checksum=sums['sha256'])])
    bad = run['bad-checksum']
    assert bad['failed'] and "checksum mismatch: got '%s'" % sums['sha256'] in bad['msg'] and bad['exitstatus'].startswith('checksum'), bad
    assert '404 Not Found' in run['missing-image']['msg']
    assert run['bad-name']['failed'] and "image_filename: 'noble.iso' must be a file name ending in .qcow2" in run['bad-name']['msg']
    failed = run['convert-fails']
    assert failed['failed'] and 'lvcreate failed' in failed['msg'] and failed['task_log'][-1].startswith('TASK ERROR'), failed
    half = sim.vm_by_name('debian-13-cloud')
    assert len(half) == 1 and not half[0].template                     # created, not converted
    run = play(tmp_path, sim, [task('rerun', image_checksum=sums['sha256']), task('again', image_checksum=sums['sha256'])])
    assert run['rerun']['changed'] and [a.split()[0] for a in run['rerun']['actions']] == ['convert'], run['rerun']     # the disk had grown already
    assert run['again']['changed'] is False and len(sim.vm_by_name('debian-13-cloud')) == 1 and sim.vm_by_name('debian-13-cloud')[0].template

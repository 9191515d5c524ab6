# -*- coding: utf-8 -*-
# Copyright: strata.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The convergence decisions of the runners, against the in-memory FakeLibvirt."""

from __future__ import annotations

import copy

import pytest

from ansible_collections.strata.cloud.plugins.module_utils.libvirt import domain as dm
from ansible_collections.strata.cloud.plugins.module_utils.libvirt import network as nw
from ansible_collections.strata.cloud.plugins.module_utils.libvirt import pool as pl
from ansible_collections.strata.cloud.plugins.module_utils.libvirt.errors import (
    LibvirtNotFoundError,
    LibvirtValidationError,
    SeedError,
    WaitFailedError,
)
from ansible_collections.strata.cloud.plugins.module_utils.libvirt.runner import (
    NetworkRunner,
    PoolRunner,
    VmRunner,
    vm_info,
)
from ansible_collections.strata.cloud.tests.unit.plugins.module_utils.libvirt.fake_libvirt import FakeLibvirt

M = 1024 ** 2
G = 1024 ** 3


def vm_params(**over):
    result = {
        'name': 'vm1', 'state': 'running', 'virt_type': 'qemu', 'cpu_mode': 'auto', 'machine': 'pc',
        'vcpus': 1, 'memory': 512, 'autostart': False, 'boot': None, 'console_log': None,
        'disks': [{'name': 'root', 'pool': 'images', 'size': '1G', 'base_image': None, 'clone': 'overlay',
                   'bus': 'virtio'}],
        'nics': [{'type': 'user', 'source': None, 'mac': None, 'model': 'virtio', 'mtu': None,
                  'port_forwards': [{'host_port': 2222, 'guest_port': 22, 'host_address': '127.0.0.1',
                                     'protocol': 'tcp'}]},
                 {'type': 'network', 'source': 'lab', 'mac': None, 'model': 'virtio', 'mtu': None,
                  'port_forwards': None}],
        'cloud_init': None, 'wait_for_ssh': False, 'ssh_host': None, 'ssh_port': None,
        'wait_timeout': 300, 'shutdown_timeout': 5,
    }
    result.update(over)
    return result


def fake_run_command(argv):
    with open(argv[argv.index('-o') + 1], 'wb') as handle:
        handle.write(b'ISO9660')
    return 0, '', ''


def run_vm(fake, check_mode=False, restart=False, poller=None, waiter=None, **over):
    spec = dm.validate_vm_params(vm_params(**over))
    runner = VmRunner(fake, spec, check_mode=check_mode, restart=restart, run_command=fake_run_command,
                      which={'genisoimage': '/usr/bin/genisoimage'}.get,
                      poller=poller or (lambda predicate, timeout: predicate()),
                      waiter=waiter or (lambda host, port, timeout, check=None: 1.0),
                      wait_for_ssh=over.get('wait_for_ssh', False), shutdown_timeout=5)
    result = runner.run()
    result['warnings'] = runner.warnings
    return result


@pytest.fixture
def fake():
    fake = FakeLibvirt()
    fake.add_pool('images', '/var/lib/libvirt/images')
    return fake


# -- VMs ----------------------------------------------------------------------------------------

def test_check_mode_predicts_and_changes_nothing(fake):
    result = run_vm(fake, check_mode=True)
    assert result['changed']
    assert result['actions'] == ['create volume images/vm1-root.qcow2 (1G)', 'define domain vm1', 'start domain vm1']
    assert result['vm']['state'] == 'running'
    assert result['vm']['disks'][0]['size'] == G
    assert fake.calls == []
    assert fake.domains == {}


def test_create_then_idempotent(fake):
    result = run_vm(fake)
    assert result['actions'] == ['create volume images/vm1-root.qcow2 (1G)', 'define domain vm1', 'start domain vm1']
    assert result['vm']['state'] == 'running'
    assert result['vm']['uuid']
    assert result['vm']['port_forwards'][0]['host_port'] == 2222
    assert result['vm']['disks'][0]['path'] == '/var/lib/libvirt/images/vm1-root.qcow2'
    assert result['diff']['before'] == {}
    fake.calls = []
    again = run_vm(fake)
    assert again['changed'] is False
    assert again['actions'] == []
    assert again['restart_required'] is False
    assert fake.calls == []
    assert vm_info(fake, 'vm1')[0] == again['vm']
    assert vm_info(fake, 'nope') == []


def test_memory_change_on_a_running_vm_needs_a_restart(fake):
    run_vm(fake)
    result = run_vm(fake, memory=1024)
    assert result['actions'] == ['redefine domain vm1']
    assert result['restart_required'] is True
    assert any('restart' in w for w in result['warnings'])
    assert result['diff']['before']['memory'] == 512 and result['diff']['after']['memory'] == 1024
    # nothing to define any more, but the running VM still has the old memory
    again = run_vm(fake, memory=1024)
    assert again['changed'] is False and again['restart_required'] is True
    # restart: ACPI shutdown does not finish (no guest OS), so it is powered off
    restarted = run_vm(fake, memory=1024, restart=True)
    assert restarted['actions'] == ['shut down domain vm1', 'power off domain vm1', 'start domain vm1']
    assert restarted['restart_required'] is False
    assert run_vm(fake, memory=1024)['restart_required'] is False


def test_graceful_shutdown_needs_no_power_off(fake):
    fake.shutdown_works = True
    run_vm(fake)
    result = run_vm(fake, state='stopped')
    assert result['actions'] == ['shut down domain vm1']
    assert result['vm']['state'] == 'stopped'
    assert result['restart_required'] is False


def test_disk_grow_live_and_hotplug(fake):
    run_vm(fake)
    disks = [dict(vm_params()['disks'][0], size='2G'),
             {'name': 'data', 'pool': 'images', 'size': '512M', 'base_image': None, 'clone': 'overlay', 'bus': 'virtio'}]
    result = run_vm(fake, disks=disks)
    assert result['actions'] == ['grow volume images/vm1-root.qcow2 from 1G to 2G (live)',
                                 'create volume images/vm1-data.qcow2 (512M)',
                                 'redefine domain vm1',
                                 'attach disk vdb (images/vm1-data.qcow2) to running domain vm1']
    assert result['restart_required'] is False
    assert ('block_resize', 'vm1', 'vda', 2 * G) in fake.calls
    assert [d['size'] for d in result['vm']['disks']] == [2 * G, 512 * M]
    assert run_vm(fake, disks=disks)['changed'] is False


def test_disk_grow_of_a_stopped_vm_resizes_the_volume(fake):
    run_vm(fake, state='stopped')
    result = run_vm(fake, state='stopped', disks=[dict(vm_params()['disks'][0], size='3G')])
    assert result['actions'] == ['grow volume images/vm1-root.qcow2 from 1G to 3G']
    assert ('resize_volume', 'vm1-root.qcow2', 3 * G) in fake.calls


def test_shrink_fails_before_any_change(fake):
    run_vm(fake)
    fake.calls = []
    with pytest.raises(LibvirtValidationError, match=r'disks\[0\].size: .*shrinking it to 512M is not supported'):
        run_vm(fake, memory=2048, disks=[dict(vm_params()['disks'][0], size='512M')])
    assert fake.calls == []


def test_missing_pool_fails_before_any_change(fake):
    with pytest.raises(LibvirtNotFoundError, match=r'disks\[0\].pool: storage pool nope does not exist'):
        run_vm(fake, disks=[dict(vm_params()['disks'][0], pool='nope')])
    assert fake.calls == []


def test_overlay_of_a_base_image_outside_any_pool(fake):
    fake.files = {'/srv/base': {'debian.qcow2': 2 * G}}
    disks = [dict(vm_params()['disks'][0], size=None, base_image='/srv/base/debian.qcow2')]
    checked = run_vm(fake, check_mode=True, disks=disks)
    assert checked['actions'][0] == 'create volume images/vm1-root.qcow2 as an overlay of /srv/base/debian.qcow2'
    assert fake.calls == []
    result = run_vm(fake, disks=disks)
    vol = fake.pools['images'].volumes['vm1-root.qcow2']
    assert vol.backing == '/srv/base/debian.qcow2'
    assert vol.capacity == 2 * G                     # default size: the base's
    assert ('create_transient_pool', 'strata-base-' + fake.calls[0][1][len('strata-base-'):]) == fake.calls[0]
    assert [p for p in fake.pools if p.startswith('strata-base-')] == []   # transient pool stopped
    assert result['vm']['disks'][0]['size'] == 2 * G


def test_copy_of_a_base_volume_in_a_pool(fake):
    fake.add_volume('images', 'base.qcow2', G)
    disks = [dict(vm_params()['disks'][0], size='4G', base_image='/var/lib/libvirt/images/base.qcow2', clone='copy')]
    result = run_vm(fake, disks=disks)
    assert result['actions'][0] == 'create volume images/vm1-root.qcow2 as a copy of /var/lib/libvirt/images/base.qcow2'
    assert ('create_volume_from', 'images', 'vm1-root.qcow2', '/var/lib/libvirt/images/base.qcow2') in fake.calls
    assert fake.pools['images'].volumes['vm1-root.qcow2'].capacity == 4 * G


def test_size_smaller_than_base_is_refused(fake):
    fake.add_volume('images', 'base.qcow2', 10 * G)
    disks = [dict(vm_params()['disks'][0], size='4G', base_image='/var/lib/libvirt/images/base.qcow2')]
    with pytest.raises(LibvirtValidationError, match=r'disks\[0\].size: 4G is smaller than base image'):
        run_vm(fake, disks=disks)


def test_overlay_needs_a_file_pool(fake):
    fake.add_pool('vg', '/dev/vg', pool_type='logical')
    fake.add_volume('images', 'base.qcow2', G)
    disks = [dict(vm_params()['disks'][0], pool='vg', size=None, base_image='/var/lib/libvirt/images/base.qcow2')]
    with pytest.raises(LibvirtValidationError, match='overlay needs a file-based pool'):
        run_vm(fake, disks=disks)


def test_cloud_init_seed_upload_and_change(fake):
    ci = {'user': 'ops', 'ssh_authorized_keys': ['ssh-ed25519 AAA k']}
    result = run_vm(fake, cloud_init=ci)
    assert 'upload cloud-init seed images/vm1-seed.iso' in result['actions']
    assert fake.pools['images'].volumes['vm1-seed.iso'].data == b'ISO9660'
    assert result['vm']['seed'] == {'pool': 'images', 'volume': 'vm1-seed.iso'}
    assert run_vm(fake, cloud_init=ci)['changed'] is False
    changed = run_vm(fake, cloud_init=dict(ci, packages=['htop']))
    assert changed['actions'] == ['upload cloud-init seed images/vm1-seed.iso', 'redefine domain vm1']
    assert changed['restart_required'] is False           # metadata only
    assert any('instance_id' in w for w in changed['warnings'])


def test_missing_iso_tool_fails_before_any_change(fake):
    spec = dm.validate_vm_params(vm_params(cloud_init={'user': 'ops'}))
    runner = VmRunner(fake, spec, run_command=fake_run_command, which={}.get)
    with pytest.raises(SeedError, match='genisoimage'):
        runner.run()
    assert fake.calls == []


def test_absent_deletes_recorded_volumes_only(fake):
    fake.add_volume('images', 'base.qcow2', G)
    fake.add_volume('images', 'other.qcow2', G)
    disks = [dict(vm_params()['disks'][0], size=None, base_image='/var/lib/libvirt/images/base.qcow2')]
    run_vm(fake, disks=disks, cloud_init={'user': 'ops'})
    checked = run_vm(fake, check_mode=True, state='absent')
    assert checked['actions'] == ['destroy domain vm1', 'undefine domain vm1',
                                  'delete volume images/vm1-root.qcow2', 'delete volume images/vm1-seed.iso']
    assert 'vm1' in fake.domains
    result = run_vm(fake, state='absent')
    assert result['changed'] and result['vm'] is None
    assert sorted(fake.pools['images'].volumes) == ['base.qcow2', 'other.qcow2']
    assert fake.domains == {}
    assert run_vm(fake, state='absent')['changed'] is False


def test_autostart_and_stopped_vm(fake):
    result = run_vm(fake, state='stopped', autostart=True)
    assert result['actions'][-1] == 'set autostart of domain vm1 to True'
    assert result['vm']['state'] == 'stopped' and result['vm']['autostart'] is True
    assert 'start domain vm1' not in result['actions']


def test_wait_for_ssh_uses_the_forwarded_port(fake):
    seen = {}

    def waiter(host, port, timeout, check=None):
        seen['target'] = (host, port, timeout)
        check()
        return 3.5
    result = run_vm(fake, wait_for_ssh=True, waiter=waiter)
    assert seen['target'] == ('127.0.0.1', 2222, 300)
    assert result['ssh_wait'] == {'host': '127.0.0.1', 'port': 2222, 'elapsed': 3.5}


def test_wait_for_ssh_fails_when_the_vm_stops(fake):
    def waiter(host, port, timeout, check=None):
        fake.domains['vm1'].state = 'stopped'
        check()
    with pytest.raises(WaitFailedError, match='domain vm1 is stopped'):
        run_vm(fake, wait_for_ssh=True, waiter=waiter)


def test_virt_type_auto_reads_capabilities():
    fake = FakeLibvirt(kvm=True)
    fake.add_pool('images', '/p')
    result = run_vm(fake, virt_type='auto')
    assert result['vm']['virt_type'] == 'kvm'
    assert result['vm']['cpu_mode'] == 'host-passthrough'


def test_virt_type_auto_keeps_an_existing_domains_type():
    """auto chooses for a new domain only: KVM offered later does not redefine a TCG domain."""
    fake = FakeLibvirt(kvm=False)
    fake.add_pool('images', '/p')
    assert run_vm(fake, virt_type='auto')['vm']['virt_type'] == 'qemu'
    fake.kvm = True
    fake.calls = []
    again = run_vm(fake, virt_type='auto')
    assert again['changed'] is False and again['actions'] == []
    assert again['vm']['virt_type'] == 'qemu'
    assert fake.calls == []
    # An explicit type still converges.
    assert run_vm(fake, virt_type='kvm')['restart_required'] is True


# -- networks -----------------------------------------------------------------------------------

def run_net(fake, check_mode=False, state='present', restart=False, active=True, autostart=True, **over):
    params = {'name': 'lab', 'mode': 'isolated', 'bridge': None, 'cidr': None, 'address': None, 'dhcp': None,
              'mtu': None}
    params.update(over)
    desired = nw.validate_network_params(params) if state == 'present' else {'name': params['name']}
    runner = NetworkRunner(fake, desired, state=state, autostart=autostart, active=active, restart=restart,
                           check_mode=check_mode)
    result = runner.run()
    result['warnings'] = runner.warnings
    return result


def test_network_lifecycle():
    fake = FakeLibvirt()
    checked = run_net(fake, check_mode=True)
    assert checked['actions'] == ['define network lab', 'start network lab', 'set autostart of network lab to True']
    assert fake.calls == []
    created = run_net(fake)
    assert created['network']['active'] and created['network']['bridge'].startswith('virbr')
    assert run_net(fake)['changed'] is False
    mtu = run_net(fake, mtu=9000)
    assert mtu['actions'] == ['redefine network lab', 'restart network lab']
    assert mtu['network']['bridge'] == created['network']['bridge']      # libvirt's name kept
    removed = run_net(fake, state='absent')
    assert removed['actions'] == ['stop network lab', 'undefine network lab']
    assert run_net(fake, state='absent')['changed'] is False


def test_network_with_guests_is_not_restarted():
    fake = FakeLibvirt()
    fake.add_pool('images', '/p')
    run_net(fake)
    run_vm(fake)                     # vm1 has a NIC on network "lab"
    result = run_net(fake, mtu=1400)
    assert result['actions'] == ['redefine network lab']
    assert result['restart_required'] is True
    assert 'vm1' in result['warnings'][0]
    forced = run_net(fake, mtu=1400, restart=True)
    assert forced['actions'] == ['restart network lab']
    assert forced['restart_required'] is False


# -- pools --------------------------------------------------------------------------------------

def run_pool(fake, check_mode=False, state='present', restart=False, delete_volumes=False, **over):
    params = {'name': 'p', 'type': 'dir', 'path': '/srv/p', 'source': None}
    params.update(over)
    desired = pl.validate_pool_params(params) if state == 'present' else {'name': params['name']}
    runner = PoolRunner(fake, desired, state=state, restart=restart, delete_volumes=delete_volumes,
                        check_mode=check_mode)
    result = runner.run()
    result['warnings'] = runner.warnings
    return result


def test_pool_lifecycle():
    fake = FakeLibvirt()
    assert run_pool(fake, check_mode=True)['actions'] == [
        'define storage pool p', 'build storage pool p', 'start storage pool p', 'set autostart of storage pool p to True']
    assert fake.calls == []
    created = run_pool(fake)
    assert created['pool']['active'] and created['pool']['volumes'] == []
    assert ('build_pool', 'p', False) in fake.calls
    assert run_pool(fake)['changed'] is False
    moved = run_pool(fake, path='/srv/q')
    assert moved['actions'] == ['redefine storage pool p'] and moved['restart_required']
    restarted = run_pool(fake, path='/srv/q', restart=True)
    assert restarted['actions'] == ['stop storage pool p', 'build storage pool p', 'start storage pool p']
    assert run_pool(fake, path='/srv/q')['changed'] is False


def test_pool_type_cannot_change():
    fake = FakeLibvirt()
    run_pool(fake)
    with pytest.raises(LibvirtValidationError, match='exists with type dir'):
        run_pool(fake, type='logical', path=None, source={'vg': 'vg0'})


def test_pool_absent_keeps_data_unless_asked():
    fake = FakeLibvirt()
    run_pool(fake)
    fake.add_volume('p', 'disk.qcow2', G)
    kept = run_pool(fake, state='absent')
    assert kept['actions'] == ['stop storage pool p', 'undefine storage pool p']
    assert not any(c[0] == 'delete_volume' for c in fake.calls)
    run_pool(fake)
    fake.add_volume('p', 'disk.qcow2', G)
    deleted = run_pool(fake, state='absent', delete_volumes=True)
    assert deleted['actions'] == ['delete volume p/disk.qcow2', 'stop storage pool p',
                                  'delete the directory of storage pool p', 'undefine storage pool p']


def test_logical_pool_built_only_from_devices():
    fake = FakeLibvirt()
    run_pool(fake, type='logical', path=None, source={'vg': 'vg0'})
    assert not any(c[0] == 'build_pool' for c in fake.calls)
    fake = FakeLibvirt()
    run_pool(fake, type='logical', path=None, source={'vg': 'vg0', 'devices': ['/dev/sdb']})
    assert ('build_pool', 'p', True) in fake.calls           # never over existing data


def test_views_do_not_alias_the_input():
    fake = FakeLibvirt()
    fake.add_pool('images', '/p')
    spec = dm.validate_vm_params(vm_params())
    before = copy.deepcopy(spec)
    VmRunner(fake, spec, run_command=fake_run_command).run()
    assert spec == before

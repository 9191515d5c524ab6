# -*- coding: utf-8 -*-
# Copyright: strata.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""proxmox_vm's pure logic: sizes, normalisation, wanted config, changes, disk plans, validation."""

from __future__ import annotations

import pytest

from ansible_collections.strata.cloud.plugins.module_utils.proxmox.client import _wire
from ansible_collections.strata.cloud.plugins.module_utils.proxmox.errors import ProxmoxApiError, ProxmoxError
from ansible_collections.strata.cloud.plugins.module_utils.proxmox.vm import (
    config_changes,
    desired_config,
    disk_plan,
    normalise,
    size_bytes,
    validate_vm,
    visible,
)

G = 1024 ** 3


@pytest.mark.parametrize('value,expected', [(20, 20 * G), ('20G', 20 * G), ('512M', 512 * 1024 ** 2), ('1.5T', int(1.5 * 1024 ** 4)),
                                            ('20GiB', 20 * G), ('3g', 3 * G)])
def test_size_bytes(value, expected):
    assert size_bytes(value) == expected


@pytest.mark.parametrize('value', ['big', '-1G', '10X'])
def test_size_bytes_rejects(value):
    with pytest.raises(ProxmoxError):
        size_bytes(value)


@pytest.mark.parametrize('key,left,right', [
    ('tags', 'web;Prod', 'prod,web'),
    ('sshkeys', 'ssh-ed25519%20AAAA%20a%40b%0A', 'ssh-ed25519 AAAA a@b'),
    ('agent', 'enabled=1,fstrim_cloned_disks=1', '1'),
    ('memory', 'current=2048', '2048'),
    ('net0', 'virtio=BC:24:11:AA:BB:CC,bridge=vmbr0,tag=20', 'model=virtio,bridge=vmbr0,macaddr=bc:24:11:aa:bb:cc,tag=20,firewall=0'),
    ('ipconfig0', 'gw=10.0.0.1,ip=10.0.0.5/24', 'ip=10.0.0.5/24,gw=10.0.0.1'),
])
def test_normalise_equal(key, left, right):
    assert normalise(key, left) == normalise(key, right)


@pytest.mark.parametrize('key,left,right', [
    ('tags', 'web', 'web;db'),
    ('net0', 'virtio=BC:24:11:AA:BB:CC,bridge=vmbr0', 'virtio=BC:24:11:AA:BB:CC,bridge=vmbr1'),
    ('agent', '0', '1'),
])
def test_normalise_different(key, left, right):
    assert normalise(key, left) != normalise(key, right)


CURRENT = {'cores': 1, 'memory': '1024', 'net0': 'virtio=BC:24:11:00:00:01,bridge=vmbr0', 'scsi0': 'local-lvm:vm-101-disk-0,size=3G',
           'tags': 'web', 'agent': '1'}


@pytest.mark.parametrize('spec,changed', [
    ({'cores': 1, 'memory': 1024, 'tags': ['WEB'], 'agent': True, 'nics': [{'bridge': 'vmbr0'}]}, {}),
    ({'cores': 2}, {'cores': '2'}),
    ({'nics': [{'bridge': 'vmbr0', 'vlan': 5}]}, {'net0': 'model=virtio,bridge=vmbr0,macaddr=BC:24:11:00:00:01,tag=5'}),
    ({'nics': [{'bridge': 'vmbr0'}, {'bridge': 'vmbr1', 'model': 'e1000'}]}, {'net1': 'model=e1000,bridge=vmbr1'}),
    ({'cloud_init': {'user': 'debian', 'ipconfig': [{'ip': '10.0.0.5/24', 'gw': '10.0.0.1'}]}},
     {'ciuser': 'debian', 'ipconfig0': 'ip=10.0.0.5/24,gw=10.0.0.1'}),
    ({'boot_order': ['scsi0', 'net0']}, {'boot': 'order=scsi0;net0'}),
])
def test_config_changes(spec, changed):
    assert config_changes(desired_config(spec, CURRENT), CURRENT) == changed


def test_disk_plan_grows_allocates_and_refuses_shrink():
    new_disk = {'slot': 'scsi1', 'size': 5, 'storage': 'local-lvm', 'options': {'discard': 'on'}}
    spec = {'disks': [{'slot': 'scsi0', 'size': '10G'}, new_disk]}
    assert disk_plan(spec, CURRENT, 'vm') == ({'scsi1': 'local-lvm:5,discard=on'}, [('scsi0', '10G')])
    with pytest.raises(ProxmoxError, match='disks cannot shrink'):
        disk_plan({'disks': [{'slot': 'scsi0', 'size': '2G'}]}, CURRENT, 'vm')
    with pytest.raises(ProxmoxError, match='storage: required'):
        disk_plan({'disks': [{'slot': 'scsi2', 'size': 4}]}, CURRENT, 'vm')


@pytest.mark.parametrize('spec,message', [
    ({'name': 'web_1'}, 'not a valid DNS name'),
    ({'name': 'web1', 'cores': 0}, 'cores: 0 is too small'),
    ({'name': 'web1', 'vmid': 42}, 'outside 100-999999999'),
    ({'name': 'web1', 'tags': ['a b']}, 'not a valid tag'),
    ({'name': 'web1', 'disks': [{'slot': 'hd0', 'size': 1}]}, 'must look like scsi0'),
])
def test_validate_vm(spec, message):
    with pytest.raises(ProxmoxError, match=message):
        validate_vm(spec, 0)


def test_visible_masks_secrets():
    assert visible({'cipassword': 'x', 'digest': 'd', 'sshkeys': 'a%20b'}) == {'cipassword': '********', 'sshkeys': 'a b'}


@pytest.mark.parametrize('value,wire', [(True, 1), (False, 0), (['a', 'b'], 'a,b'), ('x', 'x'), (3, 3)])
def test_wire(value, wire):
    assert _wire(value) == wire


def test_api_error_message_and_lock():
    exc = ProxmoxApiError('PUT', '/nodes/pve1/qemu/101/config', 500, 'VM 101 is locked (clone)')
    assert exc.locked and str(exc) == 'PUT /nodes/pve1/qemu/101/config: 500 VM 101 is locked (clone)'
    exc = ProxmoxApiError('POST', '/x', 400, 'Parameter verification failed.', {'cores': 'type check failed\n'})
    assert not exc.locked and str(exc).endswith('(cores: type check failed)')

# -*- coding: utf-8 -*-
# Copyright: strata.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""main() of the libvirt modules: argument handling, error reporting, check and diff mode."""

from __future__ import annotations

import json

import pytest
import yaml

from ansible.module_utils.testing import patch_module_args

from ansible_collections.strata.cloud.plugins.doc_fragments.libvirt import ModuleDocFragment
from ansible_collections.strata.cloud.plugins.module_utils.libvirt import module as module_flow
from ansible_collections.strata.cloud.plugins.modules import libvirt_network, libvirt_pool, libvirt_vm, libvirt_vm_info
from ansible_collections.strata.cloud.tests.unit.plugins.module_utils.libvirt.fake_libvirt import FakeLibvirt

MODULES = [libvirt_vm, libvirt_vm_info, libvirt_network, libvirt_pool]


def run_module(module, args, capsys, monkeypatch, fake=None, has_libvirt=True):
    # the seams of the shared main() flow
    monkeypatch.setattr(module_flow, 'HAS_LIBVIRT', has_libvirt)
    if fake is not None:
        monkeypatch.setattr(module_flow, 'client_from_params', lambda params: fake)
    with patch_module_args(args):
        with pytest.raises(SystemExit):
            module.main()
    return json.loads(capsys.readouterr().out)


def _options(module):
    doc = yaml.safe_load(module.DOCUMENTATION)
    options = dict(doc['options'])
    options.update(yaml.safe_load(ModuleDocFragment.DOCUMENTATION)['options'])
    return options


def _compare(spec, options, path):
    assert sorted(spec) == sorted(options), path
    for name, arg in spec.items():
        doc = options[name]
        where = '%s.%s' % (path, name)
        assert doc.get('type', 'str') == arg.get('type', 'str'), where
        assert doc.get('default') == arg.get('default'), where
        assert doc.get('choices') == arg.get('choices'), where
        assert bool(doc.get('required')) == bool(arg.get('required')), where
        assert doc.get('elements') == arg.get('elements'), where
        if arg.get('options'):
            _compare(arg['options'], doc['suboptions'], where)


@pytest.mark.parametrize('module', MODULES, ids=lambda m: m.__name__.rsplit('.', 1)[-1])
def test_documentation_matches_the_argument_spec(module):
    if hasattr(module, 'argument_spec'):
        spec = module.argument_spec()
    else:
        spec = dict(libvirt_vm_info.libvirt_argument_spec(), name=dict(type='str'))
    _compare(spec, _options(module), module.__name__)


@pytest.mark.parametrize('module, args', [
    (libvirt_vm, {'name': 'vm1'}),
    (libvirt_vm_info, {}),
    (libvirt_network, {'name': 'n'}),
    (libvirt_pool, {'name': 'p', 'path': '/p'}),
])
def test_missing_libvirt_python(module, args, capsys, monkeypatch):
    result = run_module(module, args, capsys, monkeypatch, has_libvirt=False)
    assert result['failed']
    assert 'libvirt-python' in result['msg']


def test_vm_invalid_input_fails_without_connecting(capsys, monkeypatch):
    def no_client(params):
        raise AssertionError('connected although the input is invalid')
    monkeypatch.setattr(module_flow, 'client_from_params', no_client)
    result = run_module(libvirt_vm, {'name': 'vm1', 'vcpus': 0}, capsys, monkeypatch)
    assert result['failed'] and result['msg'] == 'vcpus must be at least 1, got 0'


def test_vm_check_mode_and_diff(capsys, monkeypatch):
    fake = FakeLibvirt()
    fake.add_pool('default', '/var/lib/libvirt/images')
    args = {'name': 'vm1', 'virt_type': 'qemu', 'memory': 256, 'disks': [{'name': 'root', 'size': '1G'}],
            '_ansible_check_mode': True, '_ansible_diff': True}
    result = run_module(libvirt_vm, args, capsys, monkeypatch, fake)
    assert result['changed'] is True
    assert result['diff']['before'] == {} and result['diff']['after']['memory'] == 256
    assert fake.calls == []
    args['_ansible_check_mode'] = False
    args['_ansible_diff'] = False
    result = run_module(libvirt_vm, args, capsys, monkeypatch, fake)
    assert result['changed'] is True and 'diff' not in result
    assert result['vm']['state'] == 'running'
    result = run_module(libvirt_vm, args, capsys, monkeypatch, fake)
    assert result['changed'] is False


def test_vm_runtime_error_reports_what_was_done(capsys, monkeypatch):
    fake = FakeLibvirt()
    fake.add_pool('default', '/p')
    result = run_module(libvirt_vm, {'name': 'vm1', 'disks': [{'name': 'root', 'pool': 'nope', 'size': 1}]},
                        capsys, monkeypatch, fake)
    assert result['failed']
    assert result['msg'] == 'disks[0].pool: storage pool nope does not exist'
    assert result['actions'] == [] and result['changed'] is False


def test_vm_warning_on_restart_required(capsys, monkeypatch):
    fake = FakeLibvirt()
    fake.add_pool('default', '/p')
    run_module(libvirt_vm, {'name': 'vm1', 'virt_type': 'qemu'}, capsys, monkeypatch, fake)
    result = run_module(libvirt_vm, {'name': 'vm1', 'virt_type': 'qemu', 'memory': 2048}, capsys, monkeypatch, fake)
    assert result['restart_required'] is True
    assert any('restart' in json.dumps(w) for w in result['warnings'])


def test_network_and_pool_modules(capsys, monkeypatch):
    fake = FakeLibvirt()
    result = run_module(libvirt_network, {'name': 'lab', 'bridge': 'lab0'}, capsys, monkeypatch, fake)
    assert result['changed'] and result['network']['bridge'] == 'lab0' and result['network']['active']
    result = run_module(libvirt_network, {'name': 'lab', 'mode': 'bridge'}, capsys, monkeypatch, fake)
    assert result['failed'] and 'bridge is required when mode is bridge' in result['msg']
    result = run_module(libvirt_pool, {'name': 'p', 'path': '/srv/p'}, capsys, monkeypatch, fake)
    assert result['changed'] and result['pool']['path'] == '/srv/p'
    result = run_module(libvirt_pool, {'name': 'p', 'state': 'absent'}, capsys, monkeypatch, fake)
    assert result['changed'] and result['pool'] is None


def test_vm_info(capsys, monkeypatch):
    fake = FakeLibvirt()
    fake.add_pool('default', '/p')
    run_module(libvirt_vm, {'name': 'vm2', 'virt_type': 'qemu', 'state': 'stopped'}, capsys, monkeypatch, fake)
    run_module(libvirt_vm, {'name': 'vm1', 'virt_type': 'qemu'}, capsys, monkeypatch, fake)
    result = run_module(libvirt_vm_info, {}, capsys, monkeypatch, fake)
    assert [vm['name'] for vm in result['vms']] == ['vm1', 'vm2']
    assert [vm['state'] for vm in result['vms']] == ['running', 'stopped']
    result = run_module(libvirt_vm_info, {'name': 'vm2'}, capsys, monkeypatch, fake)
    assert len(result['vms']) == 1 and result['changed'] is False

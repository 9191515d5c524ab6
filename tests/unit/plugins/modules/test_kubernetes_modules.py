# -*- coding: utf-8 -*-
# Copyright: strata.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""main() of kubeadm_token, kubeadm_join_info and kubernetes_drain: documentation, check mode,
errors turned into fail_json - with AnsibleModule.run_command answered by a fake kubeadm/kubectl."""

from __future__ import annotations

import json

import pytest
import yaml

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.testing import patch_module_args

from ansible_collections.strata.cloud.plugins.modules import kubeadm_join_info, kubeadm_token, kubernetes_drain
from ansible_collections.strata.cloud.tests.unit.plugins.module_utils.kubernetes.fake_cli import FakeRunner

MODULES = [kubeadm_token, kubeadm_join_info, kubernetes_drain]


def run_module(module, args, capsys, monkeypatch, runner):
    monkeypatch.setattr(AnsibleModule, 'run_command', lambda self, argv, **kw: runner(argv))
    with patch_module_args(args):
        with pytest.raises(SystemExit):
            module.main()
    return json.loads(capsys.readouterr().out)


@pytest.mark.parametrize('module', MODULES, ids=lambda m: m.__name__.split('.')[-1])
def test_documentation_matches_the_argument_spec(module):
    options = yaml.safe_load(module.DOCUMENTATION)['options']
    spec = module.argument_spec()
    assert sorted(options) == sorted(spec)
    for name, arg in spec.items():
        assert options[name]['type'] == arg['type'] and options[name].get('elements') == arg.get('elements')
        assert options[name].get('default') == arg.get('default'), name
        assert options[name].get('choices') == arg.get('choices'), name


def test_token_created_then_check_mode_reuses(capsys, monkeypatch):
    runner = FakeRunner([(('kubeadm', 'token', 'list'), 0, '', ''),
                         (('kubeadm', 'token', 'create'), 0, 'abcdef.0123456789abcdef\n', '')])
    result = run_module(kubeadm_token, {'description': 'strata join', 'ttl': '30m'}, capsys, monkeypatch, runner)
    assert result['changed'] is True and result['token'] == 'abcdef.0123456789abcdef'
    documented = yaml.safe_load(kubeadm_token.RETURN)
    assert set(result) - {'changed', 'invocation'} <= set(documented)


def test_token_check_mode_creates_nothing(capsys, monkeypatch):
    runner = FakeRunner([(('kubeadm', 'token', 'list'), 0, '', '')])
    result = run_module(kubeadm_token, {'description': 'd', '_ansible_check_mode': True}, capsys, monkeypatch, runner)
    assert result['changed'] is True and result['token'] is None
    assert not runner.ran('create')


def test_token_kubeadm_failure_is_fail_json(capsys, monkeypatch):
    runner = FakeRunner([(('kubeadm', 'token', 'list'), 1, '', 'couldn\'t create a Kubernetes client')])
    result = run_module(kubeadm_token, {'description': 'd'}, capsys, monkeypatch, runner)
    assert result['failed'] and 'Kubernetes client' in result['msg'] and result['rc'] == 1


def test_drain_failure_is_fail_json_with_pods(capsys, monkeypatch):
    pod = {'metadata': {'namespace': 'web', 'name': 'web-1'}, 'status': {'phase': 'Running'}}
    runner = FakeRunner([(('get', 'node'), 0, json.dumps({'spec': {}}), ''),
                         (('get', 'pods'), 0, json.dumps({'items': [pod]}), ''),
                         (('drain',), 1, '', 'Cannot evict pod as it would violate the pod\'s disruption budget.')])
    result = run_module(kubernetes_drain, {'name': 'w1', 'state': 'absent', 'timeout': 30}, capsys, monkeypatch, runner)
    assert result['failed'] and 'not deleting the node' in result['msg'] and result['pods_left'] == ['web/web-1']
    assert not runner.ran('delete')


def test_join_info_reads_without_change(capsys, monkeypatch):
    pem = '-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n'
    runner = FakeRunner([(('openssl',), 0, pem, ''), (('config', 'view'), 0, 'https://10.0.0.5:6443', '')])
    result = run_module(kubeadm_join_info, {}, capsys, monkeypatch, runner)
    assert result['changed'] is False and result['api_server_endpoint'] == '10.0.0.5:6443'
    assert result['ca_cert_hashes'][0].startswith('sha256:') and result['certificate_key'] is None

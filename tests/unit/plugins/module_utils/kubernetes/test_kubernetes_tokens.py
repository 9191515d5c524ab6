# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

import datetime
import json

import pytest

from ansible_collections.strata.cloud.plugins.module_utils.kubernetes import tokens
from ansible_collections.strata.cloud.plugins.module_utils.kubernetes.cli import Cli
from ansible_collections.strata.cloud.plugins.module_utils.kubernetes.errors import CommandFailed, KubernetesError

from ansible_collections.strata.cloud.tests.unit.plugins.module_utils.kubernetes.fake_cli import FakeRunner

NOW = datetime.datetime(2026, 1, 10, 12, 0, 0, tzinfo=datetime.timezone.utc)


def token(tid, description, minutes, usages=('authentication', 'signing')):
    expires = (NOW + datetime.timedelta(minutes=minutes)).strftime('%Y-%m-%dT%H:%M:%SZ')
    return {'kind': 'BootstrapToken', 'apiVersion': 'output.kubeadm.k8s.io/v1alpha3', 'token': tid + '.0123456789abcdef',
            'description': description, 'ttl': '%dm' % minutes, 'expires': expires, 'usages': list(usages),
            'groups': ['system:bootstrappers:kubeadm:default-node-token']}


def listing(*items):
    # kubeadm prints one JSON document per token, one after another
    return '\n'.join(json.dumps(i, indent=4) for i in items)


def runner(items, created='newtok.fedcba9876543210'):
    return FakeRunner([(('kubeadm', 'token', 'list'), 0, listing(*items), ''),
                       (('kubeadm', 'token', 'create'), 0, created + '\n', ''),
                       (('kubeadm', 'token', 'delete'), 0, 'deleted\n', '')])


def test_parse_list_concatenated_documents_and_empty():
    assert tokens.parse_list('') == []
    items = tokens.parse_list(listing(token('aaaaaa', 'a', 5), token('bbbbbb', 'b', 5)))
    assert [i['token'][:6] for i in items] == ['aaaaaa', 'bbbbbb']
    with pytest.raises(KubernetesError):
        tokens.parse_list('{"token": ')


@pytest.mark.parametrize('value,seconds', [('2h', 7200), ('30m', 1800), ('900s', 900), (900, 900), ('0', 0)])
def test_parse_ttl(value, seconds):
    assert tokens.parse_ttl(value) == seconds


def test_parse_ttl_rejects():
    with pytest.raises(KubernetesError, match='ttl'):
        tokens.parse_ttl('1d')


def test_reuses_a_token_with_enough_time_left():
    fake = runner([token('aaaaaa', 'other', 50), token('bbbbbb', 'strata join', 50)])
    changed, result = tokens.converge(Cli(fake), 'present', NOW, description='strata join', ttl='1h', min_ttl=600)
    assert changed is False
    assert result['token'] == 'bbbbbb.0123456789abcdef' and result['remaining'] == 3000
    assert not fake.ran('kubeadm', 'token', 'create')


def test_creates_when_the_token_is_about_to_expire():
    fake = runner([token('bbbbbb', 'strata join', 5)])
    changed, result = tokens.converge(Cli(fake), 'present', NOW, description='strata join', ttl='30m', min_ttl=600)
    assert changed is True and result['token'] == 'newtok.fedcba9876543210'
    create = fake.ran('kubeadm', 'token', 'create')[0]
    assert create[create.index('--ttl') + 1] == '1800s'
    assert create[create.index('--description') + 1] == 'strata join'
    assert create[create.index('--usages') + 1] == 'authentication,signing'


def test_creates_when_usages_differ():
    fake = runner([token('bbbbbb', 'strata join', 50, usages=('authentication',))])
    changed = tokens.converge(Cli(fake), 'present', NOW, description='strata join')[0]
    assert changed is True


def test_check_mode_creates_nothing():
    fake = runner([])
    changed, result = tokens.converge(Cli(fake), 'present', NOW, description='strata join', check_mode=True)
    assert changed is True and result['token'] is None
    assert not fake.ran('kubeadm', 'token', 'create')


def test_absent_deletes_every_token_with_the_description():
    fake = runner([token('aaaaaa', 'strata join', 50), token('cccccc', 'strata join', 1), token('bbbbbb', 'x', 50)])
    changed, result = tokens.converge(Cli(fake), 'absent', NOW, description='strata join')
    assert changed is True and result['deleted'] == ['aaaaaa', 'cccccc']
    assert fake.ran('kubeadm', 'token', 'delete', 'aaaaaa', 'cccccc')
    fake2 = runner([token('bbbbbb', 'x', 50)])
    assert tokens.converge(Cli(fake2), 'absent', NOW, description='strata join')[0] is False
    assert not fake2.ran('delete')


def test_explicit_token_is_matched_by_id():
    fake = runner([token('abcdef', '', 50)])
    changed, result = tokens.converge(Cli(fake), 'present', NOW, token='abcdef.0123456789abcdef')
    assert changed is False and result['id'] == 'abcdef'


@pytest.mark.parametrize('kwargs,message', [
    ({}, 'give description'),
    ({'token': 'short.x'}, 'token: must look like'),
    ({'description': 'd', 'ttl': '10m', 'min_ttl': 600}, 'min_ttl: 600 must be shorter than ttl'),
])
def test_rejects_bad_parameters(kwargs, message):
    with pytest.raises(KubernetesError, match=message):
        tokens.converge(Cli(runner([])), 'present', NOW, **kwargs)


def test_create_output_that_is_not_a_token():
    with pytest.raises(KubernetesError, match='not a token'):
        tokens.converge(Cli(runner([], created='error: something')), 'present', NOW, description='d')


def test_kubeadm_failure_is_reported_with_stderr():
    fake = FakeRunner([(('kubeadm', 'token', 'list'), 1, '', 'failed to load admin kubeconfig')])
    with pytest.raises(CommandFailed) as info:
        tokens.converge(Cli(fake), 'present', NOW, description='d')
    assert 'failed to load admin kubeconfig' in str(info.value) and info.value.details['rc'] == 1

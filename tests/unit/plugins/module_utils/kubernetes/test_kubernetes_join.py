# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

import base64
import hashlib

import pytest

from ansible_collections.strata.cloud.plugins.module_utils.kubernetes import join
from ansible_collections.strata.cloud.plugins.module_utils.kubernetes.cli import Cli
from ansible_collections.strata.cloud.plugins.module_utils.kubernetes.errors import KubernetesError

from ansible_collections.strata.cloud.tests.unit.plugins.module_utils.kubernetes.fake_cli import FakeRunner

DER = bytes(range(40)) * 3
PEM = '-----BEGIN PUBLIC KEY-----\n%s\n-----END PUBLIC KEY-----\n' % base64.b64encode(DER).decode()
KEY = 'ab' * 32


def fake(server='https://10.41.0.250:6443', upload=KEY):
    return FakeRunner([(('openssl', 'x509', '-pubkey'), 0, PEM, ''),
                       (('kubectl', 'config', 'view'), 0, server, ''),
                       (('kubeadm', 'init', 'phase', 'upload-certs'), 0,
                        '[upload-certs] Storing the certificates in Secret "kubeadm-certs"\n'
                        '[upload-certs] Using certificate key:\n%s\n' % upload, '')])


def test_hash_is_sha256_of_the_der_public_key():
    assert join.spki_hash(PEM) == 'sha256:' + hashlib.sha256(DER).hexdigest()
    with pytest.raises(KubernetesError):
        join.spki_hash('no key here')


def test_join_info_without_upload_changes_nothing():
    runner = fake()
    changed, info = join.join_info(Cli(runner), '/etc/kubernetes/pki/ca.crt')
    assert changed is False
    assert info == {'api_server_endpoint': '10.41.0.250:6443',
                    'ca_cert_hashes': ['sha256:' + hashlib.sha256(DER).hexdigest()], 'certificate_key': None}
    assert not runner.ran('upload-certs')


def test_upload_returns_the_key_and_check_mode_skips_it():
    runner = fake()
    changed, info = join.join_info(Cli(runner), 'ca.crt', upload_certs=True, certificate_key='cd' * 32)
    assert changed is True and info['certificate_key'] == KEY
    assert runner.ran('upload-certs', '--certificate-key', 'cd' * 32)
    runner = fake()
    changed, info = join.join_info(Cli(runner), 'ca.crt', upload_certs=True, check_mode=True)
    assert changed is True and info['certificate_key'] is None and not runner.ran('upload-certs')


def test_bad_key_and_bad_server():
    with pytest.raises(KubernetesError, match='certificate_key'):
        join.join_info(Cli(fake()), 'ca.crt', upload_certs=True, certificate_key='XYZ')
    with pytest.raises(KubernetesError, match='no https'):
        join.join_info(Cli(fake(server='')), 'ca.crt')
    with pytest.raises(KubernetesError, match='printed no certificate key'):
        join.join_info(Cli(fake(upload='')), 'ca.crt', upload_certs=True)

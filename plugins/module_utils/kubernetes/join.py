# -*- coding: utf-8 -*-
# Copyright: strata.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What a node needs to join: API endpoint, CA public-key hash and (control planes) a certificate key."""

from __future__ import annotations

import base64
import hashlib
import re

from ansible_collections.strata.cloud.plugins.module_utils.kubernetes.errors import KubernetesError

KEY_RE = re.compile(r'^[0-9a-f]{64}$')
PEM_RE = re.compile(r'-----BEGIN PUBLIC KEY-----(.*?)-----END PUBLIC KEY-----', re.S)


def spki_hash(pem_public_key):
    """``sha256:<hex>`` of the DER SubjectPublicKeyInfo in a PEM public key (kubeadm's discovery hash)."""
    match = PEM_RE.search(pem_public_key or '')
    if not match:
        raise KubernetesError('the CA certificate has no public key that openssl could print')
    der = base64.b64decode(''.join(match.group(1).split()))
    return 'sha256:' + hashlib.sha256(der).hexdigest()


def ca_cert_hash(cli, ca_path):
    out = cli.run(['openssl', 'x509', '-pubkey', '-noout', '-in', ca_path])[1]
    return spki_hash(out)


def endpoint(cli):
    out = cli.kubectl('config', 'view', '--raw', '-o', 'jsonpath={.clusters[0].cluster.server}')[1]
    server = out.strip()
    if not server.startswith('https://'):
        raise KubernetesError('the kubeconfig %s names no https:// API server (got %r)' % (cli.kubeconfig, server))
    return server[len('https://'):].rstrip('/')


def upload_certificates(cli, certificate_key=None):
    """Upload the control-plane certificates encrypted with a key (kubeadm keeps them for 2 hours)."""
    if certificate_key is not None and not KEY_RE.match(certificate_key):
        raise KubernetesError('certificate_key: must be 64 lower-case hex digits (kubeadm certs certificate-key)')
    argv = ['init', 'phase', 'upload-certs', '--upload-certs']
    if certificate_key:
        argv += ['--certificate-key', certificate_key]
    out = cli.kubeadm(*argv)[1]
    lines = [line.strip() for line in out.splitlines() if KEY_RE.match(line.strip())]
    if not lines:
        raise KubernetesError('kubeadm init phase upload-certs printed no certificate key')
    return lines[-1]


def join_info(cli, ca_path, upload_certs=False, certificate_key=None, check_mode=False):
    """Returns ``(changed, info)``; only uploading certificates changes anything."""
    info = {'api_server_endpoint': endpoint(cli), 'ca_cert_hashes': [ca_cert_hash(cli, ca_path)],
            'certificate_key': None}
    if not upload_certs:
        return False, info
    if not check_mode:
        info['certificate_key'] = upload_certificates(cli, certificate_key)
    return True, info

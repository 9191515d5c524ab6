#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: strata.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: kubeadm_join_info
short_description: Read what a node needs to join a kubeadm cluster, and upload the control-plane certificates
version_added: 0.1.0
description:
  - On a control-plane host, returns the API server endpoint (from the admin kubeconfig) and the
    discovery hash of the cluster CA's public key (C(sha256:...)), which a
    C(JoinConfiguration) pins.
  - With O(upload_certs=true), uploads the control-plane certificates encrypted with a certificate
    key (C(kubeadm init phase upload-certs)) and returns the key, for further control-plane hosts to
    join with. kubeadm deletes the uploaded certificates after two hours. This is the only step that
    changes anything, and it changes something on every run.
author:
  - strata.cloud maintainers (@strata-cloud)
extends_documentation_fragment:
  - strata.cloud.attributes
attributes:
  check_mode:
    support: full
    details: Reads the endpoint and hash; does not upload certificates (RV(certificate_key) is null).
  diff_mode:
    support: none
options:
  kubeconfig:
    description: Admin kubeconfig of the cluster.
    type: path
    default: /etc/kubernetes/admin.conf
  ca_path:
    description: The cluster CA certificate.
    type: path
    default: /etc/kubernetes/pki/ca.crt
  upload_certs:
    description: Upload the control-plane certificates and return the certificate key.
    type: bool
    default: false
  certificate_key:
    description: Key to encrypt the certificates with (64 hex digits); default a new one from kubeadm.
    type: str
notes:
  - Needs C(kubectl), C(kubeadm) and C(openssl) on the host.
seealso:
  - module: strata.cloud.kubeadm_token
"""

EXAMPLES = r"""
- name: Join information and a certificate key for the next control plane
  strata.cloud.kubeadm_join_info:
    upload_certs: true
  register: _join
  no_log: true
"""

RETURN = r"""
api_server_endpoint:
  description: The API server the nodes join through (host:port).
  type: str
  returned: always
  sample: 10.41.0.250:6443
ca_cert_hashes:
  description: Discovery hashes of the CA public key.
  type: list
  elements: str
  returned: always
  sample: [sha256:2b4c...]
certificate_key:
  description: The key the uploaded certificates are encrypted with; null unless uploaded. Register with no_log.
  type: str
  returned: always
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.strata.cloud.plugins.module_utils.kubernetes.cli import Cli
from ansible_collections.strata.cloud.plugins.module_utils.kubernetes.errors import KubernetesError
from ansible_collections.strata.cloud.plugins.module_utils.kubernetes.join import join_info


def argument_spec():
    return dict(
        kubeconfig=dict(type='path', default='/etc/kubernetes/admin.conf'),
        ca_path=dict(type='path', default='/etc/kubernetes/pki/ca.crt'),
        upload_certs=dict(type='bool', default=False),
        certificate_key=dict(type='str', no_log=True),
    )


def main():
    module = AnsibleModule(argument_spec=argument_spec(), supports_check_mode=True)
    p = module.params
    cli = Cli(module.run_command, kubeconfig=p['kubeconfig'])
    try:
        changed, info = join_info(cli, p['ca_path'], upload_certs=p['upload_certs'],
                                  certificate_key=p['certificate_key'], check_mode=module.check_mode)
    except KubernetesError as exc:
        module.fail_json(msg=str(exc), **exc.details)
    module.exit_json(changed=changed, **info)


if __name__ == '__main__':
    main()

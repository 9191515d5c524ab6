# -*- coding: utf-8 -*-
# Copyright: strata.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one seam between the Kubernetes modules and the kubeadm/kubectl/openssl commands."""

from __future__ import annotations

from ansible_collections.strata.cloud.plugins.module_utils.kubernetes.errors import CommandFailed


class Cli(object):
    """Runs commands through ``run_command(argv) -> (rc, stdout, stderr)`` (AnsibleModule's, or a fake)."""

    def __init__(self, run_command, kubeconfig='/etc/kubernetes/admin.conf'):
        self._run = run_command
        self.kubeconfig = kubeconfig
        self.calls = []

    def run(self, argv, check=True):
        argv = [str(a) for a in argv]
        self.calls.append(argv)
        rc, out, err = self._run(argv)
        if check and rc != 0:
            raise CommandFailed(argv, rc, out, err)
        return rc, out, err

    def kubectl(self, *args, **kwargs):
        return self.run(['kubectl', '--kubeconfig', self.kubeconfig] + list(args), **kwargs)

    def kubeadm(self, *args, **kwargs):
        return self.run(['kubeadm'] + list(args), **kwargs)

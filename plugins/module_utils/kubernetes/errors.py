# -*- coding: utf-8 -*-
# Copyright: strata.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Errors of the Kubernetes modules."""

from __future__ import annotations

from ansible_collections.strata.cloud.plugins.module_utils.errors import StrataError


class KubernetesError(StrataError):
    """A kubeadm or kubectl call failed or returned something unexpected."""


class CommandFailed(KubernetesError):
    """A command exited non-zero; ``details`` hold the command, rc and stderr."""

    def __init__(self, argv, rc, stdout, stderr):
        super().__init__('%s failed (rc=%s): %s' % (' '.join(argv[:3]), rc, (stderr or stdout or '').strip()[-2000:]),
                         cmd=list(argv), rc=rc, stderr=(stderr or '')[-4000:])
        self.rc = rc

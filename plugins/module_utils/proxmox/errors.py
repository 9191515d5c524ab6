# -*- coding: utf-8 -*-
# Copyright: strata.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Exceptions of the Proxmox VE client; only a module's main() turns them into fail_json."""

from __future__ import annotations

from ansible_collections.strata.cloud.plugins.module_utils.errors import StrataError


class ProxmoxError(StrataError):
    """Base class of the Proxmox VE errors. ``details`` go into the module result next to ``msg``."""


class ProxmoxApiError(ProxmoxError):
    """The API answered with an HTTP error (``status``, the reason phrase, per-parameter ``errors``)."""

    def __init__(self, method, path, status, reason, errors=None):
        text = '%s %s: %s %s' % (method, path, status, reason)
        if errors:
            text += ' (%s)' % ', '.join('%s: %s' % (k, str(v).strip()) for k, v in sorted(errors.items()))
        super().__init__(text, status=status, errors=errors or {})
        self.status = status
        self.reason = reason
        self.errors = errors or {}

    @property
    def locked(self):
        return self.status == 500 and ' is locked (' in self.reason


class ProxmoxConnectionError(ProxmoxError):
    """No answer: connection refused, TLS verification failed, timeout."""


class ProxmoxTaskFailed(ProxmoxError):
    """A task ended with an exit status other than OK."""

    def __init__(self, upid, exitstatus, log_tail):
        super().__init__('task %s failed: %s' % (upid, exitstatus), upid=upid, exitstatus=exitstatus, task_log=log_tail)
        self.upid = upid
        self.exitstatus = exitstatus
        self.log_tail = log_tail


class ProxmoxTaskTimeout(ProxmoxError):
    """A task still ran when its time was up (it may still finish on the server)."""

    def __init__(self, upid, seconds):
        super().__init__('task %s still running after %.0f s (timeout; it may still finish on the server)' % (upid, seconds),
                         upid=upid, timeout=seconds)
        self.upid = upid

# -*- coding: utf-8 -*-
# Copyright: strata.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one main() flow shared by the libvirt modules: library check, one client, errors to fail_json."""

from __future__ import annotations

from ansible.module_utils.basic import missing_required_lib

from ansible_collections.strata.cloud.plugins.module_utils.libvirt.client import (
    HAS_LIBVIRT,
    LIBVIRT_IMPORT_ERROR,
    LIBVIRT_PYTHON_LIB,
    client_from_params,
)
from ansible_collections.strata.cloud.plugins.module_utils.libvirt.errors import LibvirtError


def require_libvirt(module):
    if not HAS_LIBVIRT:
        module.fail_json(msg=missing_required_lib(LIBVIRT_PYTHON_LIB), exception=LIBVIRT_IMPORT_ERROR)


def converge(module, validate, make_runner):
    """Validate the input, run the runner ``make_runner(client, desired)`` returns, and exit.

    A failure reports what was already done (``actions``) and whether that changed anything.
    """
    require_libvirt(module)
    runner = None
    try:
        desired = validate(module.params)
        with client_from_params(module.params) as client:
            runner = make_runner(client, desired)
            result = runner.run()
    except LibvirtError as exc:
        details = dict(exc.details)
        if runner is not None:
            details.setdefault('actions', runner.actions)
            details.setdefault('changed', runner.changed and not module.check_mode)
        module.fail_json(msg=str(exc), **details)
    for warning in runner.warnings:
        module.warn(warning)
    if not module._diff:
        result.pop('diff', None)
    module.exit_json(**result)


def read(module, reader):
    """Run ``reader(client)`` (returns the result dict) for an info module and exit."""
    require_libvirt(module)
    try:
        with client_from_params(module.params) as client:
            result = reader(client)
    except LibvirtError as exc:
        module.fail_json(msg=str(exc), **exc.details)
    module.exit_json(changed=False, **result)

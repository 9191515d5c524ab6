# -*- coding: utf-8 -*-
# Copyright: strata.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one main() flow of the proxmox_* modules: library check, one client, errors to fail_json."""

from __future__ import annotations

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.strata.cloud.plugins.module_utils.proxmox.client import (
    AUTH_REQUIRED_ONE_OF,
    AUTH_REQUIRED_TOGETHER,
    HAS_PROXMOXER,
    PROXMOXER_IMPORT_ERROR,
    PROXMOXER_LIB,
    ProxmoxClient,
    proxmox_auth_argument_spec,
)
from ansible_collections.strata.cloud.plugins.module_utils.proxmox.errors import ProxmoxError


def proxmox_module(spec, **kwargs):
    """An AnsibleModule with the connection options added and checked."""
    argument_spec = proxmox_auth_argument_spec()
    argument_spec.update(spec)
    kwargs.setdefault('supports_check_mode', True)
    kwargs['required_one_of'] = AUTH_REQUIRED_ONE_OF + kwargs.get('required_one_of', [])
    kwargs['required_together'] = AUTH_REQUIRED_TOGETHER + kwargs.get('required_together', [])
    module = AnsibleModule(argument_spec=argument_spec, **kwargs)
    if not HAS_PROXMOXER:
        module.fail_json(msg=missing_required_lib(PROXMOXER_LIB), exception=PROXMOXER_IMPORT_ERROR)
    return module


def run(module, work, clients=None):
    """Run ``work(client)`` (returns the result dict, with ``msg`` when something failed) and exit.

    A module that talks to several APIs at once (one per node) passes ``clients`` (name -> client);
    ``work`` then gets that mapping. ``api_requests`` counts the requests of every client.
    """
    single = clients is None
    if single:
        clients = {None: ProxmoxClient.from_params(module.params)}

    def requests():
        return sum(client.requests for client in clients.values())

    try:
        result = work(clients[None] if single else clients)
    except ProxmoxError as exc:
        module.fail_json(msg=str(exc), api_requests=requests(), **exc.details)
    result['api_requests'] = requests()
    for warning in result.pop('warnings', []):
        module.warn(warning)
    if not module._diff:
        result.pop('diff', None)
    if result.get('msg'):
        module.fail_json(**result)
    module.exit_json(**result)

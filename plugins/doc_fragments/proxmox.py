# -*- coding: utf-8 -*-
# Copyright: strata.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Documentation shared by the strata.cloud.proxmox_* modules."""

from __future__ import annotations


class ModuleDocFragment(object):

    # Connection options: plugins/module_utils/proxmox/client.py proxmox_auth_argument_spec()
    DOCUMENTATION = r"""
options:
  api_host:
    description:
      - Host name or address of a Proxmox VE node (any node of the cluster answers for all of them).
      - If not set, the environment variable E(PROXMOX_HOST) is used.
    type: str
    required: true
  api_port:
    description:
      - Port of the API. If not set, E(PROXMOX_PORT) is used, then V(8006).
    type: int
    default: 8006
  api_user:
    description:
      - User with realm, for example V(root@pam) or V(automation@pve). With an API token, the token's owner.
      - If not set, the environment variable E(PROXMOX_USER) is used.
    type: str
    required: true
  api_password:
    description:
      - Password of O(api_user). A ticket is requested once per task. Prefer an API token.
      - If not set, the environment variable E(PROXMOX_PASSWORD) is used.
    type: str
  api_token_id:
    description:
      - Name of an API token of O(api_user) (V(automation) or V(user@realm!automation)). Needs O(api_token_secret).
      - If not set, the environment variable E(PROXMOX_TOKEN_ID) is used.
    type: str
  api_token_secret:
    description:
      - Secret (UUID) of the API token. Never logged.
      - If not set, the environment variable E(PROXMOX_TOKEN_SECRET) is used.
    type: str
  validate_certs:
    description:
      - Verify the API's TLS certificate. Turn it off only for a lab; prefer O(ca_path).
      - If not set, the environment variable E(PROXMOX_VALIDATE_CERTS) is used.
    type: bool
    default: true
  ca_path:
    description:
      - PEM file of the CA that signed the API certificate (for example the cluster's C(/etc/pve/pve-root-ca.pem)).
      - If not set, the environment variable E(PROXMOX_CA_PATH) is used, then the system's CAs.
    type: path
  api_timeout:
    description: Seconds to wait for one API answer. Read requests are retried twice on errors 502-599 and lost connections.
    type: int
    default: 30
requirements:
  - proxmoxer >= 2.0 and requests on the host that runs the module (usually the controller, through C(delegate_to=localhost))
"""

    ATTRIBUTES = r"""
options: {}
attributes:
  action_group:
    description: Use C(group/strata.cloud.proxmox) in C(module_defaults) to set the connection options once.
    support: full
    membership:
      - strata.cloud.proxmox
"""

# -*- coding: utf-8 -*-
# Copyright: strata.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Documentation shared by the strata.cloud.openstack_* modules."""

from __future__ import annotations


class ModuleDocFragment(object):

    # Connection options: plugins/module_utils/openstack/client.py openstack_auth_argument_spec()
    DOCUMENTATION = r"""
options:
  cloud:
    description:
      - Name of a cloud in C(clouds.yaml) (found as openstacksdk finds it, for example through E(OS_CLIENT_CONFIG_FILE)),
        or a dictionary of connection settings.
      - When neither O(cloud) nor O(auth) is set, the E(OS_*) environment variables are used.
    type: raw
  auth:
    description:
      - Authentication settings (V(auth_url), V(username), V(password), V(project_name), V(user_domain_name),
        V(project_domain_name), ...). Never logged.
    type: dict
  auth_type:
    description: Keystone authentication plugin, for example V(password) or V(v3applicationcredential).
    type: str
  region_name:
    description: Region to work in.
    type: str
  interface:
    description: Endpoint interface of the service catalog to use.
    type: str
    choices: [admin, internal, public]
    default: public
  validate_certs:
    description: Verify the API's TLS certificates (openstacksdk's default when not set).
    type: bool
    aliases: [verify]
  ca_cert:
    description: PEM file of the CA that signed the API certificates.
    type: str
    aliases: [cacert]
  api_timeout:
    description: Seconds to wait for one API answer.
    type: int
requirements:
  - openstacksdk >= 1.0 on the host that runs the module (usually the controller)
"""

    ATTRIBUTES = r"""
options: {}
attributes:
  action_group:
    description: Use C(group/strata.cloud.openstack) in C(module_defaults) to set the connection options once.
    support: full
    membership:
      - strata.cloud.openstack
"""

# -*- coding: utf-8 -*-
# Copyright: strata.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Documentation shared by the strata.cloud.libvirt_* modules."""

from __future__ import annotations


class ModuleDocFragment(object):

    # Connection options: plugins/module_utils/libvirt/client.py libvirt_argument_spec()
    DOCUMENTATION = r"""
options:
  uri:
    description:
      - The libvirt connection URI, for example V(qemu:///system) or V(qemu+ssh://root@host/system).
      - If not set, the environment variable E(LIBVIRT_DEFAULT_URI) is used, then V(qemu:///system).
      - The module runs on the managed host. With a remote URI, the managed host is the libvirt client
        (volumes are created and uploaded through the storage pool API, so this works remotely too).
    type: str
    default: qemu:///system
  username:
    description:
      - User name for libvirt authentication (SASL), when the URI asks for credentials.
      - If not set, the environment variable E(LIBVIRT_AUTH_USERNAME) is used.
    type: str
  password:
    description:
      - Password for libvirt authentication (SASL), when the URI asks for credentials.
      - If not set, the environment variable E(LIBVIRT_AUTH_PASSWORD) is used.
    type: str
requirements:
  - libvirt-python (the C(libvirt) Python package) on the host that runs the module
"""

    ATTRIBUTES = r"""
options: {}
attributes:
  action_group:
    description: Use C(group/strata.cloud.libvirt) in C(module_defaults) to set the connection options once.
    support: full
    membership:
      - strata.cloud.libvirt
"""

# -*- coding: utf-8 -*-
# Copyright: strata.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: proxmox
short_description: Proxmox VE VMs as inventory hosts, in one API request
version_added: 0.2.0
description:
  - Reads every QEMU VM of a Proxmox VE cluster with one C(GET /cluster/resources?type=vm) request,
    however many VMs there are (a password login adds one request; an API token needs none).
  - Groups C(<prefix>all), C(<prefix>node_<node>), C(<prefix>pool_<pool>), C(<prefix>tag_<tag>) and
    C(<prefix><status>) (for example C(proxmox_running)); C(keyed_groups), C(groups) and C(compose) work
    on the host variables below. Everything read from the API is marked unsafe (never templated).
  - Host variables C(proxmox_vmid), C(proxmox_name), C(proxmox_node), C(proxmox_status), C(proxmox_tags)
    (list), C(proxmox_pool), C(proxmox_template), C(proxmox_maxcpu), C(proxmox_maxmem), C(proxmox_maxdisk),
    C(proxmox_uptime), and C(proxmox_ip) with O(want_ip=true).
  - Uses the same client as the C(strata.cloud.proxmox_*) modules (proxmoxer).
author:
  - strata.cloud maintainers (@strata-cloud)
extends_documentation_fragment:
  - constructed
  - inventory_cache
requirements:
  - proxmoxer >= 2.0 and requests on the controller
options:
  plugin:
    description: Marks the file as this plugin's configuration.
    type: str
    required: true
    choices: [strata.cloud.proxmox]
  api_host:
    description: Host name or address of a Proxmox VE node.
    type: str
    required: true
    env:
      - name: PROXMOX_HOST
  api_port:
    description: Port of the API.
    type: int
    default: 8006
    env:
      - name: PROXMOX_PORT
  api_user:
    description: User with realm, for example V(automation@pve); with a token, the token's owner.
    type: str
    required: true
    env:
      - name: PROXMOX_USER
  api_password:
    description: Password of O(api_user). Prefer an API token.
    type: str
    env:
      - name: PROXMOX_PASSWORD
  api_token_id:
    description: Name of an API token of O(api_user).
    type: str
    env:
      - name: PROXMOX_TOKEN_ID
  api_token_secret:
    description: Secret of the API token. Keep it in a vault or the environment, not in the file.
    type: str
    env:
      - name: PROXMOX_TOKEN_SECRET
  validate_certs:
    description: Verify the API's TLS certificate.
    type: bool
    default: true
    env:
      - name: PROXMOX_VALIDATE_CERTS
  ca_path:
    description: PEM file of the CA that signed the API certificate.
    type: path
    env:
      - name: PROXMOX_CA_PATH
  api_timeout:
    description: Seconds to wait for one API answer.
    type: int
    default: 30
  group_prefix:
    description: Prefix of the generated group names and host variables' groups.
    type: str
    default: proxmox_
  include_templates:
    description: Also add templates as hosts.
    type: bool
    default: false
  want_ip:
    description:
      - Ask the guest agent of each running VM for its first IPv4 address (C(proxmox_ip), also C(ansible_host)).
        This costs one request per running VM; VMs without a working agent get no address.
    type: bool
    default: false
"""

EXAMPLES = r"""
# proxmox.yml (file name must end in proxmox.yml or proxmox.yaml); the secret comes from PROXMOX_TOKEN_SECRET
plugin: strata.cloud.proxmox
api_host: pve1.example.org
api_user: automation@pve
api_token_id: inventory
ca_path: /etc/strata/pve-root-ca.pem
cache: true
cache_timeout: 300
keyed_groups:
  - key: proxmox_tags
    prefix: tag
compose:
  ansible_host: proxmox_name ~ '.lab.example.org'
groups:
  big: proxmox_maxmem > 8 * 1024 ** 3
"""

import re

from ansible.errors import AnsibleError
from ansible.plugins.inventory import BaseInventoryPlugin, Cacheable, Constructable
from ansible.utils.unsafe_proxy import wrap_var

from ansible_collections.strata.cloud.plugins.module_utils.proxmox.client import ProxmoxClient
from ansible_collections.strata.cloud.plugins.module_utils.proxmox.errors import ProxmoxError
from ansible_collections.strata.cloud.plugins.module_utils.proxmox.resources import guests


def _group_name(text):
    return re.sub(r'[^A-Za-z0-9_]', '_', str(text))


class InventoryModule(BaseInventoryPlugin, Constructable, Cacheable):
    NAME = 'strata.cloud.proxmox'

    def verify_file(self, path):
        return super().verify_file(path) and path.endswith(('proxmox.yml', 'proxmox.yaml'))

    def _read(self):
        names = ('api_host', 'api_port', 'api_user', 'api_password', 'api_token_id', 'api_token_secret', 'validate_certs',
                 'ca_path', 'api_timeout')
        params = {k: self.get_option(k) for k in names}
        try:
            client = ProxmoxClient.from_params(params)
            vms = guests(client)
            if self.get_option('want_ip'):
                for vm in vms:
                    if vm['status'] == 'running' and not vm['template']:
                        vm['ip'] = self._agent_ip(client, vm)
        except ProxmoxError as exc:
            raise AnsibleError('strata.cloud.proxmox inventory: %s' % exc)
        return vms

    @staticmethod
    def _agent_ip(client, vm):
        try:
            data = client.get('/nodes/%s/qemu/%d/agent/network-get-interfaces' % (vm['node'], vm['vmid']))
        except ProxmoxError:
            return None
        for iface in data.get('result', []):
            for addr in iface.get('ip-addresses') or []:
                ip = addr.get('ip-address', '')
                if addr.get('ip-address-type') == 'ipv4' and not ip.startswith(('127.', '169.254.')):
                    return ip
        return None

    def parse(self, inventory, loader, path, cache=True):
        super().parse(inventory, loader, path, cache)
        self._read_config_data(path)
        cache_key = self.get_cache_key(path)
        use_cache = self.get_option('cache') and cache
        vms = None
        if use_cache:
            try:
                vms = self._cache[cache_key]
            except KeyError:
                vms = None
        if vms is None:
            vms = self._read()
            if self.get_option('cache'):
                self._cache[cache_key] = vms
        self._populate(vms)

    def _populate(self, vms):
        prefix = self.get_option('group_prefix')
        strict = self.get_option('strict')
        self.inventory.add_group(prefix + 'all')
        for vm in vms:
            if vm['template'] and not self.get_option('include_templates'):
                continue
            host = vm['name'] or 'vm%d' % vm['vmid']
            self.inventory.add_host(host, group=prefix + 'all')
            hostvars = {'proxmox_%s' % k: v for k, v in vm.items() if k != 'type'}
            if vm.get('ip'):
                hostvars['ansible_host'] = vm['ip']
            for key, value in hostvars.items():
                self.inventory.set_variable(host, key, wrap_var(value))
            groups = ['node_' + vm['node'], vm['status'] or 'unknown']
            if vm.get('pool'):
                groups.append('pool_' + vm['pool'])
            groups += ['tag_' + tag for tag in vm['tags']]
            for group in groups:
                name = self.inventory.add_group(_group_name(prefix + group))
                self.inventory.add_child(name, host)
            self._set_composite_vars(self.get_option('compose'), hostvars, host, strict=strict)
            self._add_host_to_composed_groups(self.get_option('groups'), hostvars, host, strict=strict)
            self._add_host_to_keyed_groups(self.get_option('keyed_groups'), hostvars, host, strict=strict)

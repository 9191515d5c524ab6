#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: strata.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: openstack_layout
short_description: Converge a whole OpenStack tenant layout (projects to key pairs) in one task
version_added: 0.3.0
description:
  - Declares projects, users, role assignments, quotas, flavors, images, networks, subnets, routers
    (gateway and interfaces), security groups with their rules, and key pairs, and converges all of them with
    one authenticated session (one token request).
  - Every kind is read with one list request; declared items are compared with what exists (only declared
    fields are managed) and only the differences are written, in dependency order. Deletions
    (O(projects[].state=absent) and so on) run after all creations, in the reverse order. Every kind is listed
    concurrently; writes of one kind run concurrently with O(parallel).
  - Names identify objects. Network objects (networks, subnets, routers, security groups) belong to a project
    (O(networks[].project), default the authenticated project); a reference such as a subnet's network is looked
    up in the item's project first, then among all projects (write V(project/name) when a name is ambiguous).
  - Nothing undeclared is deleted, except with O(prune=true) the rules of declared security groups and the
    interfaces of declared routers that are not declared.
author:
  - strata.cloud maintainers (@strata-cloud)
extends_documentation_fragment:
  - strata.cloud.attributes
  - strata.cloud.openstack
  - strata.cloud.openstack.attributes
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
options:
  domain:
    description: ID of the Keystone domain of the projects and users.
    type: str
    default: default
  parallel:
    description:
      - Number of writes of one kind (for example the networks) made at the same time on the one session.
        V(1) makes every write in turn. Raise it for a cloud whose databases take concurrent writes well
        (MariaDB/Galera); the lists of all kinds are read concurrently in any case.
    type: int
    default: 1
  prune:
    description: Remove the rules of declared security groups and the interfaces of declared routers that are not declared.
    type: bool
    default: false
  projects:
    description: Projects.
    type: list
    elements: dict
    default: []
    suboptions:
      name: {description: "Project name.", type: str, required: true}
      description: {description: "Description.", type: str}
      enabled: {description: "Whether the project is enabled.", type: bool}
      state: {description: "V(present) or V(absent).", type: str, choices: [present, absent], default: present}
  users:
    description: Users.
    type: list
    elements: dict
    default: []
    suboptions:
      name: {description: "User name.", type: str, required: true}
      password: {description: "Password, set when the user is created (see O(users[].update_password)). Never logged.", type: str}
      update_password:
        description: V(on_create) sets the password only on creation; V(always) sets it on every run.
        type: str
        choices: [always, on_create]
        default: on_create
      email: {description: "E-mail address.", type: str}
      description: {description: "Description.", type: str}
      default_project: {description: "Name of the default project.", type: str}
      enabled: {description: "Whether the user is enabled.", type: bool}
      state: {description: "V(present) or V(absent).", type: str, choices: [present, absent], default: present}
  role_assignments:
    description: Roles of users on projects.
    type: list
    elements: dict
    default: []
    suboptions:
      user: {description: "User name.", type: str, required: true}
      project: {description: "Project name.", type: str, required: true}
      role: {description: "Role name (an existing role).", type: str, required: true}
      state: {description: "V(present) or V(absent).", type: str, choices: [present, absent], default: present}
  quotas:
    description: Quotas of projects. Only the named limits are managed.
    type: list
    elements: dict
    default: []
    suboptions:
      project: {description: "Project name.", type: str, required: true}
      compute: {description: "Compute limits by openstacksdk name, for example V(cores), V(ram), V(instances), V(key_pairs).", type: dict}
      network: {description: "Network limits by openstacksdk name, for example V(networks), V(subnets), V(routers), V(security_group_rules).", type: dict}
  flavors:
    description: Flavors. A flavor cannot be changed once created (delete and re-create it).
    type: list
    elements: dict
    default: []
    suboptions:
      name: {description: "Flavor name.", type: str, required: true}
      vcpus: {description: "Virtual CPUs. Required to create.", type: int}
      ram: {description: "Memory in MiB. Required to create.", type: int}
      disk: {description: "Root disk in GiB (default V(0) on creation).", type: int}
      ephemeral: {description: "Ephemeral disk in GiB.", type: int}
      swap: {description: "Swap in MiB.", type: int}
      is_public: {description: "Whether every project may use the flavor (default V(true) on creation).", type: bool}
      state: {description: "V(present) or V(absent).", type: str, choices: [present, absent], default: present}
  images:
    description: Images, uploaded from a file on the host that runs the module.
    type: list
    elements: dict
    default: []
    suboptions:
      name: {description: "Image name.", type: str, required: true}
      filename: {description: "File to upload. Required to create; an existing image's data is not compared.", type: path}
      disk_format: {description: "Disk format (default V(qcow2) on creation).", type: str}
      container_format: {description: "Container format (default V(bare) on creation).", type: str}
      visibility: {description: "Visibility.", type: str, choices: [public, private, shared, community]}
      min_disk: {description: "Minimum disk in GiB.", type: int}
      min_ram: {description: "Minimum memory in MiB.", type: int}
      state: {description: "V(present) or V(absent).", type: str, choices: [present, absent], default: present}
  networks:
    description: Networks.
    type: list
    elements: dict
    default: []
    suboptions:
      name: {description: "Network name.", type: str, required: true}
      project: {description: "Owning project (default the authenticated project).", type: str}
      shared: {description: "Shared with every project.", type: bool}
      external: {description: "Usable as a router gateway.", type: bool}
      mtu: {description: "MTU.", type: int}
      port_security: {description: "Port security default of the network's ports.", type: bool}
      description: {description: "Description.", type: str}
      provider:
        description: Provider attributes (admin only; cannot change once created).
        type: dict
        suboptions:
          network_type: {description: "V(flat), V(vlan), V(vxlan), ...", type: str}
          physical_network: {description: "Physical network name.", type: str}
          segmentation_id: {description: "VLAN ID or VNI.", type: int}
      state: {description: "V(present) or V(absent).", type: str, choices: [present, absent], default: present}
  subnets:
    description: Subnets.
    type: list
    elements: dict
    default: []
    suboptions:
      name: {description: "Subnet name.", type: str, required: true}
      project: {description: "Owning project (default the authenticated project).", type: str}
      network: {description: "Network name (V(project/name) when ambiguous). Required for O(subnets[].state=present).", type: str}
      cidr: {description: "Address range. Required for O(subnets[].state=present).", type: str}
      gateway_ip: {description: "Gateway address.", type: str}
      enable_dhcp: {description: "DHCP on this subnet.", type: bool}
      dns_nameservers: {description: "DNS servers.", type: list, elements: str}
      allocation_pools: {description: "Pools as V(start-end) strings.", type: list, elements: str}
      description: {description: "Description.", type: str}
      state: {description: "V(present) or V(absent).", type: str, choices: [present, absent], default: present}
  routers:
    description: Routers.
    type: list
    elements: dict
    default: []
    suboptions:
      name: {description: "Router name.", type: str, required: true}
      project: {description: "Owning project (default the authenticated project).", type: str}
      external_network: {description: "Gateway network.", type: str}
      enable_snat: {description: "Source NAT on the gateway.", type: bool}
      interfaces: {description: "Subnets the router has an interface on.", type: list, elements: str}
      description: {description: "Description.", type: str}
      state: {description: "V(present) or V(absent).", type: str, choices: [present, absent], default: present}
  security_groups:
    description: Security groups and their rules.
    type: list
    elements: dict
    default: []
    suboptions:
      name: {description: "Group name.", type: str, required: true}
      project: {description: "Owning project (default the authenticated project).", type: str}
      description: {description: "Description.", type: str}
      rules:
        description: Rules. Undeclared rules stay unless O(prune=true).
        type: list
        elements: dict
        suboptions:
          direction: {description: "Direction.", type: str, choices: [ingress, egress], default: ingress}
          ethertype: {description: "V(IPv4) or V(IPv6) (default from O(security_groups[].rules[].remote_ip_prefix)).", type: str, choices: [IPv4, IPv6]}
          protocol: {description: "V(tcp), V(udp), V(icmp), a number, or V(any).", type: str}
          port_range_min: {description: "First port (ICMP type).", type: int}
          port_range_max: {description: "Last port (default the first).", type: int}
          remote_ip_prefix: {description: "Source or destination range.", type: str}
          remote_group: {description: "Source or destination security group name.", type: str}
      state: {description: "V(present) or V(absent).", type: str, choices: [present, absent], default: present}
  keypairs:
    description: Key pairs of the authenticated user. A key pair cannot be changed once created.
    type: list
    elements: dict
    default: []
    suboptions:
      name: {description: "Key pair name.", type: str, required: true}
      public_key: {description: "OpenSSH public key. Required for O(keypairs[].state=present).", type: str}
      state: {description: "V(present) or V(absent).", type: str, choices: [present, absent], default: present}
"""

EXAMPLES = r"""
- name: Converge the tenant layout
  strata.cloud.openstack_layout:
    cloud: mycloud
    projects:
      - name: demo
    quotas:
      - project: demo
        compute: {cores: 40, ram: 81920}
        network: {networks: 20}
    networks:
      - name: public
        external: true
        provider: {network_type: vlan, physical_network: physnet1, segmentation_id: 120}
      - {name: app, project: demo, mtu: 1450}
    subnets:
      - {name: public-v4, network: public, cidr: 203.0.113.0/24, enable_dhcp: false}
      - {name: app-v4, project: demo, network: app, cidr: 10.10.0.0/24, dns_nameservers: [10.0.0.53]}
    routers:
      - {name: edge, project: demo, external_network: public, interfaces: [app-v4]}
    security_groups:
      - name: web
        project: demo
        rules:
          - {protocol: tcp, port_range_min: 443, remote_ip_prefix: 0.0.0.0/0}
  delegate_to: localhost
"""

RETURN = r"""
resources:
  description: One entry per declared item, in the order they were worked on.
  returned: always
  type: list
  elements: dict
  contains:
    kind:
      description: Section of the item (V(networks), V(subnets), ...).
      type: str
    name:
      description: Key of the item (V(project/name) for network objects, V(user@project:role) for role assignments).
      type: str
    action:
      description: V(create), V(update), V(delete) or V(none).
      type: str
    changed:
      description: Whether the item was (or would be) changed.
      type: bool
    changes:
      description: Fields that were (or would be) set.
      returned: when action is create or update
      type: list
      elements: str
    id:
      description: ID of the object.
      returned: when it exists (not for objects check mode would create)
      type: str
summary:
  description: Number of items per action.
  returned: always
  type: dict
  sample: {create: 3, none: 40}
api_requests:
  description: Number of API calls the task made (list requests count once).
  returned: always
  type: int
"""

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.strata.cloud.plugins.module_utils.openstack.client import (
    HAS_OPENSTACKSDK,
    OPENSTACKSDK_IMPORT_ERROR,
    OPENSTACKSDK_LIB,
    OpenStackClient,
    openstack_auth_argument_spec,
)
from ansible_collections.strata.cloud.plugins.module_utils.openstack.errors import OpenStackError
from ansible_collections.strata.cloud.plugins.module_utils.openstack.layout import ORDER, Layout

STATE = dict(type='str', default='present', choices=['present', 'absent'])


def section(**options):
    return dict(type='list', elements='dict', default=[], options=options)


def argument_spec():
    spec = openstack_auth_argument_spec()
    spec.update(
        domain=dict(type='str', default='default'),
        prune=dict(type='bool', default=False),
        parallel=dict(type='int', default=1),
        projects=section(name=dict(type='str', required=True), description=dict(type='str'), enabled=dict(type='bool'), state=STATE),
        users=section(name=dict(type='str', required=True), password=dict(type='str', no_log=True),
                      update_password=dict(type='str', default='on_create', choices=['always', 'on_create'], no_log=False),
                      email=dict(type='str'), description=dict(type='str'), default_project=dict(type='str'),
                      enabled=dict(type='bool'), state=STATE),
        role_assignments=section(user=dict(type='str', required=True), project=dict(type='str', required=True),
                                 role=dict(type='str', required=True), state=STATE),
        quotas=section(project=dict(type='str', required=True), compute=dict(type='dict'), network=dict(type='dict')),
        flavors=section(name=dict(type='str', required=True), vcpus=dict(type='int'), ram=dict(type='int'), disk=dict(type='int'),
                        ephemeral=dict(type='int'), swap=dict(type='int'), is_public=dict(type='bool'), state=STATE),
        images=section(name=dict(type='str', required=True), filename=dict(type='path'), disk_format=dict(type='str'),
                       container_format=dict(type='str'), visibility=dict(type='str', choices=['public', 'private', 'shared', 'community']),
                       min_disk=dict(type='int'), min_ram=dict(type='int'), state=STATE),
        networks=section(name=dict(type='str', required=True), project=dict(type='str'), shared=dict(type='bool'),
                         external=dict(type='bool'), mtu=dict(type='int'), port_security=dict(type='bool'), description=dict(type='str'),
                         provider=dict(type='dict', options=dict(network_type=dict(type='str'), physical_network=dict(type='str'),
                                                                 segmentation_id=dict(type='int'))),
                         state=STATE),
        subnets=section(name=dict(type='str', required=True), project=dict(type='str'), network=dict(type='str'), cidr=dict(type='str'),
                        gateway_ip=dict(type='str'), enable_dhcp=dict(type='bool'), dns_nameservers=dict(type='list', elements='str'),
                        allocation_pools=dict(type='list', elements='str'), description=dict(type='str'), state=STATE),
        routers=section(name=dict(type='str', required=True), project=dict(type='str'), external_network=dict(type='str'),
                        enable_snat=dict(type='bool'), interfaces=dict(type='list', elements='str'), description=dict(type='str'),
                        state=STATE),
        security_groups=section(name=dict(type='str', required=True), project=dict(type='str'), description=dict(type='str'),
                                rules=dict(type='list', elements='dict', options=dict(
                                    direction=dict(type='str', default='ingress', choices=['ingress', 'egress']),
                                    ethertype=dict(type='str', choices=['IPv4', 'IPv6']), protocol=dict(type='str'),
                                    port_range_min=dict(type='int'), port_range_max=dict(type='int'),
                                    remote_ip_prefix=dict(type='str'), remote_group=dict(type='str'))),
                                state=STATE),
        keypairs=dict(section(name=dict(type='str', required=True), public_key=dict(type='str'), state=STATE), no_log=False),
    )
    return spec


def check_required(params):
    """Fields a present item needs that the argument spec cannot require (they are optional for state=absent)."""
    needs = {'flavors': ('vcpus', 'ram'), 'subnets': ('network', 'cidr'), 'keypairs': ('public_key',)}
    for name, fields in needs.items():
        for index, item in enumerate(params[name]):
            missing = [f for f in fields if item.get('state') == 'present' and item.get(f) is None]
            if missing:
                return '%s[%d] (%s): %s required when state is present' % (name, index, item['name'], ', '.join(missing))
    return None


def main():
    module = AnsibleModule(argument_spec=argument_spec(), supports_check_mode=True,
                           mutually_exclusive=[('cloud', 'auth')])
    if not HAS_OPENSTACKSDK:
        module.fail_json(msg=missing_required_lib(OPENSTACKSDK_LIB), exception=OPENSTACKSDK_IMPORT_ERROR)
    params = module.params
    problem = check_required(params)
    if problem:
        module.fail_json(msg=problem)
    client = None
    try:
        client = OpenStackClient.from_params(params)
        layout = Layout(client, {k: params[k] for k in ORDER}, domain=params['domain'], prune=params['prune'],
                        parallel=max(1, params['parallel']))
        result = layout.converge(module.check_mode)
    except OpenStackError as exc:
        module.fail_json(msg=str(exc), api_requests=client.requests if client else 0, **exc.details)
    result['api_requests'] = client.requests
    if not module._diff:
        result.pop('diff')
    module.exit_json(**result)


if __name__ == '__main__':
    main()

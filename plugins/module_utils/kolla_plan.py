# -*- coding: utf-8 -*-
# Copyright: strata.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Plan a Kolla-Ansible deployment from the strata.cloud site model.

``plan()`` turns the role's settings (``kolla_deploy_*``), the hosts' variables and the inventory
groups into:

* ``errors``: every contradiction, each naming the variable, the value and the fix;
* ``globals``: the content of Kolla-Ansible's ``globals.yml``;
* ``hosts``: per host, the interface variables Kolla-Ansible reads (``network_interface``,
  ``api_interface``...) and the connection variables, for the multinode inventory;
* ``groups``: Kolla-Ansible's top-level groups (control, network, compute, storage, monitoring)
  mapped to host lists;
* ``images``: every container image the configuration pulls, for mirroring to an offline registry.

``inventory_text()`` renders the multinode inventory from Kolla-Ansible's own example file (which
defines the per-service groups as children of the top-level groups): the top-level groups' example
hosts are replaced by the planned hosts, everything else is kept.
"""

from __future__ import annotations

import ipaddress
import re
import shlex

from ansible_collections.strata.cloud.plugins.module_utils.inventory_model import host_addresses, parse_networks

# Kolla-Ansible's top-level inventory groups that this collection fills.
TOP_GROUPS = ('control', 'network', 'compute', 'storage', 'monitoring')
CONTAINER_ENGINES = ('docker', 'podman')
VIRT_TYPES = ('kvm', 'qemu')
TEST_REGISTRY = ('quay.io', 'openstack.kolla')

# Images every deployment pulls (common services, load balancer, database, cache).
BASE_IMAGES = ('cron', 'kolla-toolbox', 'fluentd', 'haproxy', 'keepalived', 'proxysql', 'mariadb-server',
               'memcached')
# Services this collection configures: the images Kolla-Ansible runs for each (with Open vSwitch as
# the Neutron agent and noVNC as Nova's console), the services each needs, and whether it talks
# over the message queue (RabbitMQ is enabled only when one does).
SERVICES = {
    'keystone': {'images': ('keystone', 'keystone-fernet', 'keystone-ssh'), 'requires': (), 'rpc': False},
    'glance': {'images': ('glance-api',), 'requires': ('keystone',), 'rpc': False},
    'placement': {'images': ('placement-api',), 'requires': ('keystone',), 'rpc': False},
    'nova': {'images': ('nova-api', 'nova-scheduler', 'nova-conductor', 'nova-novncproxy', 'nova-compute',
                        'nova-libvirt', 'nova-ssh'),
             'requires': ('keystone', 'glance', 'placement', 'neutron'), 'rpc': True},
    'neutron': {'images': ('neutron-server', 'neutron-openvswitch-agent', 'neutron-dhcp-agent',
                           'neutron-l3-agent', 'neutron-metadata-agent', 'openvswitch-db-server',
                           'openvswitch-vswitchd'),
                'requires': ('keystone',), 'rpc': True},
    'heat': {'images': ('heat-api', 'heat-api-cfn', 'heat-engine'), 'requires': ('keystone',), 'rpc': True},
    'horizon': {'images': ('horizon',), 'requires': ('keystone',), 'rpc': False},
    'cinder': {'images': ('cinder-api', 'cinder-scheduler', 'cinder-volume', 'cinder-backup'),
               'requires': ('keystone',), 'rpc': True},
}
# Kolla-Ansible interface variables and the kolla_deploy setting that names their network.
INTERFACE_VARS = (
    ('network_interface', 'api_network'),
    ('api_interface', 'api_network'),
    ('kolla_external_vip_interface', 'external_network'),
    ('tunnel_interface', 'tunnel_network'),
    ('storage_interface', 'storage_network'),
    ('neutron_external_interface', 'neutron_external_network'),
)
# Networks only some groups' hosts attach to: the VIP interface on the load balancers (network
# group), the provider network on network and compute hosts.
LOCAL_NETWORKS = {'external_network': ('network',), 'neutron_external_network': ('network', 'compute')}
CONNECTION_VARS = ('ansible_host', 'ansible_port', 'ansible_user', 'ansible_private_key_file', 'ansible_ssh_private_key_file',
                   'ansible_ssh_common_args', 'ansible_become', 'ansible_python_interpreter')
REGISTRY_RE = re.compile(r'^[A-Za-z0-9.-]+(:[0-9]{1,5})?$')
NAMESPACE_RE = re.compile(r'^[a-z0-9]+([._/-][a-z0-9]+)*$')
TAG_RE = re.compile(r'^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$')

DEFAULTS = {
    'release': '2026.1',
    'base_distro': 'debian',
    'base_distro_version': 'trixie',
    'services': ['keystone'],
    'container_engine': 'docker',
    'registry': '',
    'registry_namespace': 'openstack.kolla',
    'registry_insecure': False,
    'image_tag': '',
    'use_test_images': False,
    'api_network': 'api',
    'external_network': '',
    'tunnel_network': '',
    'storage_network': '',
    'neutron_external_network': '',
    'internal_vip': '',
    'external_vip': '',
    'virtual_router_id': 51,
    'nova_virt_type': 'kvm',
    'groups': {'control': 'openstack_control', 'network': 'openstack_network', 'compute': 'openstack_compute',
               'storage': 'openstack_storage', 'monitoring': 'openstack_control'},
    'globals': {},
}


def _groups(cfg, groups, errors):
    """Kolla top-level group -> hosts, from the mapping to our inventory groups."""
    mapping = cfg['groups']
    out = {}
    if not isinstance(mapping, dict):
        errors.append('kolla_deploy_groups: must map Kolla groups (%s) to inventory groups, got %r'
                      % (', '.join(TOP_GROUPS), mapping))
        return {g: [] for g in TOP_GROUPS}
    unknown = sorted(set(mapping) - set(TOP_GROUPS))
    if unknown:
        errors.append('kolla_deploy_groups: unknown Kolla groups %s; use %s' % (', '.join(unknown), ', '.join(TOP_GROUPS)))
    for top in TOP_GROUPS:
        ours = mapping.get(top)
        names = [ours] if isinstance(ours, str) else list(ours or [])
        hosts = []
        for name in names:
            for host in groups.get(name, []):
                if host not in hosts:
                    hosts.append(host)
        out[top] = hosts
    if not out['control']:
        errors.append('kolla_deploy_groups.control: inventory group(s) %r have no hosts; the control plane needs '
                      'at least one host' % (mapping.get('control'),))
    return out


def _vips(cfg, nets, owners, errors):
    result = {}
    for key, netkey in (('internal_vip', 'api_network'), ('external_vip', 'external_network')):
        value = cfg[key]
        var = 'kolla_deploy_%s' % key
        if not value:
            if key == 'internal_vip':
                errors.append('%s: missing; give a free address of the API network (strata_networks.%s.cidr) for '
                              'the load balancer' % (var, cfg['api_network']))
            continue
        try:
            addr = ipaddress.ip_address(str(value))
        except ValueError:
            errors.append('%s: %r is not an IP address' % (var, value))
            continue
        netname = cfg[netkey] or cfg['api_network']
        net = nets.get(netname)
        if net is not None and (addr not in net or addr in (net.network_address, net.broadcast_address)):
            errors.append('%s: %s is outside the %s network %s (strata_networks.%s.cidr); pick a free address in it'
                          % (var, value, netname, net, netname))
        owner = owners.get(addr)
        if owner:
            errors.append('%s: %s is the address of host %s (strata_interfaces.%s.address); the VIP must be an '
                          'address no host has' % (var, value, owner[0], owner[1]))
        result[key] = str(addr)
    return result


def _services(cfg, errors):
    services = cfg['services']
    if not isinstance(services, list) or not services:
        errors.append('kolla_deploy_services: must be a non-empty list of services (%s), got %r'
                      % (', '.join(sorted(SERVICES)), services))
        return []
    known = []
    for name in services:
        if name not in SERVICES:
            errors.append('kolla_deploy_services: unknown service %r; supported: %s (others through '
                          'kolla_deploy_globals)' % (name, ', '.join(sorted(SERVICES))))
        elif name not in known:
            known.append(name)
    for name in known:
        missing = [dep for dep in SERVICES[name]['requires'] if dep not in known]
        if missing:
            errors.append('kolla_deploy_services: %s needs %s; add %s to the list or remove %s'
                          % (name, ', '.join(missing), ', '.join(missing), name))
    return known


def _registry(cfg, errors):
    engine = cfg['container_engine']
    if engine not in CONTAINER_ENGINES:
        errors.append('kolla_deploy_container_engine: %r is not supported; use one of %s'
                      % (engine, ', '.join(CONTAINER_ENGINES)))
    registry, namespace, tag = cfg['registry'], cfg['registry_namespace'], cfg['image_tag']
    if registry and not REGISTRY_RE.match(str(registry)):
        errors.append('kolla_deploy_registry: %r is not a registry host[:port] (no scheme, no path), e.g. '
                      'registry.example.com:4000' % (registry,))
    if not namespace or not NAMESPACE_RE.match(str(namespace)):
        errors.append('kolla_deploy_registry_namespace: %r is not an image namespace, e.g. openstack.kolla or kolla'
                      % (namespace,))
    if tag and not TAG_RE.match(str(tag)):
        errors.append('kolla_deploy_image_tag: %r is not an image tag' % (tag,))
    if (registry, namespace) == TEST_REGISTRY and not cfg['use_test_images']:
        errors.append('kolla_deploy_registry: quay.io/openstack.kolla holds test images only; mirror them to your '
                      'own registry, or set kolla_deploy_use_test_images: true to use them anyway')
    if cfg['nova_virt_type'] not in VIRT_TYPES:
        errors.append('kolla_deploy_nova_virt_type: %r is not supported; use kvm or qemu (no hardware '
                      'virtualisation)' % (cfg['nova_virt_type'],))


def _hosts(cfg, groups, hostvars, errors):
    """Per-host inventory variables and the address -> (host, network) map of every host."""
    hosts = {}
    every = []
    for top in TOP_GROUPS:
        every.extend(h for h in groups[top] if h not in every)
    for host in every:
        hv = hostvars.get(host) or {}
        interfaces = hv.get('strata_interfaces') or {}
        entry = {}
        for var in CONNECTION_VARS:
            if hv.get(var) not in (None, ''):
                entry[var] = hv[var]
        for var, netkey in INTERFACE_VARS:
            netname = cfg[netkey]
            if not netname:
                continue
            if netkey in LOCAL_NETWORKS and host not in sum((groups[g] for g in LOCAL_NETWORKS[netkey]), []):
                continue
            spec = interfaces.get(netname) if isinstance(interfaces, dict) else None
            if not isinstance(spec, dict) or not spec.get('device'):
                errors.append('hostvars[%s].strata_interfaces.%s.device: missing; Kolla-Ansible needs the device of '
                              'network %s (kolla_deploy_%s) for %s' % (host, netname, netname, netkey, var))
                continue
            entry[var] = str(spec['device'])
        hosts[host] = entry
    return hosts, host_addresses(hostvars, every)


def images(services, registry, namespace, tag):
    """Full references of the images a configuration pulls, sorted; RabbitMQ only if a service uses it."""
    names = set(BASE_IMAGES)
    for name in services:
        names.update(SERVICES[name]['images'])
    if any(SERVICES[name]['rpc'] for name in services):
        names.add('rabbitmq')
    prefix = '%s/%s/' % (registry, namespace) if registry else '%s/' % namespace
    return ['%s%s:%s' % (prefix, name, tag) for name in sorted(names)]


def plan(config, hostvars, groups, networks):
    """Plan the deployment; see the module docstring for the result's keys."""
    cfg = dict(DEFAULTS)
    cfg.update({k: v for k, v in (config or {}).items() if v is not None})
    networks = networks if isinstance(networks, dict) else {}
    errors = []
    for netkey in ('api_network', 'external_network', 'tunnel_network', 'storage_network', 'neutron_external_network'):
        name = cfg[netkey]
        if (name or netkey == 'api_network') and name not in networks:
            errors.append('kolla_deploy_%s: %r is not a network of strata_networks (defined: %s); name one of them'
                          % (netkey, name, ', '.join(sorted(networks)) or 'none'))
    top = _groups(cfg, groups or {}, errors)
    hosts, addresses = _hosts(cfg, top, hostvars or {}, errors)
    vips = _vips(cfg, parse_networks(networks), addresses, errors)
    services = _services(cfg, errors)
    _registry(cfg, errors)
    overrides = cfg['globals']
    if not isinstance(overrides, dict):
        errors.append('kolla_deploy_globals: must be a mapping of globals.yml keys, got %r' % (overrides,))
        overrides = {}
    tag = cfg['image_tag'] or '%s-%s-%s' % (cfg['release'], cfg['base_distro'], cfg['base_distro_version'])
    rpc = any(SERVICES[name]['rpc'] for name in services)
    result = {
        'kolla_base_distro': cfg['base_distro'],
        'openstack_release': cfg['release'],
        'kolla_container_engine': cfg['container_engine'],
        'kolla_internal_vip_address': vips.get('internal_vip', ''),
        'kolla_external_vip_address': vips.get('external_vip', vips.get('internal_vip', '')),
        'keepalived_virtual_router_id': str(cfg['virtual_router_id']),
        'docker_registry': cfg['registry'],
        'docker_namespace': cfg['registry_namespace'],
        'docker_registry_insecure': bool(cfg['registry_insecure']),
        'enable_openstack_core': False,
        'enable_rabbitmq': rpc,
        'neutron_plugin_agent': 'openvswitch',
        'nova_compute_virt_type': cfg['nova_virt_type'],
    }
    if cfg['image_tag']:
        result['openstack_tag'] = cfg['image_tag']
    for name in sorted(SERVICES):
        result['enable_%s' % name] = name in services
    result.update(overrides)
    return {
        'errors': errors,
        'globals': result,
        'hosts': hosts,
        'groups': top,
        'images': images(services, cfg['registry'], cfg['registry_namespace'], tag) if not errors else [],
    }


def _host_line(host, variables):
    parts = [host]
    for key in sorted(variables):
        value = variables[key]
        if isinstance(value, bool):
            value = 'true' if value else 'false'
        parts.append('%s=%s' % (key, shlex.quote(str(value))))
    return ' '.join(parts)


def inventory_text(example, the_plan, header='', deployment=None):
    """Kolla-Ansible's multinode inventory ``example`` with the planned hosts in the top-level groups.

    ``deployment``: variables of the deploy host (localhost, group ``deployment``), e.g. its Python.
    """
    wanted = dict(the_plan['groups'], deployment=['localhost'])
    lines = [header] if header else []
    section = None
    for line in example.splitlines():
        stripped = line.strip()
        match = re.match(r'^\[([^\]]+)\]$', stripped)
        if match:
            section = match.group(1)
            lines.append(stripped)
            if section in wanted:
                for host in wanted[section]:
                    if section == 'deployment':
                        lines.append(_host_line('localhost', dict(deployment or {}, ansible_connection='local')))
                    else:
                        lines.append(_host_line(host, the_plan['hosts'].get(host, {})))
            continue
        if section in wanted:
            # The example's own hosts and comments of the top-level groups are replaced.
            if not stripped:
                lines.append('')
            continue
        if stripped.startswith('#'):
            continue
        lines.append(line.rstrip())
    text = '\n'.join(lines)
    return re.sub(r'\n{3,}', '\n\n', text).strip() + '\n'

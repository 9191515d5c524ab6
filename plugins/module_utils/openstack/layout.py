# -*- coding: utf-8 -*-
# Copyright: strata.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Converge a whole OpenStack tenant layout with one client.

The layout is a dictionary of sections (projects, users, role_assignments, quotas, flavors, images,
networks, subnets, routers, security_groups, keypairs), each a list of items. :class:`Layout` takes
the sections in dependency order (``ORDER``); each :class:`Kind` reads every existing object of its
kind in one list request, keyed by name (``project/name`` for project-owned network objects), and
normalises it. References between items (a subnet's network, a router's interfaces, a rule's remote
group) are compared by these keys, not by IDs, so check mode decides exactly like a real run even
for objects that do not exist yet, and the diff is readable. :func:`decide` makes the one decision
per item (create | update | noop, or delete for ``state: absent``) that gives ``changed``, the
check-mode answer and the diff; only outside check mode are the writes made - only the differences.
Deletions run after every creation, in the reverse order.
"""

from __future__ import annotations

import ipaddress
import threading
from concurrent.futures import ThreadPoolExecutor
from functools import partial

from ansible_collections.strata.cloud.plugins.module_utils.converge import Kind as BaseKind
from ansible_collections.strata.cloud.plugins.module_utils.converge import decide as shared_decide
from ansible_collections.strata.cloud.plugins.module_utils.converge import masked
from ansible_collections.strata.cloud.plugins.module_utils.openstack.errors import LayoutError

ORDER = ('projects', 'users', 'role_assignments', 'quotas', 'flavors', 'images', 'networks', 'subnets',
         'routers', 'security_groups', 'keypairs')
# Reads made at the same time (lists of different kinds, quota sets): reads never conflict.
READERS = 4
ROUTER_INTERFACE_OWNERS = ('network:router_interface', 'network:router_interface_distributed', 'network:ha_router_replicated_interface')


def decide(want, have, fixed=(), secret=(), where='object'):
    """The shared decision for a present item: (action, changes); a differing fixed field is an error."""
    action, changes, bad = shared_decide(want, have, fixed, secret)
    if bad:
        raise LayoutError('%s: %s cannot be changed on an existing object (it is %s, declared %s); '
                          'delete it (state: absent) and create it again'
                          % (where, ', '.join(bad), ', '.join(repr(have.get(k)) for k in bad),
                             ', '.join(repr(changes[k]) for k in bad)))
    return action, changes


def compact(fields):
    """Drop the fields an item does not set (None): unset fields are not managed."""
    return {k: v for k, v in fields.items() if v is not None}


def norm_cidr(value, where):
    try:
        return str(ipaddress.ip_network(str(value), strict=False))
    except ValueError as exc:
        raise LayoutError('%s: %s' % (where, exc))


def norm_pools(pools):
    """Allocation pools as sorted ``start-end`` strings (API dicts or declared dicts/strings)."""
    out = []
    for pool in pools or []:
        out.append(pool if isinstance(pool, str) else '%s-%s' % (pool['start'], pool['end']))
    return sorted(out)


def norm_key(public_key):
    """A public key without its comment: ``type base64``."""
    return ' '.join((public_key or '').split()[:2])


def rule_key(rule, group_key=None):
    """One canonical string per security group rule (API dict or declared rule).

    ``group_key(id)`` maps a remote group ID to its ``project/name`` key.
    """
    proto = rule.get('protocol')
    proto = 'any' if proto in (None, '', 'any') else str(proto).lower()
    prefix = rule.get('remote_ip_prefix')
    ethertype = rule.get('ethertype') or ('IPv6' if prefix and ':' in prefix else 'IPv4')
    if rule.get('remote_group_id') and group_key:
        remote = 'group=%s' % group_key(rule['remote_group_id'])
    elif rule.get('remote_group'):
        remote = 'group=%s' % rule['remote_group']
    elif prefix:
        remote = norm_cidr(prefix, 'security group rule')
    else:
        remote = 'any'
    lo, hi = rule.get('port_range_min'), rule.get('port_range_max')
    if lo is not None and hi is None:
        hi = lo
    ports = '' if lo is None else ' %s-%s' % (lo, hi)
    return '%s %s %s%s %s' % (rule.get('direction') or 'ingress', ethertype, proto, ports, remote)


class Kind(BaseKind):
    """One kind of OpenStack object. Subclasses set the class attributes and implement read/want/writes."""

    section = ''
    project_scoped = False

    def __init__(self, layout):
        self.layout = layout
        self.client = layout.client
        self._index = None
        self._by_id = None
        self._lock = threading.Lock()

    # --- reading (``read`` returns the normalised fields with 'id')
    @property
    def index(self):
        """The objects as :meth:`read` found them, read once (several threads may ask at the same time)."""
        with self._lock:
            if self._index is None:
                self._index = self.read()
        return self._index

    def key_of(self, object_id):
        if self._by_id is None or len(self._by_id) != len(self.index):
            self._by_id = {v.get('id'): k for k, v in self.index.items()}
        return self._by_id.get(object_id, object_id)

    def id_of(self, key):
        return self.index[key]['id']

    def key(self, item):
        if not self.project_scoped:
            return item['name']
        return '%s/%s' % (self.layout.project_key(item.get('project')), item['name'])

    def have(self, key, item):
        have = self.index.get(key)
        return None if have is None else {k: v for k, v in have.items() if k != 'id'}

    # --- writing (``create`` returns the new object's ID)
    def project_id(self, item):
        return self.layout.project_id(item.get('project'))

    def independent(self, items):
        """Whether the writes of ``items`` may run concurrently (no item refers to another of this kind)."""
        return True


class Projects(Kind):
    section = 'projects'

    def read(self):
        domain = self.layout.domain
        return {p.name: {'id': p.id, 'description': p.description or '', 'enabled': bool(p.is_enabled)}
                for p in self.client.call('list projects', self.client.conn.identity.projects)
                if p.domain_id == domain}

    def want(self, item, have):
        return compact({'description': item.get('description'), 'enabled': item.get('enabled')})

    def create(self, key, want, item):
        return self.client.call('create project %s' % key, self.client.conn.identity.create_project, name=key,
                                domain_id=self.layout.domain, description=want.get('description', ''),
                                is_enabled=want.get('enabled', True)).id

    def update(self, key, changes, want, have, item):
        attrs = dict(changes)
        if 'enabled' in attrs:
            attrs['is_enabled'] = attrs.pop('enabled')
        self.client.call('update project %s' % key, self.client.conn.identity.update_project, self.id_of(key), **attrs)

    def delete(self, key, have, item):
        self.client.call('delete project %s' % key, self.client.conn.identity.delete_project, self.id_of(key))


class Users(Kind):
    section = 'users'
    secret = ('password',)

    def read(self):
        projects = self.layout.kind('projects')
        return {u.name: {'id': u.id, 'email': u.email, 'description': u.description or '', 'enabled': bool(u.is_enabled),
                         'default_project': projects.key_of(u.default_project_id) if u.default_project_id else None}
                for u in self.client.call('list users', self.client.conn.identity.users, domain_id=self.layout.domain)}

    def want(self, item, have):
        want = compact({'email': item.get('email'), 'description': item.get('description'), 'enabled': item.get('enabled'),
                        'default_project': self.layout.project_key(item['default_project']) if item.get('default_project') else None})
        if item.get('password') is not None and (have is None or item.get('update_password') == 'always'):
            want['password'] = item['password']
        return want

    def _attrs(self, fields):
        attrs = {k: v for k, v in fields.items() if k not in ('enabled', 'default_project')}
        if 'enabled' in fields:
            attrs['is_enabled'] = fields['enabled']
        if fields.get('default_project'):
            attrs['default_project_id'] = self.layout.kind('projects').id_of(fields['default_project'])
        return attrs

    def create(self, key, want, item):
        return self.client.call('create user %s' % key, self.client.conn.identity.create_user, name=key,
                                domain_id=self.layout.domain, **self._attrs(want)).id

    def update(self, key, changes, want, have, item):
        changes = dict(changes)
        if item.get('update_password') == 'always' and item.get('password') is not None:
            changes['password'] = item['password']
        self.client.call('update user %s' % key, self.client.conn.identity.update_user, self.id_of(key), **self._attrs(changes))

    def delete(self, key, have, item):
        self.client.call('delete user %s' % key, self.client.conn.identity.delete_user, self.id_of(key))


class RoleAssignments(Kind):
    section = 'role_assignments'

    def read(self):
        users, projects = self.layout.kind('users'), self.layout.kind('projects')
        roles = self.roles
        names = {v: k for k, v in roles.items()}
        out = {}
        for a in self.client.call('list role assignments', self.client.conn.identity.role_assignments):
            user, project = (a.user or {}).get('id'), ((a.scope or {}).get('project') or {}).get('id')
            if not user or not project:
                continue
            key = '%s@%s:%s' % (users.key_of(user), projects.key_of(project), names.get(a.role['id'], a.role['id']))
            out[key] = {'id': key}
        return out

    @property
    def roles(self):
        if not hasattr(self, '_roles'):
            self._roles = {r.name: r.id for r in self.client.call('list roles', self.client.conn.identity.roles)}
        return self._roles

    def key(self, item):
        return '%s@%s:%s' % (item['user'], self.layout.project_key(item['project']), item['role'])

    def want(self, item, have):
        if item['role'] not in self.roles:
            raise LayoutError('role_assignments: role %r does not exist (roles: %s)' % (item['role'], ', '.join(sorted(self.roles))))
        self.layout.require('users', item['user'], 'role_assignments[%s]' % self.key(item))
        return {}

    def _ids(self, item):
        return (self.layout.project_id(item['project']), self.layout.kind('users').id_of(item['user']), self.roles[item['role']])

    def create(self, key, want, item):
        self.client.call('assign %s' % key, self.client.conn.identity.assign_project_role_to_user, *self._ids(item))
        return key

    def delete(self, key, have, item):
        self.client.call('unassign %s' % key, self.client.conn.identity.unassign_project_role_from_user, *self._ids(item))


class Quotas(Kind):
    """Quotas exist for every project: the only action is update (compute.* and network.* fields)."""

    section = 'quotas'
    services = (('compute', 'get_quota_set', 'update_quota_set'), ('network', 'get_quota', 'update_quota'))

    def read(self):
        """The quota sets of the declared projects that exist, read concurrently."""
        projects = self.layout.kind('projects').index
        calls = [(self.layout.project_key(item['project']), service, getter)
                 for item in self.layout.sections.get('quotas') or [] for service, getter, dummy in self.services if item.get(service)]
        calls = [c for c in calls if c[0] in projects]

        def read_one(call):
            key, service, getter = call
            return self.client.call('read %s quotas of %s' % (service, key), getattr(getattr(self.client.conn, service), getter),
                                    projects[key]['id'])
        out = {}
        for (key, service, dummy), current in zip(calls, self.layout.map(read_one, calls)):
            out.setdefault(key, {'id': key})[service] = current
        return out

    def key(self, item):
        return self.layout.project_key(item['project'])

    def have(self, key, item):
        current = self.index.get(key, {})
        return {'%s.%s' % (service, name): getattr(current.get(service), name, None)
                for service, dummy, dummy2 in self.services for name in item.get(service) or {}}

    def want(self, item, have):
        return {'%s.%s' % (service, k): v for service in ('compute', 'network') for k, v in (item.get(service) or {}).items()}

    def update(self, key, changes, want, have, item):
        project_id = self.layout.project_id(item['project'])
        for service, dummy, setter in self.services:
            attrs = {k.split('.', 1)[1]: v for k, v in changes.items() if k.startswith(service + '.')}
            if attrs:
                proxy = getattr(self.client.conn, service)
                self.client.call('update %s quotas of %s' % (service, key), getattr(proxy, setter), project_id, **attrs)


class Flavors(Kind):
    section = 'flavors'
    fixed = ('vcpus', 'ram', 'disk', 'ephemeral', 'swap', 'is_public')

    def read(self):
        return {f.name: {'id': f.id, 'vcpus': f.vcpus, 'ram': f.ram, 'disk': f.disk, 'ephemeral': f.ephemeral or 0,
                         'swap': int(f.swap or 0), 'is_public': bool(f.is_public)}
                for f in self.client.call('list flavors', self.client.conn.compute.flavors, details=True, is_public='None')}

    def want(self, item, have):
        return compact({k: item.get(k) for k in self.fixed})

    def create(self, key, want, item):
        attrs = dict({'disk': 0, 'ephemeral': 0, 'swap': 0, 'is_public': True}, **want)
        return self.client.call('create flavor %s' % key, self.client.conn.compute.create_flavor, name=key, **attrs).id

    def delete(self, key, have, item):
        self.client.call('delete flavor %s' % key, self.client.conn.compute.delete_flavor, self.id_of(key))


class Images(Kind):
    section = 'images'
    fixed = ('disk_format', 'container_format')
    updatable = ('visibility', 'min_disk', 'min_ram')

    def read(self):
        return {i.name: {'id': i.id, 'disk_format': i.disk_format, 'container_format': i.container_format,
                         'visibility': i.visibility, 'min_disk': i.min_disk or 0, 'min_ram': i.min_ram or 0}
                for i in self.client.call('list images', self.client.conn.image.images)}

    def want(self, item, have):
        return compact({k: item.get(k) for k in self.fixed + self.updatable})

    def create(self, key, want, item):
        if not item.get('filename'):
            raise LayoutError('images[%s]: filename is required to create the image' % key)
        attrs = dict({'disk_format': 'qcow2', 'container_format': 'bare'}, **want)
        return self.client.call('create image %s' % key, self.client.conn.image.create_image, name=key,
                                filename=item['filename'], allow_duplicates=True, wait=True, **attrs).id

    def update(self, key, changes, want, have, item):
        self.client.call('update image %s' % key, self.client.conn.image.update_image, self.id_of(key), **changes)

    def delete(self, key, have, item):
        self.client.call('delete image %s' % key, self.client.conn.image.delete_image, self.id_of(key))


class Networks(Kind):
    section = 'networks'
    project_scoped = True
    fixed = ('provider_network_type', 'provider_physical_network', 'provider_segmentation_id')
    # normalised field -> openstacksdk attribute
    attrs = {'shared': 'is_shared', 'external': 'is_router_external', 'mtu': 'mtu', 'port_security': 'is_port_security_enabled',
             'description': 'description', 'provider_network_type': 'provider_network_type',
             'provider_physical_network': 'provider_physical_network', 'provider_segmentation_id': 'provider_segmentation_id'}

    def read(self):
        projects = self.layout.kind('projects')
        return {'%s/%s' % (projects.key_of(n.project_id), n.name): dict({'id': n.id}, **{k: getattr(n, a) for k, a in self.attrs.items()})
                for n in self.client.call('list networks', self.client.conn.network.networks)}

    def want(self, item, have):
        provider = item.get('provider') or {}
        return compact({'shared': item.get('shared'), 'external': item.get('external'), 'mtu': item.get('mtu'),
                        'port_security': item.get('port_security'), 'description': item.get('description'),
                        'provider_network_type': provider.get('network_type'),
                        'provider_physical_network': provider.get('physical_network'),
                        'provider_segmentation_id': provider.get('segmentation_id')})

    def create(self, key, want, item):
        attrs = {self.attrs[k]: v for k, v in want.items()}
        return self.client.call('create network %s' % key, self.client.conn.network.create_network, name=item['name'],
                                project_id=self.project_id(item), **attrs).id

    def update(self, key, changes, want, have, item):
        self.client.call('update network %s' % key, self.client.conn.network.update_network, self.id_of(key),
                         **{self.attrs[k]: v for k, v in changes.items()})

    def delete(self, key, have, item):
        self.client.call('delete network %s' % key, self.client.conn.network.delete_network, self.id_of(key))


class Subnets(Kind):
    section = 'subnets'
    project_scoped = True
    fixed = ('network', 'cidr', 'ip_version')

    def read(self):
        projects, networks = self.layout.kind('projects'), self.layout.kind('networks')
        return {'%s/%s' % (projects.key_of(s.project_id), s.name): {
            'id': s.id, 'network': networks.key_of(s.network_id), 'cidr': s.cidr, 'ip_version': s.ip_version,
            'gateway_ip': s.gateway_ip, 'enable_dhcp': bool(s.is_dhcp_enabled), 'description': s.description or '',
            'dns_nameservers': sorted(s.dns_nameservers or []), 'allocation_pools': norm_pools(s.allocation_pools)}
            for s in self.client.call('list subnets', self.client.conn.network.subnets)}

    def want(self, item, have):
        where = 'subnets[%s]' % self.key(item)
        cidr = norm_cidr(item['cidr'], where)
        return compact({
            'network': self.layout.reference('networks', item.get('project'), item['network'], where),
            'cidr': cidr, 'ip_version': ipaddress.ip_network(cidr).version, 'gateway_ip': item.get('gateway_ip'),
            'enable_dhcp': item.get('enable_dhcp'), 'description': item.get('description'),
            'dns_nameservers': sorted(item['dns_nameservers']) if item.get('dns_nameservers') is not None else None,
            'allocation_pools': norm_pools(item['allocation_pools']) if item.get('allocation_pools') is not None else None})

    def _attrs(self, fields):
        attrs = {k: v for k, v in fields.items() if k not in ('network', 'enable_dhcp', 'allocation_pools')}
        if 'enable_dhcp' in fields:
            attrs['is_dhcp_enabled'] = fields['enable_dhcp']
        if 'allocation_pools' in fields:
            attrs['allocation_pools'] = [dict(zip(('start', 'end'), p.split('-', 1))) for p in fields['allocation_pools']]
        return attrs

    def create(self, key, want, item):
        return self.client.call('create subnet %s' % key, self.client.conn.network.create_subnet, name=item['name'],
                                project_id=self.project_id(item), network_id=self.layout.kind('networks').id_of(want['network']),
                                **self._attrs(want)).id

    def update(self, key, changes, want, have, item):
        self.client.call('update subnet %s' % key, self.client.conn.network.update_subnet, self.id_of(key), **self._attrs(changes))

    def delete(self, key, have, item):
        self.client.call('delete subnet %s' % key, self.client.conn.network.delete_subnet, self.id_of(key))


class Routers(Kind):
    section = 'routers'
    project_scoped = True

    def read(self):
        projects, networks, subnets = (self.layout.kind(k) for k in ('projects', 'networks', 'subnets'))
        interfaces = {}
        for port in self.client.call('list router ports', self.client.conn.network.ports, device_owner=None):
            if port.device_owner in ROUTER_INTERFACE_OWNERS:
                interfaces.setdefault(port.device_id, set()).update(subnets.key_of(ip['subnet_id']) for ip in port.fixed_ips or [])
        out = {}
        for r in self.client.call('list routers', self.client.conn.network.routers):
            gateway = r.external_gateway_info or {}
            out['%s/%s' % (projects.key_of(r.project_id), r.name)] = {
                'id': r.id, 'external_network': networks.key_of(gateway['network_id']) if gateway.get('network_id') else None,
                'enable_snat': gateway.get('enable_snat') if gateway else None, 'description': r.description or '',
                'interfaces': sorted(interfaces.get(r.id, ()))}
        return out

    def want(self, item, have):
        where = 'routers[%s]' % self.key(item)
        want = {'description': item.get('description')}
        if item.get('external_network'):
            want['external_network'] = self.layout.reference('networks', item.get('project'), item['external_network'], where)
            if item.get('enable_snat') is not None:
                want['enable_snat'] = item['enable_snat']
        if item.get('interfaces') is not None:
            declared = {self.layout.reference('subnets', item.get('project'), s, where) for s in item['interfaces']}
            if have is not None and not self.layout.prune:
                declared |= set(have.get('interfaces') or ())
            want['interfaces'] = sorted(declared)
        return compact(want)

    def _gateway(self, fields):
        if not fields.get('external_network'):
            return None
        gateway = {'network_id': self.layout.kind('networks').id_of(fields['external_network'])}
        if 'enable_snat' in fields:
            gateway['enable_snat'] = fields['enable_snat']
        return gateway

    def _interfaces(self, key, router_id, add, remove):
        subnets = self.layout.kind('subnets')
        for subnet in add:
            self.client.call('add interface %s to router %s' % (subnet, key), self.client.conn.network.add_interface_to_router,
                             router_id, subnet_id=subnets.id_of(subnet))
        for subnet in remove:
            self.client.call('remove interface %s from router %s' % (subnet, key), self.client.conn.network.remove_interface_from_router,
                             router_id, subnet_id=subnets.id_of(subnet))

    def create(self, key, want, item):
        attrs = compact({'description': want.get('description'), 'external_gateway_info': self._gateway(want)})
        router_id = self.client.call('create router %s' % key, self.client.conn.network.create_router, name=item['name'],
                                     project_id=self.project_id(item), **attrs).id
        self._interfaces(key, router_id, want.get('interfaces', ()), ())
        return router_id

    def update(self, key, changes, want, have, item):
        attrs = {}
        if 'description' in changes:
            attrs['description'] = changes['description']
        if 'external_network' in changes or 'enable_snat' in changes:
            attrs['external_gateway_info'] = self._gateway(want) or {}
        if attrs:
            self.client.call('update router %s' % key, self.client.conn.network.update_router, self.id_of(key), **attrs)
        if 'interfaces' in changes:
            old, new = set(have.get('interfaces') or ()), set(changes['interfaces'])
            self._interfaces(key, self.id_of(key), sorted(new - old), sorted(old - new))

    def delete(self, key, have, item):
        self._interfaces(key, self.id_of(key), (), have.get('interfaces') or ())
        self.client.call('delete router %s' % key, self.client.conn.network.delete_router, self.id_of(key))


class SecurityGroups(Kind):
    section = 'security_groups'
    project_scoped = True

    def read(self):
        projects = self.layout.kind('projects')
        groups = self.client.call('list security groups', self.client.conn.network.security_groups)
        names = {g.id: '%s/%s' % (projects.key_of(g.project_id), g.name) for g in groups}
        out = {}
        for g in groups:
            rules = {rule_key(r, names.get): r['id'] for r in g.security_group_rules or []}
            out[names[g.id]] = {'id': g.id, 'description': g.description or '', 'rules': sorted(rules), 'rule_ids': rules}
        return out

    def have(self, key, item):
        have = super().have(key, item)
        if have is not None:
            have.pop('rule_ids', None)
        return have

    def independent(self, items):
        return not any(rule.get('remote_group') not in (None, item['name'])
                       for item in items for rule in item.get('rules') or [])

    def _declared_rules(self, item):
        where = 'security_groups[%s]' % self.key(item)
        rules = {}
        for rule in item.get('rules') or []:
            rule = dict(rule)
            if rule.get('remote_group'):
                rule['remote_group'] = self.layout.reference('security_groups', item.get('project'), rule['remote_group'], where,
                                                             pending=self.key(item))
            rules[rule_key(rule)] = rule
        return rules

    def want(self, item, have):
        want = compact({'description': item.get('description')})
        if item.get('rules') is not None:
            declared = set(self._declared_rules(item))
            if have is not None and not self.layout.prune:
                declared |= set(have.get('rules') or ())
            want['rules'] = sorted(declared)
        return want

    def _rules(self, key, group_id, item, add, remove_ids):
        declared = self._declared_rules(item)
        groups = self.layout.kind('security_groups')
        for rule_text in add:
            rule = declared[rule_text]
            attrs = compact({k: rule.get(k) for k in ('direction', 'ethertype', 'protocol', 'port_range_min', 'port_range_max',
                                                      'remote_ip_prefix', 'description')})
            attrs.setdefault('direction', 'ingress')
            attrs.setdefault('ethertype', rule_text.split()[1])
            if attrs.get('protocol') == 'any':
                attrs.pop('protocol')
            if attrs.get('port_range_min') is not None and attrs.get('port_range_max') is None:
                attrs['port_range_max'] = attrs['port_range_min']
            if rule.get('remote_group'):
                attrs['remote_group_id'] = group_id if rule['remote_group'] == key else groups.id_of(rule['remote_group'])
            self.client.call('add rule "%s" to %s' % (rule_text, key), self.client.conn.network.create_security_group_rule,
                             security_group_id=group_id, **attrs)
        for rule_id in remove_ids:
            self.client.call('delete rule %s of %s' % (rule_id, key), self.client.conn.network.delete_security_group_rule, rule_id)

    def create(self, key, want, item):
        group = self.client.call('create security group %s' % key, self.client.conn.network.create_security_group,
                                 name=item['name'], project_id=self.project_id(item), description=want.get('description', ''))
        defaults = {rule_key(r): r['id'] for r in group.security_group_rules or []}
        wanted = set(want.get('rules', ()))
        remove = [rule_id for text, rule_id in defaults.items() if text not in wanted] if self.layout.prune else []
        self._rules(key, group.id, item, sorted(wanted - set(defaults)), remove)
        return group.id

    def update(self, key, changes, want, have, item):
        if 'description' in changes:
            self.client.call('update security group %s' % key, self.client.conn.network.update_security_group, self.id_of(key),
                             description=changes['description'])
        if 'rules' in changes:
            old, new = set(have.get('rules') or ()), set(changes['rules'])
            ids = self.index[key]['rule_ids']
            self._rules(key, self.id_of(key), item, sorted(new - old), [ids[t] for t in sorted(old - new)])

    def delete(self, key, have, item):
        self.client.call('delete security group %s' % key, self.client.conn.network.delete_security_group, self.id_of(key))


class Keypairs(Kind):
    section = 'keypairs'
    fixed = ('public_key',)

    def read(self):
        return {k.name: {'id': k.name, 'public_key': norm_key(k.public_key)}
                for k in self.client.call('list key pairs', self.client.conn.compute.keypairs)}

    def want(self, item, have):
        return {'public_key': norm_key(item['public_key'])}

    def create(self, key, want, item):
        self.client.call('create key pair %s' % key, self.client.conn.compute.create_keypair, name=key, public_key=item['public_key'])
        return key

    def delete(self, key, have, item):
        self.client.call('delete key pair %s' % key, self.client.conn.compute.delete_keypair, key)


KINDS = {k.section: k for k in (Projects, Users, RoleAssignments, Quotas, Flavors, Images, Networks, Subnets, Routers,
                                SecurityGroups, Keypairs)}


class Layout:
    """One convergence of a whole layout. ``sections``: {section: [items]} as the module received them."""

    def __init__(self, client, sections, domain='default', prune=False, parallel=1):
        self.client = client
        self.parallel = parallel
        self.sections = {k: v or [] for k, v in sections.items() if k in KINDS}
        self.domain = domain
        self.prune = prune
        self._kinds = {}
        self._pending = set()  # (section, key) declared present but not yet created (check mode)

    def kind(self, section):
        if section not in self._kinds:
            self._kinds[section] = KINDS[section](self)
        return self._kinds[section]

    # --- references
    def project_key(self, name):
        if name:
            return name
        projects = self.kind('projects')
        return projects.key_of(self.client.current_project_id)

    def project_id(self, name):
        return self.kind('projects').id_of(self.project_key(name))

    def require(self, section, key, where):
        if key not in self.kind(section).index and (section, key) not in self._pending:
            raise LayoutError('%s: %s %r neither exists nor is declared' % (where, section[:-1], key))
        return key

    def reference(self, section, project, name, where, pending=None):
        """The key of ``name`` in ``section``: in the item's project first, else the one object of that name."""
        if '/' in name:
            return self.require(section, name, where)
        own = '%s/%s' % (self.project_key(project), name)
        index = self.kind(section).index
        if own in index or (section, own) in self._pending or own == pending:
            return own
        matches = sorted(k for k in list(index) + [k for s, k in self._pending if s == section] if k.split('/', 1)[1] == name)
        if len(matches) == 1:
            return matches[0]
        if matches:
            raise LayoutError('%s: %s %r is ambiguous (%s); write it as project/name' % (where, section[:-1], name, ', '.join(matches)))
        raise LayoutError('%s: %s %r neither exists nor is declared' % (where, section[:-1], name))

    # --- convergence
    def _items(self, section):
        kind = self.kind(section)
        seen, out = set(), []
        for item in self.sections.get(section) or []:
            key = kind.key(item)
            if key in seen:
                raise LayoutError('%s: %s is declared more than once' % (section, key))
            seen.add(key)
            out.append((key, item))
        return out

    def map(self, fn, items):
        """``[fn(item) for item in items]`` for reads, up to ``READERS`` at a time."""
        items = list(items)
        if len(items) <= 1:
            return [fn(item) for item in items]
        with ThreadPoolExecutor(max_workers=READERS) as pool:
            return list(pool.map(fn, items))

    def _write(self, kind, jobs):
        """Run the writes of one kind (callables); return their results in order (a create returns the new ID).

        Objects of one kind do not depend on each other (except where ``kind.independent`` says
        otherwise), so up to ``parallel`` writes run at once on the one session.
        """
        if self.parallel <= 1 or len(jobs) <= 1 or not kind.independent(self.sections.get(kind.section) or []):
            return [job() for job in jobs]
        with ThreadPoolExecutor(max_workers=self.parallel) as pool:
            return list(pool.map(lambda job: job(), jobs))

    def converge(self, check_mode):
        results, before, after = [], {}, {}

        def record(section, key, action, changes, old, new):
            kind = self.kind(section)
            entry = {'kind': section, 'name': key, 'action': action, 'changed': action != 'none'}
            if changes:
                entry['changes'] = sorted(changes)
            have = kind.index.get(key)
            if have and have.get('id'):
                entry['id'] = have['id']
            results.append(entry)
            if action != 'none':
                label = '%s/%s' % (section, key)
                before[label] = None if old is None else masked(old, kind.secret)
                after[label] = None if new is None else masked(new, kind.secret)
            return entry

        # Every declared kind is listed once, concurrently (a kind that needs another's names waits for it).
        declared = [section for section in ORDER if self.sections.get(section)]
        if declared:
            self.project_key(None)
            self.map(lambda section: self.kind(section).index, declared)
        absent = {}
        for section in ORDER:
            if not self.sections.get(section):
                continue
            kind = self.kind(section)
            jobs, created = [], []  # the writes, and for each (key, want, entry) when it creates an object
            for key, item in self._items(section):
                if item.get('state', 'present') == 'absent':
                    absent.setdefault(section, []).append((key, item))
                    continue
                have = kind.have(key, item)
                want = kind.want(item, have)
                action, changes = decide(want, have, kind.fixed, kind.secret, '%s[%s]' % (section, key))
                if action == 'create':
                    entry = record(section, key, action, changes, None, want)
                    if check_mode:
                        self._pending.add((section, key))
                    else:
                        jobs.append(partial(kind.create, key, want, item))
                        created.append((key, want, entry))
                elif action == 'update':
                    record(section, key, action, changes, {k: have.get(k) for k in changes}, changes)
                    if not check_mode:
                        jobs.append(partial(kind.update, key, changes, want, have, item))
                        created.append(None)
                else:
                    record(section, key, 'none', None, None, None)
            for new, new_id in zip(created, self._write(kind, jobs)):
                if new:
                    key, want, entry = new
                    kind.index[key] = dict(want, id=new_id)
                    entry['id'] = new_id
        for section in reversed(ORDER):
            kind, jobs = self.kind(section), []
            for key, item in absent.get(section, ()):
                have = kind.have(key, item)
                if have is None:
                    record(section, key, 'none', None, None, None)
                    continue
                record(section, key, 'delete', None, have, None)
                if not check_mode:
                    jobs.append(partial(kind.delete, key, have, item))
            self._write(kind, jobs)
        summary = {}
        for entry in results:
            summary[entry['action']] = summary.get(entry['action'], 0) + 1
        return {'changed': any(r['changed'] for r in results), 'resources': results, 'summary': summary,
                'diff': {'before': before, 'after': after}}

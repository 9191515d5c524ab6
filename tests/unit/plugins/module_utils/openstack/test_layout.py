# -*- coding: utf-8 -*-
# Copyright: strata.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The layout planner: decisions, normalisation, references, order, check mode, one list per kind."""

from __future__ import annotations

from types import SimpleNamespace as NS

import pytest

from ansible_collections.strata.cloud.plugins.module_utils.openstack.errors import LayoutError
from ansible_collections.strata.cloud.plugins.module_utils.openstack.layout import (
    Layout,
    decide,
    norm_key,
    norm_pools,
    rule_key,
)


@pytest.mark.parametrize('want, have, expected', [
    ({'mtu': 1400}, None, ('create', {'mtu': 1400})),
    ({'mtu': 1400}, {'mtu': 1400, 'shared': False}, ('none', {})),
    ({'mtu': 1300}, {'mtu': 1400}, ('update', {'mtu': 1300})),
    ({'password': 'x'}, {}, ('none', {})),
])
def test_decide(want, have, expected):
    assert decide(want, have, secret=('password',)) == expected


def test_decide_fixed_field_names_item_and_values():
    with pytest.raises(LayoutError, match=r"flavors\[f1\]: vcpus cannot be changed .*it is 1, declared 2"):
        decide({'vcpus': 2}, {'vcpus': 1}, fixed=('vcpus',), where='flavors[f1]')


@pytest.mark.parametrize('rule, expected', [
    ({'protocol': 'tcp', 'port_range_min': 22, 'remote_ip_prefix': '0.0.0.0/0'}, 'ingress IPv4 tcp 22-22 0.0.0.0/0'),
    ({'direction': 'egress', 'ethertype': 'IPv6', 'protocol': None, 'port_range_min': None, 'port_range_max': None,
      'remote_ip_prefix': None, 'remote_group_id': None}, 'egress IPv6 any any'),
    ({'protocol': 'TCP', 'port_range_min': 80, 'port_range_max': 81, 'remote_ip_prefix': '10.0.0.1/16'}, 'ingress IPv4 tcp 80-81 10.0.0.0/16'),
    ({'remote_ip_prefix': '2001:db8::/32'}, 'ingress IPv6 any 2001:db8::/32'),
    ({'remote_group': 'p/web', 'protocol': 'icmp'}, 'ingress IPv4 icmp group=p/web'),
])
def test_rule_key(rule, expected):
    assert rule_key(rule) == expected


def test_rule_key_maps_remote_group_ids():
    assert rule_key({'remote_group_id': 'g1', 'protocol': 'tcp'}, {'g1': 'p/web'}.get) == 'ingress IPv4 tcp group=p/web'


def test_normalisers():
    assert norm_pools([{'start': '10.0.0.9', 'end': '10.0.0.20'}, '10.0.0.2-10.0.0.5']) == ['10.0.0.2-10.0.0.5', '10.0.0.9-10.0.0.20']
    assert norm_key('ssh-ed25519 AAAA comment here\n') == 'ssh-ed25519 AAAA'


class FakeClient:
    """Records every call; list calls return the given objects."""

    def __init__(self, **lists):
        self.calls = []
        self.current_project_id = 'pid-admin'
        self.lists = lists
        self.conn = NS(identity=NS(projects=self._list('projects'), users=self._list('users'), roles=self._list('roles'),
                                   role_assignments=self._list('role_assignments'), create_project=self._create('project')),
                       network=NS(networks=self._list('networks'), subnets=self._list('subnets'), routers=self._list('routers'),
                                  ports=self._list('ports'), security_groups=self._list('security_groups'),
                                  create_network=self._create('network'), create_subnet=self._create('subnet'),
                                  update_network=self._create('network-update'), delete_network=self._create('network-delete'),
                                  delete_subnet=self._create('subnet-delete')),
                       compute=NS(flavors=self._list('flavors')))

    def _list(self, name):
        def fn(**query):
            return iter(self.lists.get(name, []))
        fn.__name__ = name
        return fn

    def _create(self, name):
        def fn(*args, **kwargs):
            return NS(id='new-%s-%d' % (name, len(self.calls)), security_group_rules=[])
        fn.__name__ = name
        return fn

    def call(self, what, fn, *args, **kwargs):
        self.calls.append(what)
        result = fn(*args, **kwargs)
        return list(result) if hasattr(result, '__next__') else result


def project(pid, name):
    return NS(id=pid, name=name, domain_id='default', description='', is_enabled=True)


def network(nid, name, pid, mtu=1500):
    return NS(id=nid, name=name, project_id=pid, is_shared=False, is_router_external=False, mtu=mtu, is_port_security_enabled=True,
              description='', provider_network_type='vxlan', provider_physical_network=None, provider_segmentation_id=7)


def subnet(sid, name, pid, nid, cidr):
    return NS(id=sid, name=name, project_id=pid, network_id=nid, cidr=cidr, ip_version=4, gateway_ip=cidr.replace('0/24', '1'),
              is_dhcp_enabled=True, description='', dns_nameservers=[], allocation_pools=[])


def fixture_client(**extra):
    lists = dict(projects=[project('pid-admin', 'admin'), project('pid-a', 'alpha'), project('pid-b', 'beta')],
                 networks=[network('n1', 'app', 'pid-a'), network('n2', 'ext', 'pid-admin')],
                 subnets=[subnet('s1', 'app-v4', 'pid-a', 'n1', '10.0.0.0/24')])
    lists.update(extra)
    return FakeClient(**lists)


def test_check_mode_plans_dependent_objects_and_writes_nothing():
    client = fixture_client()
    layout = Layout(client, {
        'networks': [{'name': 'app', 'project': 'alpha', 'mtu': 1400}, {'name': 'db', 'project': 'alpha'}],
        'subnets': [{'name': 'db-v4', 'project': 'alpha', 'network': 'db', 'cidr': '10.1.0.7/24'},
                    {'name': 'app-v4', 'project': 'alpha', 'network': 'app', 'cidr': '10.0.0.0/24'}],
    })
    result = layout.converge(check_mode=True)
    assert [(r['kind'], r['name'], r['action']) for r in result['resources']] == [
        ('networks', 'alpha/app', 'update'), ('networks', 'alpha/db', 'create'),
        ('subnets', 'alpha/db-v4', 'create'), ('subnets', 'alpha/app-v4', 'none')]
    assert result['diff']['after']['subnets/alpha/db-v4']['network'] == 'alpha/db'
    assert result['diff']['after']['subnets/alpha/db-v4']['cidr'] == '10.1.0.0/24'
    assert result['diff']['before']['networks/alpha/app'] == {'mtu': 1500}
    assert all(c.startswith('list ') for c in client.calls)
    # one list request per kind, however many items
    assert sorted(client.calls) == ['list networks', 'list projects', 'list subnets']


def test_apply_writes_only_differences_in_order():
    client = fixture_client()
    layout = Layout(client, {
        'networks': [{'name': 'app', 'project': 'alpha', 'mtu': 1400}, {'name': 'db', 'project': 'alpha'}],
        'subnets': [{'name': 'db-v4', 'project': 'alpha', 'network': 'db', 'cidr': '10.1.0.0/24'}],
    })
    result = layout.converge(check_mode=False)
    writes = [c for c in client.calls if not c.startswith('list ')]
    assert writes == ['update network alpha/app', 'create network alpha/db', 'create subnet alpha/db-v4']
    assert result['changed'] and result['summary'] == {'update': 1, 'create': 2}


def test_parallel_writes_make_the_same_calls_kind_by_kind():
    sections = {'networks': [{'name': 'n%d' % i, 'project': 'beta'} for i in range(6)],
                'subnets': [{'name': 's%d' % i, 'project': 'beta', 'network': 'n%d' % i, 'cidr': '10.5.%d.0/24' % i} for i in range(6)]}
    serial, parallel = fixture_client(), fixture_client()
    a = Layout(serial, sections).converge(check_mode=False)
    b = Layout(parallel, sections, parallel=4).converge(check_mode=False)
    assert a['summary'] == b['summary'] == {'create': 12}
    writes = [c for c in parallel.calls if not c.startswith('list ')]
    assert sorted(writes[:6]) == ['create network beta/n%d' % i for i in range(6)]
    assert sorted(writes[6:]) == ['create subnet beta/s%d' % i for i in range(6)]
    assert all(r.get('id') for r in b['resources'])


def test_groups_referring_to_each_other_are_written_in_turn():
    layout = Layout(fixture_client(), {}, parallel=4)
    groups = layout.kind('security_groups')
    assert groups.independent([{'name': 'a', 'rules': [{'remote_group': 'a'}]}])
    assert not groups.independent([{'name': 'a', 'rules': [{'remote_group': 'b'}]}, {'name': 'b'}])


def test_deletion_runs_after_creation_in_reverse_order():
    client = fixture_client()
    layout = Layout(client, {
        'networks': [{'name': 'app', 'project': 'alpha', 'state': 'absent'}, {'name': 'new', 'project': 'beta'}],
        'subnets': [{'name': 'app-v4', 'project': 'alpha', 'state': 'absent'}],
    })
    layout.converge(check_mode=False)
    writes = [c for c in client.calls if not c.startswith('list ')]
    assert writes == ['create network beta/new', 'delete subnet alpha/app-v4', 'delete network alpha/app']


def test_reference_falls_back_to_the_one_object_of_that_name():
    layout = Layout(fixture_client(), {'subnets': [{'name': 'pub', 'project': 'beta', 'network': 'ext', 'cidr': '192.0.2.0/24'}]})
    result = layout.converge(check_mode=True)
    assert result['diff']['after']['subnets/beta/pub']['network'] == 'admin/ext'


@pytest.mark.parametrize('sections, message', [
    ({'subnets': [{'name': 'x', 'project': 'alpha', 'network': 'nope', 'cidr': '10.9.0.0/24'}]},
     r"subnets\[alpha/x\]: network 'nope' neither exists nor is declared"),
    ({'networks': [{'name': 'dup', 'project': 'beta'}, {'name': 'dup', 'project': 'beta'}]},
     r'networks: beta/dup is declared more than once'),
    ({'networks': [{'name': 'app', 'project': 'beta'}],
      'subnets': [{'name': 'x', 'project': 'admin', 'network': 'app', 'cidr': '10.9.0.0/24'}]},
     r"network 'app' is ambiguous \(alpha/app, beta/app\)"),
    ({'subnets': [{'name': 'x', 'project': 'alpha', 'network': 'app', 'cidr': '10.9.0.300/24'}]},
     r'subnets\[alpha/x\]: .*does not appear to be'),
    ({'subnets': [{'name': 'app-v4', 'project': 'alpha', 'network': 'app', 'cidr': '10.9.0.0/24'}]},
     r'subnets\[alpha/app-v4\]: cidr cannot be changed'),
])
def test_bad_layouts_name_the_item(sections, message):
    with pytest.raises(LayoutError, match=message):
        Layout(fixture_client(), sections).converge(check_mode=True)


def group(gid, name, pid, rules):
    return NS(id=gid, name=name, project_id=pid, description='', security_group_rules=[
        dict({'id': 'r%d' % i, 'direction': 'ingress', 'ethertype': 'IPv4', 'protocol': None, 'port_range_min': None,
              'port_range_max': None, 'remote_ip_prefix': None, 'remote_group_id': None}, **r) for i, r in enumerate(rules)])


@pytest.mark.parametrize('prune, action, rules', [
    (False, 'none', None),
    (True, 'update', ['ingress IPv4 tcp 22-22 0.0.0.0/0']),
])
def test_undeclared_rules_are_removed_only_with_prune(prune, action, rules):
    client = fixture_client(security_groups=[group('g1', 'web', 'pid-a', [
        {'protocol': 'tcp', 'port_range_min': 22, 'port_range_max': 22, 'remote_ip_prefix': '0.0.0.0/0'},
        {'direction': 'egress'}])])
    layout = Layout(client, {'security_groups': [{'name': 'web', 'project': 'alpha', 'rules': [
        {'protocol': 'tcp', 'port_range_min': 22, 'remote_ip_prefix': '0.0.0.0/0'}]}]}, prune=prune)
    result = layout.converge(check_mode=True)
    assert result['resources'][0]['action'] == action
    if rules:
        assert result['diff']['after']['security_groups/alpha/web']['rules'] == rules


def test_flavors_are_compared_normalised():
    client = fixture_client(flavors=[NS(id='f1', name='small', vcpus=1, ram=512, disk=1, ephemeral=None, swap='', is_public=True)])
    result = Layout(client, {'flavors': [{'name': 'small', 'vcpus': 1, 'ram': 512, 'disk': 1, 'swap': 0, 'ephemeral': 0}]}).converge(True)
    assert result['summary'] == {'none': 1}


def test_provider_layout_from_named_networks():
    from ansible_collections.strata.cloud.plugins.module_utils.openstack.provider import provider_layout
    site = {'provider': {'cidr': '203.0.113.0/24', 'vlan': 120, 'mtu': 1500, 'gateway': '203.0.113.1'},
            'ext': {'cidr': '198.51.100.0/24'}}
    out = provider_layout(site, [{'network': 'provider', 'physical_network': 'physnet1'},
                                 {'network': 'ext', 'physical_network': 'physnet2', 'name': 'public', 'shared': True},
                                 {'network': 'nope', 'physical_network': 'x'}, {'network': 'ext'}])
    assert out['networks'][0] == {'name': 'provider', 'external': True, 'shared': False, 'mtu': 1500,
                                  'provider': {'network_type': 'vlan', 'physical_network': 'physnet1', 'segmentation_id': 120}}
    assert out['networks'][1]['provider'] == {'network_type': 'flat', 'physical_network': 'physnet2'}
    assert out['subnets'][0] == {'name': 'provider-subnet', 'network': 'provider', 'cidr': '203.0.113.0/24',
                                 'enable_dhcp': False, 'gateway_ip': '203.0.113.1'}
    assert out['subnets'][1]['network'] == 'public'
    assert len(out['errors']) == 2
    assert "openstack_bootstrap_provider_networks[2].network: 'nope' is not a name in strata_networks (ext, provider)" in out['errors'][0]
    assert out['errors'][1].startswith('openstack_bootstrap_provider_networks[3].physical_network: missing')

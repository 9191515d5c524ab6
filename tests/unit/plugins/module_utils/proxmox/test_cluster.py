# -*- coding: utf-8 -*-
# Copyright: strata.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Cluster formation: status parsing and the plan (create, join order, removal, refusals) from what nodes report."""

from __future__ import annotations

import pytest

from ansible_collections.strata.cloud.plugins.module_utils.proxmox.cluster import ClusterFormation, link_params, membership
from ansible_collections.strata.cloud.plugins.module_utils.proxmox.errors import ProxmoxConnectionError, ProxmoxError


def standalone(node):
    return [{'type': 'node', 'name': node, 'nodeid': 0, 'online': 1, 'local': 1, 'ip': '10.0.0.1'}]


def clustered(local, members, name='lab', offline=()):
    up = [m for m in members if m not in offline]
    out = [{'type': 'cluster', 'name': name, 'nodes': len(members), 'quorate': int(len(up) * 2 > len(members)), 'version': 4}]
    for i, node in enumerate(members):
        out.append({'type': 'node', 'name': node, 'nodeid': i + 1, 'online': int(node not in offline), 'local': int(node == local)})
    return out


class Client:
    host, port = '127.0.0.1', 8006

    def __init__(self, status=None, error=None):
        self.status, self.error, self.writes = status, error, []

    def get(self, path, **params):
        if self.error:
            raise self.error
        return self.status

    def post(self, path, **params):
        self.writes.append((path, params))


def formation(statuses, remove=()):
    nodes = [{'node': n, 'links': []} for n in statuses]
    clients = {n: (s if isinstance(s, Client) else Client(s)) for n, s in statuses.items()}
    return ClusterFormation('lab', nodes, clients, 'pw', remove=remove)


def test_membership_parsing():
    assert membership(standalone('pve1')) == {'cluster': None, 'quorate': False, 'local': 'pve1', 'members': {}}
    state = membership(clustered('pve2', ['pve1', 'pve2', 'pve3'], offline=['pve3']))
    assert state['cluster'] == 'lab' and state['quorate'] and state['local'] == 'pve2'
    assert {n: m['online'] for n, m in state['members'].items()} == {'pve1': True, 'pve2': True, 'pve3': False}
    assert link_params(['10.0.0.1', '', '10.1.0.1']) == {'link0': '10.0.0.1', 'link2': '10.1.0.1'}


def test_fresh_nodes_create_on_the_first_and_join_in_order():
    form = formation({'pve1': standalone('pve1'), 'pve3': standalone('pve3'), 'pve2': standalone('pve2')})
    plan = form.plan(form.read())
    assert plan == {'create': 'pve1', 'anchor': 'pve1', 'join': ['pve3', 'pve2'], 'remove': [], 'before': None}
    result = form.run(check_mode=True)
    assert result['changed'] and result['members'] == ['pve1', 'pve2', 'pve3'] and not any(c.writes for c in form.clients.values())


def test_existing_cluster_joins_only_the_missing_through_an_online_member():
    # pve1 reports itself offline (corosync restarting, say): the anchor is the first online member
    members = ['pve1', 'pve2', 'pve4']
    form = formation({'pve1': clustered('pve1', members, offline=['pve1']), 'pve2': clustered('pve2', members, offline=['pve1']),
                      'pve3': standalone('pve3')})
    plan = form.plan(form.read())
    assert plan['anchor'] == 'pve2' and plan['join'] == ['pve3'] and plan['create'] is None


def test_converged_cluster_is_a_no_op():
    members = ['pve1', 'pve2', 'pve3']
    form = formation({n: clustered(n, members) for n in members})
    result = form.run(check_mode=False)
    assert not result['changed'] and result['joined'] == [] and result['quorate'] and result['online'] == members


@pytest.mark.parametrize('statuses, remove, message', [
    ({'pve1': clustered('pve1', ['pve1'], name='other'), 'pve2': standalone('pve2')}, (),
     'nodes[0] (pve1) is a member of cluster "other", not "lab"'),
    ({'pve1': clustered('pve1', ['pve1']), 'pve2': clustered('pve2', ['pve1', 'pve2'])}, (),
     'pve2 still carries the configuration of cluster "lab" but the cluster no longer lists it'),
    ({'pve1': clustered('pve1', ['pve1', 'pve2', 'pve3']), 'pve2': clustered('pve2', ['pve1', 'pve2', 'pve3'])}, ('pve3',),
     'remove: pve3 still online in cluster "lab"'),
    ({'pve1': clustered('pve1', ['pve1', 'pve2', 'pve3'], offline=['pve2', 'pve3']), 'pve4': standalone('pve4')}, (),
     'cluster "lab" is not quorate (1 of 3 nodes online, seen from pve1)'),
    ({'pve1': clustered('pve1', ['pve1']), 'pve2': standalone('pve2')}, ('pve2',), 'remove: pve2 is also in nodes'),
    ({'pve1': standalone('pve1'), 'pve2': Client(error=ProxmoxConnectionError('refused'))}, (),
     'nodes[1] (pve2): cannot read its cluster status at 127.0.0.1:8006: refused'),
    ({'pve1': standalone('pve9')}, (), 'nodes[0].node: declared as pve1, but the API at 127.0.0.1:8006 is node pve9'),
])
def test_refusals(statuses, remove, message):
    form = formation(statuses, remove)
    with pytest.raises(ProxmoxError) as error:
        form.run(check_mode=False)
    assert message in str(error.value)
    assert not any(c.writes for c in form.clients.values())


def test_unreachable_member_is_a_warning():
    members = ['pve1', 'pve2', 'pve3']
    form = formation({'pve1': clustered('pve1', members, offline=['pve3']), 'pve2': clustered('pve2', members, offline=['pve3']),
                      'pve3': Client(error=ProxmoxConnectionError('no route'))})
    result = form.run(check_mode=False)
    assert not result['changed'] and result['warnings'] == [
        'pve3: a member of cluster "lab" whose API does not answer (it is offline in the cluster)']

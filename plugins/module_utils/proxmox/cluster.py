# -*- coding: utf-8 -*-
# Copyright: strata.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""proxmox_cluster: form a Proxmox VE cluster through the nodes' APIs.

Every node is read first (``GET /cluster/status``, one request each); from what they report the
plan is made once: create on the first node when no node is a member, join the others one at a
time through their own API (the cluster's address and certificate fingerprint from
``GET /cluster/config/join``), wait after each join until the cluster is quorate with the new node
online, and remove nodes that were switched off. Check mode stops after the plan. Create, join and
node removal are root@pam calls: Proxmox VE refuses API tokens for them.
"""

from __future__ import annotations

from ansible_collections.strata.cloud.plugins.module_utils.proxmox.errors import ProxmoxError
from ansible_collections.strata.cloud.plugins.module_utils.proxmox.tasks import TaskWaiter


class ProxmoxClusterError(ProxmoxError):
    """The declared cluster cannot be reached from the nodes' current state."""


def membership(status):
    """``GET /cluster/status`` -> {'cluster': name or None, 'quorate': bool, 'local': node,
    'members': {node: {'nodeid', 'online', 'ip'}}} (members empty for a standalone node)."""
    out = {'cluster': None, 'quorate': False, 'local': None, 'members': {}}
    for entry in status or []:
        if entry.get('type') == 'cluster':
            out['cluster'] = entry.get('name')
            out['quorate'] = bool(int(entry.get('quorate') or 0))
        elif entry.get('type') == 'node':
            if int(entry.get('local') or 0):
                out['local'] = entry.get('name')
            if int(entry.get('nodeid') or 0) > 0:
                online = bool(int(entry.get('online') or 0))
                out['members'][entry['name']] = {'nodeid': int(entry['nodeid']), 'online': online, 'ip': entry.get('ip', '')}
    if out['cluster'] is None:
        out['members'] = {}
    return out


def link_params(links):
    """Link addresses (link0 first) -> ``{'link0': addr, 'link1': addr}``."""
    return {'link%d' % i: address for i, address in enumerate(links or []) if address}


def summary(state):
    return {'members': sorted(state['members']), 'online': sorted(n for n, m in state['members'].items() if m['online']),
            'quorate': state['quorate']} if state else {'members': [], 'online': [], 'quorate': False}


class ClusterFormation:
    """Plan and apply one cluster. ``clients``: node name -> ProxmoxClient logged in as root@pam."""

    def __init__(self, name, nodes, clients, password, remove=(), task_timeout=300, quorum_timeout=300, waiter=TaskWaiter):
        self.name = name
        self.nodes = nodes               # [{'node', 'links'}], in the declared order
        self.clients = clients
        self.password = password
        self.remove = list(remove)
        self.task_timeout = task_timeout
        self.quorum_timeout = quorum_timeout
        self.waiter = waiter
        self.order = [n['node'] for n in nodes]
        self.unreachable = {}
        self.warnings = []

    # --- reading -----------------------------------------------------------------------------------
    def read(self):
        """Membership as each declared node sees it (None for a node whose API does not answer)."""
        states, self.unreachable = {}, {}
        for index, node in enumerate(self.order):
            client = self.clients[node]
            try:
                state = membership(client.get('/cluster/status'))
            except ProxmoxError as exc:
                states[node] = None
                self.unreachable[node] = 'nodes[%d] (%s): cannot read its cluster status at %s:%s: %s' % (
                    index, node, client.host, client.port, exc)
                continue
            if state['local'] not in (None, node):
                raise ProxmoxClusterError('nodes[%d].node: declared as %s, but the API at %s:%s is node %s'
                                          % (index, node, client.host, client.port, state['local']))
            states[node] = state
        return states

    def plan(self, states):
        """What to do: {'create': node or None, 'anchor': node, 'join': [...], 'remove': [...], 'before': state}."""
        for index, node in enumerate(self.order):
            other = (states[node] or {}).get('cluster')
            if other not in (None, self.name):
                raise ProxmoxClusterError('nodes[%d] (%s) is a member of cluster "%s", not "%s": a node leaves a cluster only by '
                                          'being removed and reinstalled; take it out of nodes or fix name' % (index, node, other, self.name))
        for node in self.remove:
            if node in self.order:
                raise ProxmoxClusterError('remove: %s is also in nodes; a node is either kept or removed' % node)
        members = [n for n in self.order if states[n] and states[n]['cluster'] == self.name]
        if not members:
            if self.unreachable:
                raise ProxmoxClusterError('; '.join(self.unreachable.values()))
            return {'create': self.order[0], 'anchor': self.order[0], 'join': self.order[1:], 'remove': [], 'before': None}
        online = [n for n in members if states[n]['members'].get(n, {}).get('online')]
        anchor = online[0] if online else members[0]
        before = states[anchor]
        known = before['members']
        for node in members:
            if node not in known:
                raise ProxmoxClusterError('nodes: %s still carries the configuration of cluster "%s" but the cluster no longer lists it '
                                          '(it was removed); reinstall it before it joins again' % (node, self.name))
        lost = [self.unreachable[n] for n in self.unreachable if n not in known]
        if lost:
            raise ProxmoxClusterError('; '.join(lost) + ' (a node joins only while its API answers)')
        self.warnings = ['%s: a member of cluster "%s" whose API does not answer (it is %s in the cluster)'
                         % (n, self.name, 'online' if known[n]['online'] else 'offline') for n in self.unreachable]
        join = [n for n in self.order if n not in known]
        remove = [n for n in self.remove if n in known]
        still_on = [n for n in remove if known[n]['online']]
        if still_on:
            raise ProxmoxClusterError('remove: %s still online in cluster "%s"; shut the node(s) down (or let them leave) before '
                                      'removing them' % (', '.join(still_on), self.name))
        if (join or remove) and not before['quorate']:
            up = sum(1 for m in known.values() if m['online'])
            raise ProxmoxClusterError('cluster "%s" is not quorate (%d of %d nodes online, seen from %s): nodes are joined or '
                                      'removed only in a quorate cluster; bring nodes back first' % (self.name, up, len(known), anchor))
        return {'create': None, 'anchor': anchor, 'join': join, 'remove': remove, 'before': before}

    # --- writing -----------------------------------------------------------------------------------
    def _links(self, node):
        return next(n.get('links') or [] for n in self.nodes if n['node'] == node)

    def _wait_task(self, node, upid):
        return self.waiter(self.clients[node]).wait(upid, self.task_timeout)

    def _wait_member(self, anchor, node):
        """Until the anchor sees ``node`` online in a quorate cluster (the one waiter's clock)."""
        waiter = self.waiter(self.clients[anchor])
        started = waiter.clock()

        def watch():
            while True:
                state = membership(self.clients[anchor].get('/cluster/status'))
                if state['quorate'] and state['members'].get(node, {}).get('online'):
                    return state
                if waiter.clock() - started > self.quorum_timeout:
                    raise ProxmoxClusterError('%s joined cluster "%s" but the cluster was not quorate with it online after %d s '
                                              '(seen from %s: %s); check corosync on the link addresses'
                                              % (node, self.name, self.quorum_timeout, anchor, summary(state)))
                yield 1.0

        result = waiter.run({'quorum': watch()}, self.quorum_timeout + 60)['quorum']
        if isinstance(result, Exception):
            raise result
        return result

    def apply(self, plan):
        anchor = plan['anchor']
        if plan['create']:
            upid = self.clients[anchor].post('/cluster/config', clustername=self.name, **link_params(self._links(anchor)))
            self._wait_task(anchor, upid)
            self._wait_member(anchor, anchor)
        if plan['join']:
            info = self.clients[anchor].get('/cluster/config/join', node=anchor)
            entry = next((e for e in info.get('nodelist', []) if e.get('name') == anchor), None)
            if entry is None:
                raise ProxmoxClusterError('cluster "%s": %s does not list itself in its join information' % (self.name, anchor))
            address = (self._links(anchor) or [entry.get('pve_addr')])[0]
            for node in plan['join']:
                upid = self.clients[node].post('/cluster/config/join', hostname=address, fingerprint=entry['pve_fp'],
                                               password=self.password, **link_params(self._links(node)))
                self._wait_task(node, upid)
                self._wait_member(anchor, node)
        for node in plan['remove']:
            self.clients[anchor].delete('/cluster/config/nodes/%s' % node)
        return membership(self.clients[anchor].get('/cluster/status'))

    def run(self, check_mode):
        plan = self.plan(self.read())
        changed = bool(plan['create'] or plan['join'] or plan['remove'])
        after = plan['before']
        if changed and not check_mode:
            after = self.apply(plan)
        elif changed:
            members = dict((plan['before'] or {}).get('members', {}))
            for node in ([plan['create']] if plan['create'] else []) + plan['join']:
                members[node] = {'online': True}
            for node in plan['remove']:
                members.pop(node, None)
            after = {'members': members, 'quorate': True}
        result = summary(after)
        return {
            'changed': changed,
            'cluster': self.name,
            'created': bool(plan['create']),
            'joined': plan['join'],
            'removed': plan['remove'],
            'anchor': plan['anchor'],
            'members': result['members'],
            'online': result['online'],
            'quorate': result['quorate'],
            'diff': {'before': summary(plan['before']), 'after': result},
            'warnings': list(self.warnings),
        }

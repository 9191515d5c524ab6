# -*- coding: utf-8 -*-
# Copyright: strata.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Cluster membership: ``GET /cluster/status`` of every simulator, and cluster formation by single-node
simulators that create, join and leave a corosync cluster.

A simulator of several nodes serves one cluster named ``sim`` from the start (quorum follows its
nodes' online state).

A :class:`Fabric` holds simulators started as standalone nodes (one node each, no cluster), and the
addresses they know each other by, as a real join does (``hostname`` is an address of a member,
``fingerprint`` its API certificate's SHA-256). No traffic leaves the process: a join resolves the
peer's address in the fabric. What a real Proxmox VE does and the simulator copies:

* ``POST /cluster/config``, ``POST /cluster/config/join`` and ``DELETE /cluster/config/nodes/{node}``
  are for ``root@pam`` only (no permission entry in the schema): an API token, even root's, is refused.
* create and join start a task; a wrong fingerprint, a wrong password or an unknown peer make the
  join task fail (the call itself answers with a UPID); a node that is already a member, or holds
  guests, is refused at once.
* a joined node counts as online only after ``settle`` seconds (corosync and pmxcfs starting), so
  a client has to wait for quorum; a node can be switched off (:meth:`Fabric.power`).
* deleting a node keeps the others quorate; deleting yourself is refused; the removed node keeps
  its stale configuration (a real one must be reinstalled before it joins again).
"""

from __future__ import annotations

import contextlib
import hashlib
import ssl
import threading
import time

from . import api
from .state import ApiError, fail

NOT_A_MEMBER = "Corosync config '/etc/pve/corosync.conf' does not exist - is this node part of a cluster?"
ROOT_ONLY = {('POST', '/cluster/config'), ('POST', '/cluster/config/join'), ('DELETE', '/cluster/config/nodes/{node}')}


def fingerprint(pem_path):
    with open(pem_path, encoding='ascii') as handle:
        der = ssl.PEM_cert_to_DER_cert(handle.read())
    digest = hashlib.sha256(der).hexdigest().upper()
    return ':'.join(digest[i:i + 2] for i in range(0, len(digest), 2))


class Membership:
    """One corosync cluster: its name, config version and nodes (with the simulator serving each)."""

    def __init__(self, name, version=1):
        self.name = name
        self.version = version
        self.nodes = {}         # name -> {'nodeid', 'votes', 'links', 'sim', 'online_after'}

    @classmethod
    def of(cls, name, sim):
        """The cluster a multi-node simulator serves from the start: all its nodes, quorum from their state."""
        ring = cls(name, version=3)
        for index, node in enumerate(sim.cluster.nodes):
            ring.nodes[node] = {'nodeid': index + 1, 'votes': 1, 'links': {0: sim.cluster.address}, 'sim': sim,
                                'online_after': 0.0}
        return ring

    def online(self, node):
        entry = self.nodes[node]
        return entry['sim'].cluster.nodes[node]['online'] and time.monotonic() >= entry['online_after']

    def quorate(self):
        total = sum(e['votes'] for e in self.nodes.values())
        up = sum(e['votes'] for n, e in self.nodes.items() if self.online(n))
        return int(up * 2 > total)


class Fabric:
    """Standalone simulators that can form clusters with each other."""

    def __init__(self, settle=0.5):
        self.settle = settle
        self.lock = threading.RLock()
        self.by_address = {}
        self.sims = {}

    def start_node(self, name, address, profile='8.4', root_password='root-secret'):
        """Start a standalone node ``name`` known to the others as ``address``."""
        from .server import Simulator
        sim = Simulator(profile, nodes=(name,))
        sim.cluster.users['root@pam']['password'] = root_password
        self.add(sim, address)
        return sim.start()

    def stop(self):
        for sim in self.sims.values():
            sim.stop()

    def add(self, sim, address):
        """Serve ``sim`` (a one-node, not yet started or started simulator) at ``address``."""
        node = next(iter(sim.cluster.nodes))
        sim.cluster.fabric = self
        sim.cluster.local_node = node
        sim.cluster.address = address
        sim.cluster.corosync = None
        sim.powered = True
        self.by_address[address] = sim
        self.sims[node] = sim
        return sim

    def power(self, node, on):
        """Switch a node off (its API stops answering, it leaves quorum) or on again."""
        with self.lock:
            sim = self.sims[node]
            sim.powered = bool(on)
            sim.cluster.nodes[node]['online'] = bool(on)

    def membership(self, node):
        return self.sims[node].cluster.corosync


def _local(ctx):
    if ctx.c.fabric is None:
        raise ApiError(501, 'cluster formation needs a simulator started in a Fabric')
    return ctx.c.fabric, ctx.c.local_node


def _ring(ctx, missing):
    """(fabric, node, membership) of a node that is in a cluster; ``missing`` is the error of one that is not."""
    fabric, local = _local(ctx)
    if ctx.c.corosync is None:
        fail(missing)
    return fabric, local, ctx.c.corosync


def _standalone(ctx):
    """A node that may create or join: not in a cluster yet. Returns (fabric, node, its link addresses)."""
    fabric, local = _local(ctx)
    if ctx.c.corosync is not None:
        fail("cluster config '/etc/pve/corosync.conf' already exists")
    return fabric, local, _link_addresses(ctx.p) or {0: ctx.c.address}


def _link_addresses(params):
    links = {}
    for key, value in params.items():
        if key.startswith('link') and key[4:].isdigit():
            address = str(value).split(',', maxsplit=1)[0]
            links[int(key[4:])] = address.split('=', 1)[1] if address.startswith('address=') else address
    return links


@api.route('GET', '/cluster/status')
def status(ctx):
    """``GET /cluster/status``: only the node itself while standalone, else the cluster and its members."""
    fabric, local = ctx.c.fabric, ctx.c.local_node
    with fabric.lock if fabric is not None else contextlib.nullcontext():
        ring = ctx.c.corosync
        if ring is None:
            return [{'type': 'node', 'id': 'node/' + local, 'name': local, 'nodeid': 0, 'online': 1, 'local': 1,
                     'ip': ctx.c.address, 'level': ''}]
        out = [{'type': 'cluster', 'id': 'cluster', 'name': ring.name, 'nodes': len(ring.nodes), 'quorate': ring.quorate(),
                'version': ring.version}]
        for name, entry in sorted(ring.nodes.items(), key=lambda i: i[1]['nodeid']):
            out.append({'type': 'node', 'id': 'node/' + name, 'name': name, 'nodeid': entry['nodeid'],
                        'online': int(ring.online(name)), 'local': int(name == local), 'ip': entry['links'].get(0, ''),
                        'level': ''})
        return out


@api.route('POST', '/cluster/config')
def _create(ctx):
    fabric, local, links = _standalone(ctx)
    with fabric.lock:
        name = ctx.p['clustername']
        nodeid = int(ctx.p.get('nodeid', 1))
        votes = int(ctx.p.get('votes', 1))

    def done():
        with fabric.lock:
            ring = Membership(name)
            ring.nodes[local] = {'nodeid': nodeid, 'votes': votes, 'links': links, 'sim': fabric.sims[local],
                                 'online_after': 0.0}
            ctx.c.corosync = ring

    return ctx.c.start_task(local, 'clustercreate', '', ctx.user, on_done=done, duration=0.3)


def _corosync_nodes(ring):
    """The node entries of corosync.conf, by node ID: name, nodeid, votes and ringN_addr of each link."""
    out = []
    for name, entry in sorted(ring.nodes.items(), key=lambda i: i[1]['nodeid']):
        item = {'name': name, 'nodeid': entry['nodeid'], 'quorum_votes': entry['votes']}
        item.update({'ring%d_addr' % number: address for number, address in entry['links'].items()})
        out.append((item, entry))
    return out


@api.route('GET', '/cluster/config/join')
def _join_info(ctx):
    fabric, local, ring = _ring(ctx, 'unable to read file \'/etc/pve/corosync.conf\' - No such file or directory')
    with fabric.lock:
        nodelist = [dict(item, pve_addr=entry['links'].get(0, ''), pve_fp=entry['sim'].fingerprint)
                    for item, entry in _corosync_nodes(ring)]
        return {'nodelist': nodelist, 'preferred_node': ctx.p.get('node', local), 'config_digest': '%040x' % ring.version,
                'totem': {'cluster_name': ring.name, 'config_version': str(ring.version), 'version': '2',
                          'ip_version': 'ipv4-6', 'link_mode': 'passive', 'secauth': 'on',
                          'interface': {str(n): {'linknumber': str(n)} for n in sorted(_any_links(ring))}}}


def _any_links(ring):
    out = set()
    for entry in ring.nodes.values():
        out.update(entry['links'])
    return out


@api.route('POST', '/cluster/config/join')
def _join(ctx):
    fabric, local, links = _standalone(ctx)
    with fabric.lock:
        if ctx.c.vms and str(ctx.p.get('force', '0')) != '1':
            fail('this host already contains virtual guests')
        peer = fabric.by_address.get(ctx.p['hostname'])
        error = None
        if peer is None or not peer.powered:
            error = "500 Can't connect to %s:8006 (No route to host)" % ctx.p['hostname']
        elif peer.cluster.corosync is None:
            error = 'peer %s is not a cluster member' % ctx.p['hostname']
        elif ctx.p['fingerprint'].upper() != peer.fingerprint:
            error = 'Certificate fingerprint mismatch! Expected %s, got %s' % (peer.fingerprint, ctx.p['fingerprint'])
        elif str(peer.cluster.users['root@pam'].get('password')) != ctx.p['password']:
            error = 'authentication failure'
        elif local in peer.cluster.corosync.nodes and str(ctx.p.get('force', '0')) != '1':
            error = "node %s already defined" % local
        elif any(set(links.values()) & set(e['links'].values()) for e in peer.cluster.corosync.nodes.values()):
            error = 'corosync link address already in use by another node'
        ring = peer.cluster.corosync if peer is not None else None
        votes = int(ctx.p.get('votes', 1))
        nodeid = int(ctx.p['nodeid']) if 'nodeid' in ctx.p else None

    def done():
        with fabric.lock:
            used = {e['nodeid'] for e in ring.nodes.values()}
            new_id = nodeid if nodeid is not None else next(i for i in range(1, len(used) + 2) if i not in used)
            if new_id in used:
                fail('nodeid %d already in use' % new_id)
            ring.nodes[local] = {'nodeid': new_id, 'votes': votes, 'links': links, 'sim': fabric.sims[local],
                                 'online_after': time.monotonic() + fabric.settle}
            ring.version += 1
            ctx.c.corosync = ring

    return ctx.c.start_task(local, 'clusterjoin', '', ctx.user, on_done=done, error=error, duration=0.5)


@api.route('GET', '/cluster/config/nodes')
def _nodes(ctx):
    fabric, unused_local, ring = _ring(ctx, NOT_A_MEMBER)
    with fabric.lock:
        # corosync.conf values come back as strings here
        return [dict(item, node=item['name'], nodeid=str(item['nodeid']), quorum_votes=str(item['quorum_votes']))
                for item, unused_entry in _corosync_nodes(ring)]


@api.route('DELETE', '/cluster/config/nodes/{node}')
def _delete_node(ctx):
    fabric, local, ring = _ring(ctx, NOT_A_MEMBER)
    node = ctx.p['node']
    with fabric.lock:
        if node == local:
            fail('Cannot delete myself from cluster!')
        if node not in ring.nodes:
            fail("Node/IP: %s is not a known host of the cluster." % node)
        if not ring.quorate():
            fail('cluster not ready - no quorum?')
        ring.nodes.pop(node)
        ring.version += 1
        # The removed node keeps its stale configuration, as a real one does: it must be reinstalled
        # before it can join any cluster again.
    return None

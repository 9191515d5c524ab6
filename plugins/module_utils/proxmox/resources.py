# -*- coding: utf-8 -*-
# Copyright: strata.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Cluster-wide reads in bulk (``/cluster/resources``), shared by proxmox_info and the inventory plugin."""

from __future__ import annotations

import re

from ansible_collections.strata.cloud.plugins.module_utils.proxmox.vm import visible

VM_FIELDS = ('vmid', 'name', 'node', 'status', 'pool', 'maxcpu', 'maxmem', 'maxdisk', 'uptime', 'lock')


def split_tags(text):
    return sorted(set(t for t in re.split(r'[;, ]+', text or '') if t))


def vm_entry(resource):
    entry = {k: resource.get(k) for k in VM_FIELDS}
    entry['vmid'] = int(resource['vmid'])
    entry['type'] = resource.get('type', 'qemu')
    entry['template'] = bool(int(resource.get('template') or 0))
    entry['tags'] = split_tags(resource.get('tags'))
    return entry


def guests(client, kinds=('qemu',)):
    """All guests of the cluster in one request, sorted by vmid."""
    out = [vm_entry(r) for r in client.get('/cluster/resources', type='vm') if r.get('type') in kinds]
    return sorted(out, key=lambda e: e['vmid'])


def cluster_info(client, names=None, node=None, with_config=False):
    resources = client.get('/cluster/resources')
    version = client.get('/version')
    nodes = [{k: r.get(k) for k in ('node', 'status', 'maxcpu', 'maxmem')} for r in resources if r.get('type') == 'node']
    storage = [{k: r.get(k) for k in ('storage', 'node', 'plugintype', 'content', 'shared', 'status')}
               for r in resources if r.get('type') == 'storage']
    pools = sorted(r['pool'] for r in resources if r.get('type') == 'pool')
    vms = sorted((vm_entry(r) for r in resources if r.get('type') == 'qemu'), key=lambda e: e['vmid'])
    if names is not None:
        vms = [v for v in vms if v['name'] in names]
    if node is not None:
        vms = [v for v in vms if v['node'] == node]
    if with_config:
        online = set(n['node'] for n in nodes if n['status'] == 'online')
        for vm in vms:
            if vm['node'] in online:
                vm['config'] = visible(client.get('/nodes/%s/qemu/%d/config' % (vm['node'], vm['vmid'])))
    return {'version': version, 'nodes': nodes, 'vms': vms, 'storage': storage, 'pools': pools}

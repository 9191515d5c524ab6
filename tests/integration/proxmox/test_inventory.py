# -*- coding: utf-8 -*-
# Copyright: strata.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The strata.cloud.proxmox inventory plugin against the simulator: requests, groups, caching, unsafe data."""

from __future__ import annotations

import json
import os
import subprocess

import yaml

from conftest import ROOT


def inventory(tmp_path, sim, extra=None, env=None):
    config = {'plugin': 'strata.cloud.proxmox', 'api_host': '127.0.0.1', 'api_port': sim.port, 'api_user': 'root@pam',
              'api_token_id': 'automation', 'ca_path': sim.ca_path,
              'keyed_groups': [{'key': 'proxmox_node', 'prefix': 'on'}],
              'compose': {'cpu_count': 'proxmox_maxcpu * 1'}, 'groups': {'two_cpus': 'proxmox_maxcpu == 2'}}
    config.update(extra or {})
    path = tmp_path / 'lab.proxmox.yml'
    path.write_text(yaml.safe_dump(config))
    run_env = dict(os.environ, PROXMOX_TOKEN_SECRET=sim.token_secret, ANSIBLE_INVENTORY_CACHE_CONNECTION=str(tmp_path / 'cache'))
    run_env.update(env or {})
    proc = subprocess.run(['ansible-inventory', '-i', str(path), '--list'], cwd=ROOT, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True, timeout=120, check=False, env=run_env)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def plain(value):
    """ansible-inventory shows unsafe values as {'__ansible_unsafe': value}; unwrap them."""
    if isinstance(value, dict):
        if set(value) == {'__ansible_unsafe'}:
            return value['__ansible_unsafe']
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


def test_groups_vars_and_constant_requests(tmp_path, sim):
    for i in range(40):
        config = {'name': 'vm%02d' % i, 'cores': str(1 + i % 2), 'memory': '1024', 'tags': 'web;{{7*6}}' if i == 0 else 'db'}
        sim.add_vm(100 + i, 'pve%d' % (1 + i % 3), config,
                   status='running' if i % 2 else 'stopped', pool='web' if i < 5 else None)
    sim.reset_counts()
    inv = inventory(tmp_path, sim)
    assert sim.total_requests() == 1, sim.requests
    raw = inv['_meta']['hostvars']
    # API data is marked unsafe, so a tag is never templated (this one would become 42)
    assert raw['vm00']['proxmox_name'] == {'__ansible_unsafe': 'vm00'}
    assert {'__ansible_unsafe': '{{7*6}}'} in raw['vm00']['proxmox_tags'], raw['vm00']
    hosts = plain(raw)
    assert len(hosts) == 40 and 'debian-13' not in hosts
    assert hosts['vm01']['proxmox_status'] == 'running' and hosts['vm01']['proxmox_node'] == 'pve2'
    assert hosts['vm01']['cpu_count'] == 2 and 'vm01' in inv['two_cpus']['hosts']
    assert sorted(inv['proxmox_pool_web']['hosts']) == ['vm00', 'vm01', 'vm02', 'vm03', 'vm04']
    assert len(inv['proxmox_tag_db']['hosts']) == 39 and len(inv['on_pve3']['hosts']) == 13
    assert len(inv['proxmox_running']['hosts']) == 20

    sim.reset_counts()
    cached = {'cache': True, 'cache_plugin': 'ansible.builtin.jsonfile', 'cache_timeout': 600}
    inventory(tmp_path, sim, cached)
    assert sim.total_requests() == 1
    again = inventory(tmp_path, sim, cached)
    assert sim.total_requests() == 1, 'the second run should come from the cache'
    assert len(again['_meta']['hostvars']) == 40


def test_want_ip_and_password(tmp_path, sim):
    sim.add_vm(200, 'pve1', {'name': 'agent1', 'agent': '1', 'ipconfig0': 'ip=192.0.2.10/24'}, status='running')
    sim.add_vm(201, 'pve1', {'name': 'noagent'}, status='running')
    sim.reset_counts()
    inv = inventory(tmp_path, sim, {'want_ip': True, 'api_token_id': None, 'api_password': 'root-secret'})
    assert sim.total_requests() == 1 + 1 + 2, sim.requests          # login, resources, one agent call per running VM
    assert plain(inv['_meta']['hostvars']['agent1']['ansible_host']) == '192.0.2.10'
    assert 'ansible_host' not in inv['_meta']['hostvars']['noagent']

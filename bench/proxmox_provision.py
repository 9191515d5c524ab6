# -*- coding: utf-8 -*-
# Copyright: strata.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""bench/proxmox_provision: 20 VMs cloned from a template, configured for cloud-init and started,
by strata.cloud.proxmox_vm (one task) and by community.proxmox.proxmox_kvm (clone, update, start:
the way its documentation shows), against the same simulator with the same task durations, in one
run; then the inventory plugins of both collections on 1,000 VMs.

  bench/proxmox_provision [--vms 20] [--clone-seconds 10] [--inventory-vms 1000] [--skip-community]

Prints wall time and API requests of each side, their ratios, and the floor: the slowest single clone
task (clones run in parallel, so no tool can finish before it). Needs the API schema (see
tests/proxmox_sim/schema.py) and community.proxmox (in the ``ansible`` package).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, 'tests'))

from proxmox_sim import Simulator  # noqa: E402 pylint: disable=wrong-import-position

KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGq7 bench@example.org'


def playbook(path, tasks, sim, secret, extra_vars=None):
    import yaml
    conn = {'api_host': '127.0.0.1', 'api_port': sim.port, 'api_user': 'root@pam', 'api_token_id': 'automation',
            'api_token_secret': secret, 'ca_path': sim.ca_path}
    cp_conn = {'api_host': '127.0.0.1', 'api_port': sim.port, 'api_user': 'root@pam', 'api_token_id': 'automation',
               'api_token_secret': secret, 'validate_certs': False}
    play = [{'hosts': 'localhost', 'connection': 'local', 'gather_facts': False,
             'vars': dict({'ansible_python_interpreter': sys.executable}, **(extra_vars or {})),
             'module_defaults': {'group/strata.cloud.proxmox': conn, 'group/community.proxmox.proxmox': cp_conn},
             'tasks': tasks}]
    with open(path, 'w', encoding='utf-8') as handle:
        yaml.safe_dump(play, handle, sort_keys=False)


def run_play(path):
    start = time.monotonic()
    proc = subprocess.run(['ansible-playbook', '-i', 'localhost,', path], cwd=ROOT, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, check=False,
                          env=dict(os.environ, ANSIBLE_NOCOLOR='1', ANSIBLE_LOCALHOST_WARNING='0'))
    elapsed = time.monotonic() - start
    if proc.returncode != 0:
        print(proc.stdout[-5000:])
        raise SystemExit('bench: %s failed' % path)
    return elapsed


def provision(args, tmp):
    sim = Simulator('8.4').start()
    try:
        sim.add_template(9000, 'pve1', 'debian-13')
        secret = sim.add_token('root@pam', 'automation', privsep=False)
        sim.cluster.durations.update(qmstart=1.0, resize=0.5)
        results = {}
        for side in ('strata', 'community'):
            if side == 'community' and args.skip_community:
                continue
            rng = random.Random(42)
            sim.cluster.duration_jitter['qmclone'] = lambda _id, rng=rng: args.clone_seconds * rng.uniform(0.8, 1.2)
            sim.cluster.tasks.clear()
            names = ['%s%02d' % (side[:2], i) for i in range(1, args.vms + 1)]
            path = os.path.join(tmp, side + '.yml')
            if side == 'strata':
                vms = [{'name': n, 'clone': 'debian-13', 'cores': 2, 'memory': 2048, 'nics': [{'bridge': 'vmbr0', 'vlan': 20}],
                        'cloud_init': {'user': 'debian', 'ssh_keys': [KEY], 'ipconfig': [{'ip': 'dhcp'}]}} for n in names]
                playbook(path, [{'name': 'VMs', 'strata.cloud.proxmox_vm': {'vms': vms}}], sim, secret)
            else:
                loop = {'loop': names, 'loop_control': {'label': '{{ item }}'}}
                playbook(path, [
                    dict({'name': 'Clone', 'community.proxmox.proxmox_kvm': {
                        'node': 'pve1', 'clone': 'debian-13', 'name': '{{ item }}', 'full': True, 'timeout': 600}}, **loop),
                    dict({'name': 'Configure cloud-init', 'community.proxmox.proxmox_kvm': {
                        'node': 'pve1', 'name': '{{ item }}', 'cores': 2, 'memory': 2048, 'update': True,
                        'net': {'net0': 'virtio,bridge=vmbr0,tag=20'}, 'ciuser': 'debian', 'sshkeys': KEY,
                        'ipconfig': {'ipconfig0': 'ip=dhcp'}}}, **loop),
                    dict({'name': 'Start', 'community.proxmox.proxmox_kvm': {
                        'node': 'pve1', 'name': '{{ item }}', 'state': 'started', 'timeout': 300}}, **loop),
                ], sim, secret)
            sim.reset_counts()
            elapsed = run_play(path)
            clones = [t.ends - t.started for t in sim.cluster.tasks if t.type == 'qmclone']
            running = [vm for vm in sim.cluster.vms.values() if vm.name in names and vm.status == 'running']
            results[side] = {'seconds': elapsed, 'requests': sim.total_requests(), 'slowest_clone': max(clones),
                             'running': len(running), 'by_endpoint': dict(sim.requests)}
        violations, unimplemented = list(sim.violations), list(sim.unimplemented)
    finally:
        sim.stop()
    return results, violations, unimplemented


def inventories(args, tmp):
    sim = Simulator('8.4').start()
    try:
        secret = sim.add_token('root@pam', 'automation', privsep=False)
        for i in range(args.inventory_vms):
            sim.add_vm(1000 + i, 'pve%d' % (1 + i % 3), {'name': 'vm%04d' % i, 'cores': '2', 'memory': '2048', 'tags': 'bench'},
                       status='running' if i % 2 else 'stopped')
        configs = {
            'strata': {'plugin': 'strata.cloud.proxmox', 'api_host': '127.0.0.1', 'api_port': sim.port, 'api_user': 'root@pam',
                       'api_token_id': 'automation', 'api_token_secret': secret, 'ca_path': sim.ca_path},
            'community': {'plugin': 'community.proxmox.proxmox', 'url': 'https://127.0.0.1:%d' % sim.port, 'user': 'root@pam',
                          'token_id': 'automation', 'token_secret': secret},
            'community_facts': {'plugin': 'community.proxmox.proxmox', 'url': 'https://127.0.0.1:%d' % sim.port,
                                'user': 'root@pam', 'token_id': 'automation', 'token_secret': secret, 'want_facts': True},
        }
        out = {}
        for side, config in configs.items():
            path = os.path.join(tmp, '%s.proxmox.yml' % side)
            with open(path, 'w', encoding='utf-8') as handle:
                json.dump(config, handle)
            sim.reset_counts()
            start = time.monotonic()
            # community.proxmox's plugin verifies TLS through requests: give it the simulator's CA
            proc = subprocess.run(['ansible-inventory', '-i', path, '--list'], cwd=ROOT, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True, check=False,
                                  env=dict(os.environ, REQUESTS_CA_BUNDLE=sim.ca_path))
            elapsed = time.monotonic() - start
            hosts = len(json.loads(proc.stdout)['_meta']['hostvars']) if proc.returncode == 0 else 0
            out[side] = {'seconds': elapsed, 'requests': sim.total_requests(), 'hosts': hosts,
                         'error': proc.stderr[-500:] if proc.returncode or hosts < args.inventory_vms else None}
        violations = list(sim.violations)
    finally:
        sim.stop()
    return out, violations


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n', maxsplit=1)[0])
    parser.add_argument('--vms', type=int, default=20)
    parser.add_argument('--clone-seconds', type=float, default=10.0)
    parser.add_argument('--inventory-vms', type=int, default=1000)
    parser.add_argument('--skip-community', action='store_true')
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix='pve-bench-') as tmp:
        prov, violations, unimplemented = provision(args, tmp)
        print('== %d VMs: clone (%.0f s +-20%%) + cloud-init + start' % (args.vms, args.clone_seconds))
        for side, res in prov.items():
            print('%-10s %7.1f s  %5d requests  %d running  slowest clone task %.1f s' % (
                side, res['seconds'], res['requests'], res['running'], res['slowest_clone']))
        ours = prov['strata']
        print('floor (slowest single clone): %.1f s; strata/floor = %.2f (target <= 1.5)' % (
            ours['slowest_clone'], ours['seconds'] / ours['slowest_clone']))
        if 'community' in prov:
            cp = prov['community']
            print('community/strata: wall time %.1fx (target >= 10), requests %.1fx (target >= 5)' % (
                cp['seconds'] / ours['seconds'], cp['requests'] / ours['requests']))
        print('schema violations: %d %s' % (len(violations), json.dumps(violations[:3])))
        print('unimplemented endpoints hit: %s' % sorted(set(unimplemented)))
        inv, inv_violations = inventories(args, tmp)
        print('== inventory of %d VMs' % args.inventory_vms)
        for side, res in inv.items():
            error = ('  ERROR ' + res['error']) if res['error'] else ''
            print('%-16s %6.1f s  %5d requests  %d hosts%s' % (side, res['seconds'], res['requests'], res['hosts'], error))
        print('schema violations: %d' % len(inv_violations))
        print(json.dumps({'provision': {k: {kk: vv for kk, vv in v.items() if kk != 'by_endpoint'} for k, v in prov.items()},
                          'inventory': inv}))


if __name__ == '__main__':
    main()

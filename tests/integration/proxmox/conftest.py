# -*- coding: utf-8 -*-
# Copyright: strata.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fixtures of the Proxmox VE integration suite: a simulator per test and real ansible-playbook runs.

Every test fails if the simulator received a request that the official schema rejects, a request
to an endpoint it does not implement, or if it hit an internal error.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
sys.path.insert(0, os.path.join(ROOT, 'tests'))

from proxmox_sim import Simulator  # noqa: E402 pylint: disable=wrong-import-position

PYTHON = sys.executable


@pytest.fixture
def profile():
    """The PVE version profile; tests that run on every profile parametrise it."""
    return '8.4'


def make_sim(profile='8.4', **kwargs):
    sim = Simulator(profile, **kwargs).start()
    sim.add_template(9000, 'pve1', 'debian-13')
    sim.cluster.pools['web'] = {'comment': '', 'vms': set()}
    sim.token_secret = sim.add_token('root@pam', 'automation', privsep=False)
    return sim


@pytest.fixture
def sim(profile):
    simulator = make_sim(profile)
    yield simulator
    simulator.stop()
    assert not simulator.violations, 'requests the schema rejects: %s' % simulator.violations
    assert not simulator.unimplemented, 'requests to endpoints the simulator lacks: %s' % simulator.unimplemented
    assert not simulator.internal_errors, simulator.internal_errors


def connection(sim, auth='token', validate_certs=True, ca=True):
    conn = {'api_host': '127.0.0.1', 'api_port': sim.port, 'api_user': 'root@pam', 'validate_certs': validate_certs}
    if ca:
        conn['ca_path'] = sim.ca_path
    if auth == 'token':
        conn.update(api_token_id='automation', api_token_secret=sim.token_secret)
    else:
        conn['api_password'] = 'root-secret'
    return conn


class Run:
    """The outcome of one ansible-playbook run: rc, output, and the results of each task by name."""

    def __init__(self, rc, out, results, stats):
        self.rc, self.out, self.results, self.stats = rc, out, results, stats

    def __getitem__(self, name):
        return self.results[name]


def play(tmp_path, sim, tasks, conn=None, check=False, diff=False, verbosity=0, json_output=True, env=None):
    """Run ``tasks`` (list of task dicts) on localhost with the connection set by module_defaults."""
    playbook = [{'hosts': 'localhost', 'connection': 'local', 'gather_facts': False,
                 'vars': {'ansible_python_interpreter': PYTHON},
                 'module_defaults': {'group/strata.cloud.proxmox': conn or connection(sim)},
                 'tasks': tasks}]
    path = tmp_path / 'play.yml'
    path.write_text(yaml.safe_dump(playbook, sort_keys=False))
    cmd = ['ansible-playbook', '-i', 'localhost,', str(path)]
    if check:
        cmd.append('--check')
    if diff:
        cmd.append('--diff')
    if verbosity:
        cmd.append('-' + 'v' * verbosity)
    run_env = dict(os.environ, ANSIBLE_NOCOLOR='1', ANSIBLE_FORCE_COLOR='0', ANSIBLE_LOCALHOST_WARNING='0')
    if json_output:
        run_env['ANSIBLE_STDOUT_CALLBACK'] = 'ansible.posix.json'
    run_env.update(env or {})
    proc = subprocess.run(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=300,
                          check=False, env=run_env)
    results, stats = {}, {}
    if json_output:
        try:
            data = json.loads(proc.stdout[proc.stdout.index('{'):])
        except ValueError:
            raise AssertionError('no JSON from ansible-playbook:\n%s' % proc.stdout[-4000:])
        for task in data['plays'][0]['tasks']:
            results[task['task']['name']] = task['hosts']['localhost']
        stats = data['stats']['localhost']
    return Run(proc.returncode, proc.stdout, results, stats)

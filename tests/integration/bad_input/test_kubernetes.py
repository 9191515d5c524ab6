"""Bad input to the Kubernetes playbooks fails in the validation play, before any host changes.

Each case runs the real playbooks/kubernetes/deploy.yml (or upgrade.yml) with ansible-playbook in
check mode, against host names that all connect locally (so a case that wrongly passed validation
could still not change this machine), and checks the message names the field, the failing task is
a planning/validation task and the recap reports changed=0 for every host.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest

from test_bad_input import ROOT, run

NETS = {'mgmt': {'cidr': '10.93.10.0/24'}, 'k8s': {'cidr': '10.93.11.0/24', 'vlan': 11}}


def inventory(control_planes, workers, cluster, extra=None):
    hosts = {}
    for index, name in enumerate(control_planes + workers):
        hosts[name] = {'ansible_connection': 'local', 'ansible_python_interpreter': sys.executable,
                       'strata_interfaces': {'k8s': {'device': 'lo', 'address': '10.93.11.%d' % (11 + index)},
                                             'mgmt': {'device': 'lo', 'address': '10.93.10.%d' % (11 + index)}}}
    cluster = dict({'version': '1.31.4', 'api_network': 'k8s'}, **cluster)
    allvars = {'strata_networks': NETS, 'strata_kubernetes': cluster}
    allvars.update(extra or {})
    return {'all': {'vars': allvars, 'children': {
        'k8s_control_plane': {'hosts': dict((h, hosts[h]) for h in control_planes)},
        'k8s_workers': {'hosts': dict((h, hosts[h]) for h in workers)}}}}


def playbook(name):
    return '- ansible.builtin.import_playbook: %s\n' % os.path.join(ROOT, 'playbooks', 'kubernetes', name)


CASES = {
    'even number of etcd members in stacked HA': (
        'deploy.yml', ['kcp1', 'kcp2'], ['kw1'], {'vip': '10.93.11.250'}, None,
        ["strata_kubernetes.control_plane_group: group 'k8s_control_plane' has 2 hosts (kcp1, kcp2)",
         'use 1, 3 or 5 control-plane hosts']),
    'pod CIDR overlapping a host network': (
        'deploy.yml', ['kcp1'], ['kw1'], {'pod_cidr': '10.93.0.0/16'}, None,
        ['strata_kubernetes.pod_cidr: 10.93.0.0/16 overlaps strata_networks.k8s.cidr 10.93.11.0/24',
         'strata_kubernetes.pod_cidr: 10.93.0.0/16 overlaps strata_networks.mgmt.cidr 10.93.10.0/24']),
    'VIP outside the API network': (
        'deploy.yml', ['kcp1', 'kcp2', 'kcp3'], [], {'vip': '10.93.10.250'}, None,
        ['strata_kubernetes.vip: 10.93.10.250 is outside the API network strata_networks.k8s.cidr 10.93.11.0/24']),
    'unsupported version skip in upgrade': (
        'upgrade.yml', ['kcp1'], ['kw1'], {'version': '1.31.2'}, {'kubernetes_upgrade_current_version': '1.29.3'},
        ['strata_kubernetes.version: 1.31.2 skips minor versions from the running 1.29.3',
         'upgrade to 1.30.x first']),
    'upgrade to an unsupported release': (
        'upgrade.yml', ['kcp1'], [], {'version': '1.40.0'}, {'kubernetes_upgrade_current_version': '1.31.3'},
        ['strata_kubernetes.version: 1.40.0 is not supported']),
    'API network not in strata_networks': (
        'deploy.yml', ['kcp1'], [], {'api_network': 'public'}, None,
        ["strata_kubernetes.api_network: 'public' is not a network in strata_networks (known: k8s, mgmt)"]),
}


@pytest.mark.parametrize('case', sorted(CASES))
def test_kubernetes_rejects(tmp_path, case):
    book, cps, workers, cluster, extra, expected = CASES[case]
    rc, out = run(tmp_path, playbook(book), inventory=inventory(cps, workers, cluster, extra), check=True)
    assert rc != 0, out[-3000:]
    for text in expected:
        assert text in out, 'expected %r in output:\n%s' % (text, out[-3000:])
    failed, task = [], None
    for line in out.splitlines():
        if line.startswith('TASK ['):
            task = line
        elif line.startswith('fatal:'):
            failed.append(task)
    assert failed and all('Plan |' in t or 'Stop on a version skip' in t for t in failed), failed
    recap = re.findall(r'^(\S+)\s+:\s+ok=.*$', out, re.M)
    assert sorted(set(h for h in recap)) == sorted(cps + workers), recap
    for line in re.findall(r'^\S+\s+:\s+ok=.*$', out, re.M):
        assert 'changed=0' in line, line


def play_batches(tmp_path, book, cps, workers):
    """Host batches of each play of ``book`` (ansible-core's own batching; no task runs)."""
    inv = tmp_path / 'inventory.json'
    inv.write_text(json.dumps(inventory(cps, workers, {})))
    out = subprocess.run([sys.executable, os.path.join(os.path.dirname(__file__), 'play_order.py'), str(inv),
                          os.path.join(ROOT, 'playbooks', 'kubernetes', book)],
                         cwd=ROOT, capture_output=True, text=True, timeout=120, check=True).stdout
    return json.loads(out)


ALL = [['kcp1', 'kcp2', 'kcp3', 'kw1', 'kw2']]


@pytest.mark.parametrize('book,expected', [
    # validate everything; prepare everything; init on the first control plane; the others one at a
    # time; workers together; add-ons on the first control plane
    ('deploy.yml', [ALL, ALL, [['kcp1']], [['kcp2'], ['kcp3']], [['kw1', 'kw2']], [['kcp1']]]),
    # check everything; apply on the first control plane; then one host at a time, workers last
    ('upgrade.yml', [ALL, [['kcp1']], [['kcp2'], ['kcp3'], ['kw1'], ['kw2']]]),
    # confirm; workers first; control planes one at a time, the first one last
    ('reset.yml', [ALL, [['kw1', 'kw2']], [['kcp2'], ['kcp3'], ['kcp1']]]),
])
def test_lifecycle_host_order(tmp_path, book, expected):
    assert play_batches(tmp_path, book, ['kcp1', 'kcp2', 'kcp3'], ['kw1', 'kw2']) == expected

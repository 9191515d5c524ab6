"""Bad input fails before anything changes, with a message naming the field.

Each case runs a real ansible-playbook against this machine (connection local) and checks the
exit status, the message and that the play recap reports changed=0.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
PYTHON = sys.executable

ROLE_PLAY = textwrap.dedent("""\
    - hosts: localhost
      connection: local
      gather_facts: true
      gather_subset: [min]
      roles:
        - role: strata.cloud.{role}
    """)

LAB_PLAY = textwrap.dedent("""\
    - hosts: localhost
      connection: local
      gather_facts: false
      vars:
        lab_vms: "{{{{ groups['lab_vms'] | strata.cloud.lab_plan(hostvars, strata_networks | default({{}}), lab_name) }}}}"
      roles:
        - role: strata.cloud.lab
    """)


def run(tmp_path, play, extra_vars=None, inventory=None, check=False, tags=None):
    """Run ``play`` against ``inventory`` (default: this machine); ``check`` runs it in check mode,
    ``tags`` (a list) limits it to the tasks with those tags."""
    playbook = tmp_path / 'play.yml'
    playbook.write_text(play)
    inv = tmp_path / 'inventory.yml'
    inv.write_text(json.dumps(inventory or {'all': {'hosts': {'localhost': {
        'ansible_connection': 'local', 'ansible_python_interpreter': PYTHON}}}}))
    cmd = ['ansible-playbook', '-i', str(inv), str(playbook)] + (['--check'] if check else [])
    cmd += ['--tags', ','.join(tags)] if tags else []
    if extra_vars is not None:
        ev = tmp_path / 'vars.json'
        ev.write_text(json.dumps(extra_vars))
        cmd += ['-e', '@%s' % ev]
    proc = subprocess.run(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=300, check=False,
                          env=dict(os.environ, ANSIBLE_NOCOLOR='1', ANSIBLE_FORCE_COLOR='0'))
    return proc.returncode, proc.stdout


def assert_failed_unchanged(rc, out, expected):
    assert rc != 0, out
    for text in expected:
        assert text in out, 'expected %r in output:\n%s' % (text, out[-3000:])
    recap = re.findall(r'^localhost\s+:.*$', out, re.M)
    assert recap, out[-2000:]
    assert 'changed=0' in recap[-1], recap[-1]


KVM_HOST_CASES = {
    'service mode not a choice': ({'kvm_host_service_mode': 'upstart'}, ['kvm_host_service_mode', 'upstart']),
    'pool type not a choice': ({'kvm_host_pools': [{'name': 'p', 'type': 'zfs', 'path': '/srv/p'}]}, ['kvm_host_pools', 'zfs']),
    'dir pool without path': ({'kvm_host_pools': [{'name': 'p1', 'type': 'dir'}]}, ['kvm_host_pools[name=p1].path']),
    'relative pool path': ({'kvm_host_pools': [{'name': 'p2', 'type': 'dir', 'path': 'images'}]}, ['kvm_host_pools[name=p2].path: must be an absolute path']),
    'duplicate pool names': ({'kvm_host_pools': [{'name': 'p', 'type': 'dir', 'path': '/a'}, {'name': 'p', 'type': 'dir', 'path': '/b'}]},
                             ['kvm_host_pools: pool names must be unique']),
    'bridge network without bridge': ({'kvm_host_networks': [{'name': 'br', 'mode': 'bridge'}]}, ['kvm_host_networks[name=br].bridge']),
    'bridge name too long': ({'kvm_host_networks': [{'name': 'n', 'mode': 'isolated', 'bridge': 'a-bridge-name-too-long'}]},
                             ['bridge name "a-bridge-name-too-long" is not a valid interface name']),
    'bad user name': ({'kvm_host_users': ['Not A User']}, ['kvm_host_users: "Not A User" is not a valid user name']),
    'negative hugepages': ({'kvm_host_hugepages': -4}, ['kvm_host_hugepages: must be 0 or more']),
}


@pytest.mark.parametrize('case', sorted(KVM_HOST_CASES))
def test_kvm_host_rejects(tmp_path, case):
    extra, expected = KVM_HOST_CASES[case]
    rc, out = run(tmp_path, ROLE_PLAY.format(role='kvm_host'), extra)
    assert_failed_unchanged(rc, out, expected)


def site(networks, hosts):
    return {'all': {
        'hosts': {'localhost': {'ansible_connection': 'local', 'ansible_python_interpreter': PYTHON}},
        'vars': {'strata_networks': networks, 'lab_name': 'badinput'},
        'children': {'lab_vms': {'hosts': hosts}},
    }}


NETS = {'api': {'cidr': '10.90.0.0/24', 'segment': 'lab'}}
INVENTORY_CASES = {
    'vlan out of range': (site({'api': {'cidr': '10.90.0.0/24', 'vlan': 5000}}, {'h1': {}}), ['strata_networks.api.vlan: 5000 is out of range']),
    'overlapping networks': (site({'a': {'cidr': '10.90.0.0/16'}, 'b': {'cidr': '10.90.7.0/24'}}, {'h1': {}}),
                             ['strata_networks.b.cidr: 10.90.7.0/24 overlaps strata_networks.a.cidr 10.90.0.0/16']),
    'interface on unknown network': (site(NETS, {'h1': {'strata_interfaces': {'storage': {'device': 'ens5'}}}}),
                                     ["hostvars[h1].strata_interfaces.storage: network 'storage' is not defined"]),
    'address outside its network': (site(NETS, {'h1': {'strata_interfaces': {'api': {'address': '10.91.0.5'}}}}),
                                    ['hostvars[h1].strata_interfaces.api.address: 10.91.0.5 is not a usable host address of 10.90.0.0/24']),
    'malformed disk size': (site(NETS, {'h1': {'strata_disks': [{'name': 'data1', 'size': 'big'}]}}),
                            ["hostvars[h1].strata_disks[0].size: 'big' is not a size"]),
}


@pytest.mark.parametrize('case', sorted(INVENTORY_CASES))
def test_inventory_model_rejects(tmp_path, case):
    inventory, expected = INVENTORY_CASES[case]
    rc, out = run(tmp_path, ROLE_PLAY.format(role='validate'), inventory=inventory)
    assert_failed_unchanged(rc, out, expected)


LAB_CASES = {
    'duplicate ssh ports': (site(NETS, {'h1': {'lab_vm': {'ssh_port': 2500}}, 'h2': {'lab_vm': {'ssh_port': 2500}}}),
                            {}, ['hostvars[h2].lab_vm.ssh_port: 2500 is already used by h1']),
    'bad lab name': (site(NETS, {'h1': {}}), {'lab_name': 'Bad_Name'}, ['lab_name: "Bad_Name" must be']),
}


@pytest.mark.parametrize('case', sorted(LAB_CASES))
def test_lab_rejects(tmp_path, case):
    inventory, extra, expected = LAB_CASES[case]
    rc, out = run(tmp_path, LAB_PLAY.format(), extra or None, inventory=inventory)
    assert_failed_unchanged(rc, out, expected)

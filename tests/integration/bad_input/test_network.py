"""Bad input to the network role fails in its validate step, before any other task runs.

The role runs against this machine in check mode (so that a case that wrongly passed validation
could still not touch this machine's network) and must stop at a "Validate" task.
"""

from __future__ import annotations

import re
import sys
import textwrap

import pytest

from test_bad_input import run

PLAY = textwrap.dedent("""\
    - hosts: localhost
      connection: local
      gather_facts: true
      gather_subset: [min, interfaces]
      roles:
        - role: strata.cloud.network
    """)
NETS = {'api': {'cidr': '10.94.0.0/24'}, 'blue': {'cidr': '10.94.1.0/24', 'vlan': 21}}


def run_role(tmp_path, host_vars, tags=None):
    hv = {'ansible_connection': 'local', 'ansible_python_interpreter': sys.executable,
          'network_install_packages': False, 'strata_networks': NETS}
    hv.update(host_vars)
    return run(tmp_path, PLAY, inventory={'all': {'hosts': {'localhost': hv}}}, check=True, tags=tags)


CASES = {
    'interface that does not exist': (
        {'strata_interfaces': {'api': {'device': 'strata-nx0', 'address': '10.94.0.5'}}},
        ["hostvars[localhost].strata_interfaces.api.device: 'strata-nx0' is not a network device of localhost"]),
    'VLAN id out of range': (
        {'strata_networks': {'blue': {'cidr': '10.94.1.0/24', 'vlan': 4095}}},
        ['strata_networks.blue.vlan: 4095 is out of range']),
    'overlapping networks': (
        {'strata_networks': {'a': {'cidr': '10.94.0.0/16'}, 'b': {'cidr': '10.94.3.0/24'}}},
        ['strata_networks.b.cidr: 10.94.3.0/24 overlaps strata_networks.a.cidr 10.94.0.0/16']),
    'bond member that does not exist': (
        {'strata_bonds': {'bond0': {'members': ['strata-nx1', 'strata-nx2']}}},
        ["hostvars[localhost].strata_bonds.bond0.members: 'strata-nx1' is not a network device"]),
    'bonding mode misspelt': (
        {'strata_bonds': {'bond0': {'members': ['lo'], 'mode': 'active_backup'}}},
        ["hostvars[localhost].strata_bonds.bond0.mode: 'active_backup' is not a bonding mode"]),
    'bridge type unknown': (
        {'strata_bridges': {'br0': {'type': 'vswitch', 'ports': []}}},
        ["hostvars[localhost].strata_bridges.br0.type: 'vswitch' is not a bridge type"]),
    'route gateway outside the network': (
        {'strata_networks': {'api': {'cidr': '10.94.0.0/24', 'routes': [{'to': '10.95.0.0/16', 'via': '10.96.0.1'}]}}},
        ['strata_networks.api.routes[0].via: 10.96.0.1 is not inside 10.94.0.0/24']),
    'rollback sooner than the confirmation': (
        {'network_confirm_timeout': 60, 'network_rollback_timeout': 70},
        ['network_rollback_timeout: 70 must be at least network_confirm_timeout (60) + 30']),
    'handover not a choice': (
        {'network_networkd_handover': 'maybe'},
        ['network_networkd_handover', 'maybe']),
}


@pytest.mark.parametrize('case', sorted(CASES))
def test_network_rejects(tmp_path, case):
    host_vars, expected = CASES[case]
    rc, out = run_role(tmp_path, host_vars)
    assert rc != 0, out[-3000:]
    for text in expected:
        assert text in out, 'expected %r in output:\n%s' % (text, out[-3000:])
    tasks = re.findall(r'^TASK \[strata\.cloud\.network : ([^\]]*)\]', out, re.M)
    assert tasks, out[-2000:]
    assert all(t.startswith(('Validate |', 'Validating arguments')) for t in tasks), tasks
    recap = re.findall(r'^localhost\s+:.*$', out, re.M)
    assert recap and 'changed=0' in recap[-1], recap

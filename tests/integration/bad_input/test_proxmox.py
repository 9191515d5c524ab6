# -*- coding: utf-8 -*-
# Copyright: strata.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Bad input to the proxmox_* modules fails before any API request, naming the option."""

from __future__ import annotations

import json
import textwrap

import pytest

from test_bad_input import assert_failed_unchanged, run

PLAY = textwrap.dedent("""\
    - hosts: localhost
      connection: local
      gather_facts: false
      tasks:
        - name: bad input
          strata.cloud.proxmox_vm: {args}
    """)
BASE = {'api_host': '127.0.0.1', 'api_port': 1, 'api_user': 'root@pam', 'api_token_id': 'ci', 'api_token_secret': 'not-a-real-token-secret'}
VM = {'name': 'web1', 'clone': 'debian-13'}

CASES = {
    'no vms': ({}, ['missing required arguments: vms']),
    'state not a choice': ({'vms': [dict(VM, state='started')]}, ['state', 'started']),
    'nic model not a choice': ({'vms': [dict(VM, nics=[{'bridge': 'vmbr0', 'model': 'ne2k'}])]}, ['model', 'ne2k']),
    'nic without bridge': ({'vms': [dict(VM, nics=[{'vlan': 3}])]}, ['missing required arguments: bridge']),
    'token without secret': ({'vms': [VM], 'api_token_secret': None}, ['parameters are required together: api_token_id, api_token_secret']),
    'no credentials': ({'vms': [VM], 'api_token_id': None, 'api_token_secret': None},
                       ['one of the following is required: api_password, api_token_id']),
    'cores not an int': ({'vms': [dict(VM, cores='many')]}, ['cores', 'many']),
}


@pytest.mark.parametrize('case', sorted(CASES))
def test_proxmox_vm_bad_input(tmp_path, case):
    args, expected = CASES[case]
    merged = {k: v for k, v in dict(BASE, **args).items() if v is not None}
    rc, out = run(tmp_path, PLAY.format(args=json.dumps(merged)))
    assert_failed_unchanged(rc, out, expected)

# -*- coding: utf-8 -*-
# Copyright: strata.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Secrets never reach the output, even at -vvv: API password, token secret, cloud-init password."""

from __future__ import annotations

import pytest

from conftest import connection, play

CI_PASSWORD = 'Ci-Pass-7f3a9c'


@pytest.mark.parametrize('auth', ['token', 'password'])
def test_no_secret_in_vvv_output(tmp_path, sim, auth):
    sim.cluster.users['root@pam']['password'] = 'Api-Pass-51d2e8'
    conn = connection(sim, auth=auth)
    if auth == 'password':
        conn['api_password'] = 'Api-Pass-51d2e8'
    tasks = [
        {'name': 'vm', 'strata.cloud.proxmox_vm': {'vms': [{'name': 'sec1', 'clone': 'debian-13',
                                                            'cloud_init': {'user': 'debian', 'password': CI_PASSWORD}}]}},
        {'name': 'info', 'strata.cloud.proxmox_info': {'names': ['sec1'], 'config': True}},
        {'name': 'failing', 'strata.cloud.proxmox_vm': {'vms': [{'name': 'sec2', 'clone': 'missing'}]}, 'ignore_errors': True},
    ]
    run = play(tmp_path, sim, tasks, conn=conn, verbosity=3, diff=True, json_output=False)
    assert run.rc == 0, run.out[-3000:]
    assert 'changed=1' in run.out and "no template 'missing'" in run.out
    secret = sim.token_secret if auth == 'token' else 'Api-Pass-51d2e8'
    for value in (secret, CI_PASSWORD):
        assert value not in run.out, 'secret %s found in the -vvv output' % value
    assert sim.vm_by_name('sec1')[0].config['cipassword'] == CI_PASSWORD

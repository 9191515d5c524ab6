# -*- coding: utf-8 -*-
# Copyright: strata.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""strata.cloud.proxmox_access against the simulator: groups, roles, users, tokens (secret once, 0600), ACLs."""

from __future__ import annotations

import os
import stat

from conftest import play


def access(secret_file, **overrides):
    args = {
        'groups': [{'name': 'operators', 'comment': 'VM operators'}],
        'roles': [{'name': 'VMPower', 'privs': ['VM.PowerMgmt', 'VM.Audit', 'VM.Console']}],
        'users': [{'name': 'automation@pve', 'comment': 'Ansible', 'password': 'Initial-Pass-9c1'},
                  {'name': 'alice@pve', 'groups': ['operators'], 'email': 'alice@example.org'}],
        'tokens': [{'user': 'automation@pve', 'name': 'ansible', 'secret_file': str(secret_file)}],
        'acls': [{'path': '/', 'roles': ['PVEVMAdmin'], 'users': ['automation@pve'], 'tokens': ['automation@pve!ansible']},
                 {'path': '/pool/web', 'roles': ['VMPower'], 'groups': ['operators'], 'propagate': False}],
    }
    args.update(overrides)
    return args


def task(name, args, **extra):
    return dict({'name': name, 'strata.cloud.proxmox_access': args, 'ignore_errors': True}, **extra)


def test_access_lifecycle(tmp_path, sim):
    secret_file = tmp_path / 'pve-token'
    run = play(tmp_path, sim, [task('check', access(secret_file), check_mode=True, diff=True), task('apply', access(secret_file)),
                               task('again', access(secret_file))])
    check, apply, again = run['check'], run['apply'], run['again']
    assert check['changed'] and check['token_secrets'] == {} and check['tokens'][0]['secret_written'] is False, check
    assert [e['action'] for e in check['acls']] == ['create'] * 3 and check['diff']['after']['users/automation@pve']['password'] == '********'
    assert apply['changed'] and not apply.get('failed'), apply
    for name in ('groups', 'roles', 'users', 'tokens'):
        assert all(e['action'] == 'create' for e in apply[name]), apply[name]
    token = sim.cluster.users['automation@pve']['tokens']['ansible']
    assert apply['token_secrets'] == {'automation@pve!ansible': token['secret']} and apply['tokens'][0]['secret_written'] is True
    assert secret_file.read_text() == token['secret'] + '\n' and stat.S_IMODE(os.stat(secret_file).st_mode) == 0o600
    assert token['privsep'] == 1 and sim.cluster.users['automation@pve']['password'] == 'Initial-Pass-9c1'
    assert sim.cluster.users['alice@pve']['groups'] == {'operators'}
    assert {'path': '/pool/web', 'type': 'group', 'ugid': 'operators', 'roleid': 'VMPower', 'propagate': 0} in sim.cluster.acl
    assert sim.cluster.roles['VMPower']['privs'] == {'VM.PowerMgmt', 'VM.Audit', 'VM.Console'}
    assert again['changed'] is False and again['token_secrets'] == {} and not again.get('failed'), again
    assert again['api_requests'] == 4      # groups, roles, users with their tokens, ACLs - and nothing else

    # The new token works with the secret from the file, with exactly what its ACL grants.
    conn = {'api_host': '127.0.0.1', 'api_port': sim.port, 'api_user': 'automation@pve', 'api_token_id': 'ansible',
            'api_token_secret': secret_file.read_text().strip(), 'ca_path': sim.ca_path}
    info = play(tmp_path, sim, [{'name': 'info', 'strata.cloud.proxmox_info': {}}], conn=conn)['info']
    assert not info.get('failed') and [v['name'] for v in info['vms']] == ['debian-13'], info

    # Changes, removal, a missing secret file, and regeneration.
    secret_file.unlink()
    changed = access(secret_file, roles=[{'name': 'VMPower', 'privs': ['VM.PowerMgmt', 'VM.Audit']}],
                     users=[{'name': 'alice@pve', 'state': 'absent'}], groups=[{'name': 'operators', 'comment': 'Operators'}],
                     acls=[{'path': '/pool/web', 'roles': ['VMPower'], 'groups': ['operators'], 'propagate': True}])
    run = play(tmp_path, sim, [task('missing-file', changed),
                               task('regenerate', dict(changed, tokens=[dict(changed['tokens'][0], regenerate=True)]), diff=True)])
    assert run['missing-file']['failed'] and 'does not exist and the secret of an existing token cannot be read back' in \
        run['missing-file']['msg'], run['missing-file']
    regen = run['regenerate']
    assert regen['changed'] and not regen.get('failed'), regen
    assert [e['action'] for e in regen['users']] == ['delete'] and [e['action'] for e in regen['acls']] == ['update']
    assert regen['diff']['after']['roles/VMPower'] == {'privs': 'VM.Audit,VM.PowerMgmt'}
    new = sim.cluster.users['automation@pve']['tokens']['ansible']['secret']
    assert new != token['secret'] and secret_file.read_text().strip() == new
    assert 'alice@pve' not in sim.cluster.users and sim.cluster.groups['operators']['comment'] == 'Operators'


def test_access_secrets_not_logged_and_fault(tmp_path, sim):
    secret_file = tmp_path / 'tok'
    sim.fault('http', method='POST', path='/token/', status=500, message="cfs-lock 'file-user_cfg' error: got lock request timeout")
    args = {'users': [{'name': 'ci@pve', 'password': 'Ci-Pass-4e1f0a'}], 'tokens': [{'user': 'ci@pve', 'name': 'deploy', 'secret_file': str(secret_file)}],
            'acls': [{'path': '/vms', 'roles': ['PVEAuditor'], 'tokens': ['ci@pve!deploy']}]}
    run = play(tmp_path, sim, [task('fault', args), task('rerun', args, no_log=True), task('again', args)], verbosity=3, json_output=False)
    assert "POST /access/users/ci@pve/token/deploy: 500 cfs-lock 'file-user_cfg' error: got lock request timeout" in run.out, run.out[-3000:]
    secret = sim.cluster.users['ci@pve']['tokens']['deploy']['secret']
    assert secret_file.read_text().strip() == secret and 'Ci-Pass-4e1f0a' not in run.out and secret not in run.out
    assert 'ci@pve!deploy' in [a['ugid'] for a in sim.cluster.acl]
    assert 'changed=1' in run.out and 'ignored=1' in run.out, run.out[-1500:]

# -*- coding: utf-8 -*-
# Copyright: strata.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""proxmox_access: groups, roles, users, API tokens and ACLs through the one convergence pattern.

Order matters and is fixed: groups and roles first (users and ACLs refer to them), then users, their
tokens, and the ACLs last (they refer to all of the others). A token's secret exists only in the
answer that creates it: it is returned once and, with ``secret_file``, written there with mode 0600.
"""

from __future__ import annotations

import os
import re
import tempfile

from ansible_collections.strata.cloud.plugins.module_utils.proxmox.converge import Kind, converge
from ansible_collections.strata.cloud.plugins.module_utils.proxmox.errors import ProxmoxError

USERID = re.compile(r'^[^\s:/]+@[A-Za-z][A-Za-z0-9.\-_]+$')
TOKENID = re.compile(r'^[A-Za-z][A-Za-z0-9.\-_]+$')
GROUPID = re.compile(r'^[A-Za-z0-9.\-_]+$')


def csv(value):
    items = value if isinstance(value, list) else re.split(r'[;, ]+', str(value or ''))
    return ','.join(sorted(set(str(i) for i in items if str(i))))


def flag(value):
    return '1' if value in (True, 1, '1', 'true') else '0'


def write_secret(path, secret):
    """Write ``secret`` to ``path`` with mode 0600 (created private, then renamed into place)."""
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise ProxmoxError('secret_file %s: directory %s does not exist' % (path, directory))
    handle, tmp = tempfile.mkstemp(dir=directory, prefix='.token-')
    try:
        with os.fdopen(handle, 'w') as out:
            out.write(secret + '\n')
        os.chmod(tmp, 0o600)
        os.rename(tmp, path)
    except OSError:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


class GroupKind(Kind):
    name = 'group'

    def read(self):
        return {g['groupid']: {'comment': g.get('comment') or ''} for g in self.client.get('/access/groups')}

    def key(self, item):
        if not GROUPID.match(item['name']):
            raise ProxmoxError('groups[%s].name: not a group ID (letters, digits, . - _)' % item['name'])
        return item['name']

    def want(self, item, have):
        return {} if item.get('comment') is None else {'comment': item['comment']}

    def create(self, key, want, item):
        self.client.post('/access/groups', groupid=key, **want)

    def update(self, key, changes, want, have, item):
        self.client.put('/access/groups/%s' % key, **changes)

    def delete(self, key, have, item):
        self.client.delete('/access/groups/%s' % key)


class RoleKind(Kind):
    name = 'role'
    special = frozenset()

    def read(self):
        self.special = set()
        out = {}
        for role in self.client.get('/access/roles'):
            out[role['roleid']] = {'privs': csv(role.get('privs'))}
            if int(role.get('special') or 0):
                self.special.add(role['roleid'])
        return out

    def key(self, item):
        return item['name']

    def want(self, item, have):
        if have is not None and item['name'] in self.special and item.get('privs') is not None \
                and csv(item['privs']) != have['privs']:
            raise ProxmoxError('roles[%s]: a built-in role cannot be changed; define a role of your own' % item['name'])
        return {} if item.get('privs') is None else {'privs': csv(item['privs'])}

    def create(self, key, want, item):
        self.client.post('/access/roles', roleid=key, **want)

    def update(self, key, changes, want, have, item):
        self.client.put('/access/roles/%s' % key, **changes)

    def delete(self, key, have, item):
        if key in self.special:
            raise ProxmoxError('roles[%s]: a built-in role cannot be removed' % key)
        self.client.delete('/access/roles/%s' % key)


USER_FIELDS = ('comment', 'email', 'firstname', 'lastname', 'expire')


class UserKind(Kind):
    name = 'user'
    secret = ('password',)

    def __init__(self, client, full):
        super().__init__(client)
        self.full = full

    def read(self):
        out = {}
        for user in self.full:
            fields = {k: str(user[k]) for k in USER_FIELDS if user.get(k) not in (None, '')}
            fields['enable'] = flag(user.get('enable', 1))
            fields['groups'] = csv(user.get('groups'))
            out[user['userid']] = fields
        return out

    def key(self, item):
        if not USERID.match(item['name']):
            raise ProxmoxError('users[%s].name: not a user ID (name@realm, for example automation@pve)' % item['name'])
        return item['name']

    def want(self, item, have):
        want = {k: str(item[k]) for k in USER_FIELDS if item.get(k) is not None}
        if item.get('enable') is not None:
            want['enable'] = flag(item['enable'])
        if item.get('groups') is not None:
            want['groups'] = csv(item['groups'])
        if have is None and item.get('password') is not None:
            want['password'] = item['password']
        return want

    def create(self, key, want, item):
        self.client.post('/access/users', userid=key, **want)

    def update(self, key, changes, want, have, item):
        self.client.put('/access/users/%s' % key, **changes)

    def delete(self, key, have, item):
        self.client.delete('/access/users/%s' % key)


class TokenKind(Kind):
    name = 'token'

    def __init__(self, client, users, check_mode):
        super().__init__(client)
        self.users = users
        self.check_mode = check_mode
        self.secrets = {}
        self.replace = set()

    def read(self):
        out = {}
        for user in self.users:
            for token in user.get('tokens') or []:
                out['%s!%s' % (user['userid'], token['tokenid'])] = {
                    'comment': token.get('comment') or '', 'expire': str(token.get('expire') or 0),
                    'privsep': flag(token.get('privsep', 1))}
        return out

    def key(self, item):
        if not USERID.match(item['user']) or not TOKENID.match(item['name']):
            raise ProxmoxError('tokens[%s!%s]: user must be name@realm and name a letter then letters, digits, . - _'
                               % (item['user'], item['name']))
        return '%s!%s' % (item['user'], item['name'])

    def want(self, item, have):
        want = {'privsep': flag(item.get('privsep', True))}
        if item.get('comment') is not None:
            want['comment'] = item['comment']
        if item.get('expire') is not None:
            want['expire'] = str(item['expire'])
        return want

    def create(self, key, want, item):
        if key in self.replace:
            self.delete(key, None, item)
        userid, tokenid = key.split('!', 1)
        answer = self.client.post('/access/users/%s/token/%s' % (userid, tokenid), **want)
        self.secrets[key] = answer['value']
        if item.get('secret_file'):
            write_secret(item['secret_file'], answer['value'])

    def update(self, key, changes, want, have, item):
        userid, tokenid = key.split('!', 1)
        self.client.put('/access/users/%s/token/%s' % (userid, tokenid), **changes)

    def delete(self, key, have, item):
        userid, tokenid = key.split('!', 1)
        self.client.delete('/access/users/%s/token/%s' % (userid, tokenid))

    def regenerations(self, items, have_all):
        """Tokens whose secret_file is missing: replaced with regenerate=true, an error otherwise."""
        for item in items:
            key = self.key(item)
            path = item.get('secret_file')
            if item.get('state', 'present') == 'absent' or key not in have_all or not path or os.path.exists(path):
                continue
            if not item.get('regenerate'):
                raise ProxmoxError('tokens[%s].secret_file: %s does not exist and the secret of an existing token cannot be '
                                   'read back; set regenerate: true to replace the token (the old secret stops working)'
                                   % (key, path))
            self.replace.add(key)
            del have_all[key]
        return have_all


ACL_KINDS = (('users', 'user'), ('groups', 'group'), ('tokens', 'token'))


class AclKind(Kind):
    name = 'acl'

    def read(self):
        return {'%s|%s:%s|%s' % (a['path'], a['type'], a['ugid'], a['roleid']): {'propagate': flag(a.get('propagate', 1))}
                for a in self.client.get('/access/acl')}

    def key(self, item):
        return item['key']

    def want(self, item, have):
        return {'propagate': flag(item.get('propagate', True))}

    def _put(self, key, **extra):
        path, who, role = key.split('|')
        kind, ugid = who.split(':', 1)
        self.client.put('/access/acl', path=path, roles=role, **dict({kind + 's': ugid}, **extra))

    def create(self, key, want, item):
        self._put(key, propagate=want['propagate'])

    def update(self, key, changes, want, have, item):
        self._put(key, propagate=want['propagate'])

    def delete(self, key, have, item):
        self._put(key, delete=1)


def expand_acls(acls):
    """One declared ACL (a path, roles and several users/groups/tokens) -> one item per entry."""
    out = []
    for index, acl in enumerate(acls):
        path = acl['path']
        if not path.startswith('/'):
            raise ProxmoxError('acls[%d].path: %r must start with / (for example /vms/100 or /pool/web)' % (index, path))
        whom = [(kind, ugid) for option, kind in ACL_KINDS for ugid in acl.get(option) or []]
        if not whom:
            raise ProxmoxError('acls[%d]: give users, groups or tokens for %s' % (index, path))
        for kind, ugid in whom:
            for role in acl['roles']:
                out.append({'key': '%s|%s:%s|%s' % (path, kind, ugid, role), 'propagate': acl.get('propagate', True),
                            'state': acl.get('state', 'present')})
    return out


def converge_access(client, params, check_mode):
    result = {'changed': False, 'diff': {'before': {}, 'after': {}}, 'token_secrets': {}}

    def step(name, kind, items, have_all=None):
        if items is None:
            return
        entries, diff, changed = converge(kind, items, check_mode, where=name, have_all=have_all)
        result[name] = entries
        result['changed'] = result['changed'] or changed
        for side in ('before', 'after'):
            result['diff'][side].update({'%s/%s' % (name, k): v for k, v in diff[side].items()})

    # Users are listed with their tokens in one request, read before anything changes: a token whose
    # secret file is missing fails the task here, not half way.
    full = tokens = token_have = None
    if params.get('users') is not None or params.get('tokens') is not None:
        full = client.get('/access/users', full=1)
    if params.get('tokens') is not None:
        tokens = TokenKind(client, full, check_mode)
        token_have = tokens.regenerations(params['tokens'], tokens.read())
    step('groups', GroupKind(client), params.get('groups'))
    step('roles', RoleKind(client), params.get('roles'))
    step('users', UserKind(client, full), params.get('users'))
    if tokens is not None:
        step('tokens', tokens, params['tokens'], have_all=token_have)
        result['token_secrets'] = tokens.secrets
        files = dict((tokens.key(t), t.get('secret_file')) for t in params['tokens'])
        for entry in result['tokens']:
            entry['secret_written'] = entry['name'] in tokens.secrets and bool(files.get(entry['name']))
    if params.get('acls') is not None:
        step('acls', AclKind(client), expand_acls(params['acls']))
    return result

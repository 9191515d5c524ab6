# -*- coding: utf-8 -*-
# Copyright: strata.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""API handlers for cluster administration: storage definitions, node network (staged), access control."""

from __future__ import annotations

import difflib
import re
import uuid

from .api import route
from .state import fail, param_error

_META = {'node', 'digest', 'delete'}


class Answer:
    """Data plus attributes beside it in the JSON answer (PVE's ``set_result_attrib``)."""

    def __init__(self, data, **attribs):
        self.data = data
        self.attribs = attribs


# --- storage -----------------------------------------------------------------------------------
_STORAGE_FIXED = ('type', 'path', 'export', 'vgname', 'thinpool', 'mountpoint')


def _storage(ctx):
    entry = ctx.c.storage.get(ctx.p['storage'])
    if entry is None:
        fail("storage '%s' does not exist" % ctx.p['storage'])
    return entry


def _check_online(ctx, entry):
    if entry['type'] == 'nfs' and entry.get('server') in ctx.c.unreachable_servers:
        fail("storage '%s' is not online" % entry['storage'])


@route('GET', '/storage/{storage}')
def _storage_get(ctx):
    return dict(_storage(ctx), digest='0' * 40)


@route('POST', '/storage')
def _storage_create(ctx):
    sid = ctx.p['storage']
    if sid in ctx.c.storage:
        fail("storage ID '%s' already defined" % sid)
    entry = {k: v for k, v in ctx.p.items() if k not in ('keyring',)}
    required = {'dir': ('path',), 'nfs': ('server', 'export'), 'lvm': ('vgname',), 'lvmthin': ('vgname', 'thinpool'),
                'rbd': ('pool',)}.get(entry['type'], ())
    missing = {k: 'property is missing and it is not optional' for k in required if k not in entry}
    if missing:
        param_error(missing)
    if entry['type'] == 'nfs':
        entry.setdefault('path', '/mnt/pve/%s' % sid)
    entry.setdefault('content', {'dir': 'iso,vztmpl,backup', 'nfs': 'images', 'rbd': 'images'}.get(entry['type'], 'images,rootdir'))
    if entry['type'] == 'rbd' and 'monhost' in entry and 'keyring' not in ctx.p:
        fail("storage '%s' needs a keyring for the external Ceph cluster (monhost set)" % sid)
    _check_online(ctx, entry)
    if 'keyring' in ctx.p:
        ctx.c.storage_keyrings[sid] = ctx.p['keyring']
    ctx.c.storage[sid] = entry
    return {'storage': sid, 'type': entry['type']}


@route('PUT', '/storage/{storage}')
def _storage_update(ctx):
    entry = _storage(ctx)
    for key, value in ctx.p.items():
        if key in ('storage', 'digest', 'delete'):
            continue
        if key == 'keyring':
            ctx.c.storage_keyrings[entry['storage']] = value
            continue
        entry[key] = value
    for key in re.split(r'[,; ]+', ctx.p.get('delete', '')):
        if key in _STORAGE_FIXED:
            param_error({'delete': "unable to delete fixed option '%s'" % key})
        entry.pop(key, None)
    return {'storage': entry['storage'], 'type': entry['type']}


@route('DELETE', '/storage/{storage}')
def _storage_delete(ctx):
    _storage(ctx)
    del ctx.c.storage[ctx.p['storage']]
    ctx.c.storage_keyrings.pop(ctx.p['storage'], None)


# --- node network (staged in interfaces.new, applied by a reload task) -------------------------
_NET_KEYS = {'bridge_ports', 'bridge_vlan_aware', 'bridge_vids', 'slaves', 'bond_mode', 'bond_xmit_hash_policy',
             'bond-primary', 'vlan-id', 'vlan-raw-device', 'cidr', 'gateway', 'cidr6', 'gateway6', 'mtu', 'autostart',
             'comments', 'address', 'netmask'}


def _render(config):
    lines = []
    for iface in sorted(config.values(), key=lambda i: (i.get('priority', 99), i['iface'])):
        if int(iface.get('autostart', 0)):
            lines.append('auto %s' % iface['iface'])
        lines.append('iface %s inet %s' % (iface['iface'], 'static' if iface.get('cidr') else 'manual'))
        for key in sorted(k for k in iface if k in _NET_KEYS - {'autostart', 'address', 'netmask'}):
            lines.append('\t%s %s' % (key.replace('_', '-') if key != 'cidr' else 'address', iface[key]))
        if iface['type'] == 'bond' and 'bond_mode' not in iface:
            lines.append('\tbond-mode balance-rr')
        lines.append('')
    return lines


def _staged(ctx, node, create=False):
    ctx.c.node_online(node)
    if ctx.c.network_staged[node] is None and create:
        ctx.c.network_staged[node] = {k: dict(v) for k, v in ctx.c.network[node].items()}
    return ctx.c.network_staged[node] if ctx.c.network_staged[node] is not None else ctx.c.network[node]


def _changes(ctx, node):
    staged = ctx.c.network_staged[node]
    if staged is None:
        return None
    diff = difflib.unified_diff(_render(ctx.c.network[node]), _render(staged), '/etc/network/interfaces',
                                '/etc/network/interfaces.new', lineterm='')
    return '\n'.join(diff) + '\n'


@route('GET', '/nodes/{node}/network')
def _network_list(ctx):
    node = ctx.p['node']
    config = _staged(ctx, node)
    out = [dict(i) for i in config.values() if not ctx.p.get('type') or i['type'] == ctx.p['type']]
    changes = _changes(ctx, node)
    return Answer(out, changes=changes) if changes else out


@route('GET', '/nodes/{node}/network/{iface}')
def _network_get(ctx):
    config = _staged(ctx, ctx.p['node'])
    if ctx.p['iface'] not in config:
        fail("interface '%s' does not exist" % ctx.p['iface'])
    return dict(config[ctx.p['iface']])


def _network_set(ctx, iface, config, fresh):
    for key, value in ctx.p.items():
        if key in _META or key in ('iface', 'type'):
            continue
        iface[key] = value
    if 'cidr' in ctx.p:
        iface['address'], _sep, iface['netmask'] = ctx.p['cidr'].partition('/')
    for key in re.split(r'[,; ]+', ctx.p.get('delete', '')):
        if key:
            iface.pop(key, None)
    for port in _split(iface.get('bridge_ports')) + _split(iface.get('slaves')):
        if port not in config:
            fail("interface '%s' does not exist" % port)
    if iface['type'] == 'vlan':
        raw = iface.get('vlan-raw-device') or iface['iface'].rsplit('.', 1)[0]
        if raw not in config:
            fail("vlan-raw-device '%s' does not exist" % raw)
    if fresh:
        iface.setdefault('autostart', 1)
        iface['priority'] = max([i.get('priority', 0) for i in config.values()] + [0]) + 1


@route('POST', '/nodes/{node}/network')
def _network_create(ctx):
    config = _staged(ctx, ctx.p['node'], create=True)
    name = ctx.p['iface']
    if name in config:
        fail("interface '%s' already exists" % name)
    if ctx.p['type'] == 'eth':
        fail("interface '%s' does not exist (a physical interface cannot be created)" % name)
    iface = {'iface': name, 'type': ctx.p['type'], 'families': ['inet'], 'method': 'manual'}
    _network_set(ctx, iface, config, fresh=True)
    config[name] = iface


@route('PUT', '/nodes/{node}/network/{iface}')
def _network_update(ctx):
    config = _staged(ctx, ctx.p['node'], create=True)
    name = ctx.p['iface']
    if name not in config:
        fail("interface '%s' does not exist" % name)
    if config[name]['type'] != ctx.p['type']:
        fail("interface '%s' has type '%s', not '%s'" % (name, config[name]['type'], ctx.p['type']))
    iface = dict(config[name])
    _network_set(ctx, iface, config, fresh=False)
    config[name] = iface


@route('DELETE', '/nodes/{node}/network/{iface}')
def _network_delete(ctx):
    config = _staged(ctx, ctx.p['node'], create=True)
    name = ctx.p['iface']
    if name not in config:
        fail("interface '%s' does not exist" % name)
    users = [i['iface'] for i in config.values() if name in re.split(r'[ ,;]+', i.get('bridge_ports', '') + ' ' + i.get('slaves', ''))]
    if users:
        fail("interface '%s' is used by '%s'" % (name, users[0]))
    del config[name]


@route('PUT', '/nodes/{node}/network')
def _network_apply(ctx):
    node = ctx.p['node']
    ctx.c.node_online(node)
    staged = ctx.c.network_staged[node]
    if staged is None:
        fail('no changes to apply')

    def done():
        ctx.c.network[node] = staged
        ctx.c.network_staged[node] = None
    return ctx.c.start_task(node, 'srvreload', 'networking', ctx.user, on_done=done)


@route('DELETE', '/nodes/{node}/network')
def _network_revert(ctx):
    ctx.c.node_online(ctx.p['node'])
    ctx.c.network_staged[ctx.p['node']] = None


# --- access control ----------------------------------------------------------------------------
def _user(ctx):
    user = ctx.c.users.get(ctx.p['userid'])
    if user is None:
        fail("no such user ('%s')" % ctx.p['userid'])
    return user


def _set_groups(ctx, userid, groups):
    for gid in groups:
        if gid not in ctx.c.groups:
            fail("no such group '%s'" % gid)
    for gid, group in ctx.c.groups.items():
        group['users'].discard(userid)
        if gid in groups:
            group['users'].add(userid)
    ctx.c.users[userid]['groups'] = set(groups)


def _split(text):
    return [x for x in re.split(r'[,; ]+', text or '') if x]


_USER_KEYS = ('comment', 'email', 'firstname', 'lastname', 'expire', 'enable')


@route('GET', '/access/users')
def _users(ctx):
    out = []
    for user in ctx.c.users.values():
        entry = {k: user[k] for k in _USER_KEYS if user.get(k) not in (None, '')}
        entry['userid'] = user['userid']
        entry['enable'] = int(user.get('enable', 1))
        if ctx.p.get('full') == '1':
            entry['groups'] = ','.join(sorted(user.get('groups', ())))
            entry['tokens'] = [{'tokenid': t, 'comment': i.get('comment', ''), 'expire': int(i.get('expire', 0)),
                                'privsep': int(i.get('privsep', 1))} for t, i in sorted(user['tokens'].items())]
        out.append(entry)
    return out


@route('POST', '/access/users')
def _user_create(ctx):
    userid = ctx.p['userid']
    if userid in ctx.c.users:
        fail("create user failed: user '%s' already exists" % userid)
    realm = userid.split('@', 1)[1]
    if realm not in ('pve', 'pam'):
        fail("domain '%s' does not exist" % realm)
    if realm == 'pam' and 'password' in ctx.p:
        fail('setting password for pam realm is not allowed')
    user = {'userid': userid, 'enable': 1, 'groups': set(), 'tokens': {}, 'comment': '', 'email': '',
            'password': ctx.p.get('password')}
    for key in _USER_KEYS:
        if key in ctx.p:
            user[key] = ctx.p[key]
    ctx.c.users[userid] = user
    _set_groups(ctx, userid, _split(ctx.p.get('groups')))


@route('GET', '/access/users/{userid}')
def _user_get(ctx):
    user = _user(ctx)
    out = {k: user[k] for k in _USER_KEYS if user.get(k) not in (None, '')}
    out['groups'] = sorted(user.get('groups', ()))
    out['tokens'] = {t: {'privsep': int(i.get('privsep', 1))} for t, i in user['tokens'].items()}
    return out


@route('PUT', '/access/users/{userid}')
def _user_update(ctx):
    user = _user(ctx)
    for key in _USER_KEYS:
        if key in ctx.p:
            user[key] = ctx.p[key]
    if 'groups' in ctx.p:
        groups = _split(ctx.p['groups'])
        if ctx.p.get('append') == '1':
            groups = sorted(set(groups) | user['groups'])
        _set_groups(ctx, user['userid'], groups)


@route('DELETE', '/access/users/{userid}')
def _user_delete(ctx):
    user = _user(ctx)
    if user['userid'] == 'root@pam':
        fail('deleting the root@pam user is not allowed')
    _set_groups(ctx, user['userid'], [])
    del ctx.c.users[user['userid']]
    ctx.c.acl = [a for a in ctx.c.acl if a['ugid'] != user['userid'] and not a['ugid'].startswith(user['userid'] + '!')]


@route('GET', '/access/users/{userid}/token')
def _tokens(ctx):
    return [{'tokenid': t, 'comment': i.get('comment', ''), 'expire': int(i.get('expire', 0)), 'privsep': int(i.get('privsep', 1))}
            for t, i in sorted(_user(ctx)['tokens'].items())]


@route('GET', '/access/users/{userid}/token/{tokenid}')
def _token_get(ctx):
    token = _user(ctx)['tokens'].get(ctx.p['tokenid'])
    if token is None:
        fail("no such token '%s' for user '%s'" % (ctx.p['tokenid'], ctx.p['userid']))
    return {'comment': token.get('comment', ''), 'expire': int(token.get('expire', 0)), 'privsep': int(token.get('privsep', 1))}


@route('POST', '/access/users/{userid}/token/{tokenid}')
def _token_create(ctx):
    user = _user(ctx)
    tokenid = ctx.p['tokenid']
    if tokenid in user['tokens']:
        fail("Token already exists.")
    secret = str(uuid.uuid4())
    info = {'privsep': int(ctx.p.get('privsep', 1)), 'comment': ctx.p.get('comment', ''), 'expire': int(ctx.p.get('expire', 0))}
    user['tokens'][tokenid] = dict(info, secret=secret)
    return {'full-tokenid': '%s!%s' % (user['userid'], tokenid), 'info': info, 'value': secret}


@route('PUT', '/access/users/{userid}/token/{tokenid}')
def _token_update(ctx):
    token = _user(ctx)['tokens'].get(ctx.p['tokenid'])
    if token is None:
        fail("no such token '%s' for user '%s'" % (ctx.p['tokenid'], ctx.p['userid']))
    for key in ('comment', 'expire', 'privsep'):
        if key in ctx.p:
            token[key] = ctx.p[key] if key == 'comment' else int(ctx.p[key])
    return {k: token[k] for k in ('comment', 'expire', 'privsep')}


@route('DELETE', '/access/users/{userid}/token/{tokenid}')
def _token_delete(ctx):
    user = _user(ctx)
    if user['tokens'].pop(ctx.p['tokenid'], None) is None:
        fail("no such token '%s' for user '%s'" % (ctx.p['tokenid'], ctx.p['userid']))
    full = '%s!%s' % (user['userid'], ctx.p['tokenid'])
    ctx.c.acl = [a for a in ctx.c.acl if a['ugid'] != full]


@route('GET', '/access/groups')
def _groups(ctx):
    return [{'groupid': g, 'comment': i.get('comment', ''), 'users': ','.join(sorted(i['users']))} for g, i in sorted(ctx.c.groups.items())]


@route('POST', '/access/groups')
def _group_create(ctx):
    if ctx.p['groupid'] in ctx.c.groups:
        fail("create group failed: group '%s' already exists" % ctx.p['groupid'])
    ctx.c.groups[ctx.p['groupid']] = {'comment': ctx.p.get('comment', ''), 'users': set()}


def _group(ctx):
    group = ctx.c.groups.get(ctx.p['groupid'])
    if group is None:
        fail("group '%s' does not exist" % ctx.p['groupid'])
    return group


@route('GET', '/access/groups/{groupid}')
def _group_get(ctx):
    group = _group(ctx)
    return {'comment': group.get('comment', ''), 'members': sorted(group['users'])}


@route('PUT', '/access/groups/{groupid}')
def _group_update(ctx):
    group = _group(ctx)
    if 'comment' in ctx.p:
        group['comment'] = ctx.p['comment']


@route('DELETE', '/access/groups/{groupid}')
def _group_delete(ctx):
    group = _group(ctx)
    for userid in group['users']:
        ctx.c.users[userid]['groups'].discard(ctx.p['groupid'])
    del ctx.c.groups[ctx.p['groupid']]
    ctx.c.acl = [a for a in ctx.c.acl if not (a['type'] == 'group' and a['ugid'] == ctx.p['groupid'])]


@route('GET', '/access/roles')
def _roles(ctx):
    return [{'roleid': r, 'privs': ','.join(sorted(i['privs'])), 'special': i.get('special', 0)} for r, i in sorted(ctx.c.roles.items())]


@route('GET', '/access/roles/{roleid}')
def _role_get(ctx):
    role = ctx.c.roles.get(ctx.p['roleid'])
    if role is None:
        fail("role '%s' does not exist" % ctx.p['roleid'])
    return {p: 1 for p in sorted(role['privs'])}


_PRIV = re.compile(r'^[A-Z][A-Za-z]+\.[A-Za-z.]+$')


def _privs(ctx):
    privs = set(_split(ctx.p.get('privs')))
    bad = sorted(p for p in privs if not _PRIV.match(p))
    if bad:
        param_error({'privs': "invalid privilege '%s'" % bad[0]})
    return privs


@route('POST', '/access/roles')
def _role_create(ctx):
    if ctx.p['roleid'] in ctx.c.roles:
        fail("role '%s' already exists" % ctx.p['roleid'])
    ctx.c.roles[ctx.p['roleid']] = {'privs': _privs(ctx), 'special': 0}


@route('PUT', '/access/roles/{roleid}')
def _role_update(ctx):
    role = ctx.c.roles.get(ctx.p['roleid'])
    if role is None:
        fail("role '%s' does not exist" % ctx.p['roleid'])
    if role.get('special'):
        fail("cannot modify role '%s'" % ctx.p['roleid'])
    privs = _privs(ctx)
    role['privs'] = role['privs'] | privs if ctx.p.get('append') == '1' else privs


@route('DELETE', '/access/roles/{roleid}')
def _role_delete(ctx):
    role = ctx.c.roles.get(ctx.p['roleid'])
    if role is None:
        fail("role '%s' does not exist" % ctx.p['roleid'])
    if role.get('special'):
        fail("cannot delete role '%s'" % ctx.p['roleid'])
    del ctx.c.roles[ctx.p['roleid']]
    ctx.c.acl = [a for a in ctx.c.acl if a['roleid'] != ctx.p['roleid']]


@route('GET', '/access/acl')
def _acl(ctx):
    return [dict(a) for a in ctx.c.acl]


@route('PUT', '/access/acl')
def _acl_update(ctx):
    path = ctx.p['path']
    if not path.startswith('/'):
        param_error({'path': 'invalid ACL path'})
    whom = [('user', u) for u in _split(ctx.p.get('users'))] + [('group', g) for g in _split(ctx.p.get('groups'))] \
        + [('token', t) for t in _split(ctx.p.get('tokens'))]
    for kind, ugid in whom:
        if kind == 'user' and ugid not in ctx.c.users:
            fail("user '%s' does not exist" % ugid)
        if kind == 'group' and ugid not in ctx.c.groups:
            fail("group '%s' does not exist" % ugid)
        if kind == 'token':
            userid, _sep, tokenid = ugid.partition('!')
            if tokenid not in ctx.c.users.get(userid, {}).get('tokens', {}):
                fail("no such token '%s' for user '%s'" % (tokenid, userid))
    roles = _split(ctx.p['roles'])
    for role in roles:
        if role not in ctx.c.roles:
            fail("role '%s' does not exist" % role)
    propagate = int(ctx.p.get('propagate', 1))
    for kind, ugid in whom:
        for role in roles:
            same = (path, kind, ugid, role)
            ctx.c.acl = [a for a in ctx.c.acl if (a['path'], a['type'], a['ugid'], a['roleid']) != same]
            if ctx.p.get('delete') != '1':
                ctx.c.acl.append({'path': path, 'type': kind, 'ugid': ugid, 'roleid': role, 'propagate': propagate})

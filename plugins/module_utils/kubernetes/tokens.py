# -*- coding: utf-8 -*-
# Copyright: strata.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Bootstrap tokens: list, converge (present/absent) by description or token id.

``kubeadm token create`` makes a new token on every call; this layer finds a usable token first
(same description, or same id, with at least ``min_ttl`` seconds left) so a re-run changes nothing.
"""

from __future__ import annotations

import datetime
import json
import re

from ansible_collections.strata.cloud.plugins.module_utils.kubernetes.errors import KubernetesError

TOKEN_RE = re.compile(r'^([a-z0-9]{6})\.([a-z0-9]{16})$')
TTL_RE = re.compile(r'^([0-9]+)(s|m|h)?$')


def parse_ttl(value):
    """``'2h'``, ``'30m'``, ``'900s'``, ``900`` -> seconds; ``0`` means never expires."""
    match = TTL_RE.match(str(value).strip())
    if not match:
        raise KubernetesError('ttl: %r is not a duration; use seconds or a number with s, m or h, e.g. 2h' % (value,))
    return int(match.group(1)) * {'s': 1, None: 1, 'm': 60, 'h': 3600}[match.group(2)]


def parse_list(text):
    """The JSON objects ``kubeadm token list -o json`` prints one after another."""
    decoder = json.JSONDecoder()
    items, index, text = [], 0, text or ''
    while True:
        while index < len(text) and text[index].isspace():
            index += 1
        if index >= len(text):
            return items
        try:
            obj, index = decoder.raw_decode(text, index)
        except ValueError as exc:
            raise KubernetesError('kubeadm token list: cannot read its JSON output (%s)' % exc)
        items.extend(obj if isinstance(obj, list) else [obj])


def _expires(item):
    value = item.get('expires')
    if not value:
        return None
    value = value.replace('Z', '+00:00')
    try:
        return datetime.datetime.fromisoformat(value)
    except ValueError:
        raise KubernetesError('kubeadm token list: expiry %r is not a timestamp' % item.get('expires'))


def normalise(item, now):
    """A token as this module reports it; ``remaining`` is seconds left (None: never expires)."""
    token = item.get('token', '')
    expires = _expires(item)
    remaining = None if expires is None else int((expires - now).total_seconds())
    return {'id': token.split('.')[0], 'token': token, 'description': item.get('description', ''),
            'usages': sorted(item.get('usages') or []), 'groups': sorted(item.get('groups') or []),
            'expires': item.get('expires') or '', 'remaining': remaining}


def list_tokens(cli, now):
    out = cli.kubeadm('token', 'list', '-o', 'json')[1]
    return [normalise(i, now) for i in parse_list(out)]


def matches(token, description=None, token_id=None):
    if token_id:
        return token['id'] == token_id
    return token['description'] == description


def converge(cli, state, now, description=None, token=None, ttl='1h', min_ttl=600, usages=None, groups=None,
             check_mode=False):
    """Make the token present or absent. Returns ``(changed, result dict)``."""
    if not description and not token:
        raise KubernetesError('give description (to find the token again on the next run) or token')
    token_id = None
    if token:
        match = TOKEN_RE.match(token)
        if not match:
            raise KubernetesError('token: must look like [a-z0-9]{6}.[a-z0-9]{16}')
        token_id = match.group(1)
    ttl_seconds = parse_ttl(ttl)
    if ttl_seconds and min_ttl >= ttl_seconds:
        raise KubernetesError('min_ttl: %s must be shorter than ttl (%ss); otherwise every run makes a new token'
                              % (min_ttl, ttl_seconds))
    current = [t for t in list_tokens(cli, now) if matches(t, description, token_id)]
    if state == 'absent':
        if current and not check_mode:
            cli.kubeadm('token', 'delete', *[t['id'] for t in current])
        return bool(current), {'token': None, 'deleted': [t['id'] for t in current]}
    wanted_usages = sorted(usages or ['authentication', 'signing'])
    usable = [t for t in current if (t['remaining'] is None or t['remaining'] >= min_ttl)
              and t['usages'] == wanted_usages and (groups is None or t['groups'] == sorted(groups))]
    if usable:
        best = max(usable, key=lambda t: float('inf') if t['remaining'] is None else t['remaining'])
        return False, {'token': best['token'], 'id': best['id'], 'remaining': best['remaining'], 'deleted': []}
    if check_mode:
        return True, {'token': None, 'id': token_id, 'remaining': ttl_seconds or None, 'deleted': []}
    argv = ['token', 'create', '--ttl', '%ds' % ttl_seconds, '--usages', ','.join(wanted_usages)]
    if description:
        argv += ['--description', description]
    if groups:
        argv += ['--groups', ','.join(groups)]
    if token:
        if current:
            cli.kubeadm('token', 'delete', token_id)
        argv.append(token)
    out = cli.kubeadm(*argv)[1]
    created = out.strip().splitlines()[-1].strip() if out.strip() else ''
    if not TOKEN_RE.match(created):
        raise KubernetesError('kubeadm token create printed %r, not a token' % created[:80])
    return True, {'token': created, 'id': created.split('.')[0], 'remaining': ttl_seconds or None, 'deleted': []}

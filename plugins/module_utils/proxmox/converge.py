# -*- coding: utf-8 -*-
# Copyright: strata.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one convergence pattern of the declarative proxmox_* modules (storage, network, access).

A :class:`Kind` says how to read every object of one kind (in one request where the API allows),
how to turn a declared item into the normalised fields it manages, and how to create, update or
delete one object. :func:`converge` decides find -> create | update | delete | noop once per item;
that same decision gives ``changed``, the check-mode answer and the diff, and only outside check
mode are the writes made.
"""

from __future__ import annotations

from ansible_collections.strata.cloud.plugins.module_utils.converge import Kind as BaseKind
from ansible_collections.strata.cloud.plugins.module_utils.converge import decide, masked
from ansible_collections.strata.cloud.plugins.module_utils.proxmox.errors import ProxmoxError


class Kind(BaseKind):
    """One kind of Proxmox VE object, read and written through one client."""

    name = 'object'

    def __init__(self, client):
        self.client = client


def converge(kind, items, check_mode, where=None, have_all=None):
    """Converge ``items`` (dicts with ``state`` present/absent). Returns (results, diff, changed).

    ``have_all`` is what ``kind.read()`` returned, when the caller read it already.
    """
    where = where or kind.name
    if have_all is None:
        have_all = kind.read()
    results, before, after = [], {}, {}
    seen = set()
    for item in items:
        key = kind.key(item)
        if key in seen:
            raise ProxmoxError('%s: %s is declared more than once' % (where, key))
        seen.add(key)
        have = have_all.get(key)
        entry = {'name': key, 'action': 'none', 'changed': False}
        if item.get('state', 'present') == 'absent':
            if have is not None:
                entry.update(action='delete', changed=True)
                before[key], after[key] = masked(have, kind.secret), None
                if not check_mode:
                    kind.delete(key, have, item)
            results.append(entry)
            continue
        want = kind.want(item, have)
        action, changes, bad = decide(want, have, kind.fixed, kind.secret, send_secrets=True)
        if bad:
            raise ProxmoxError('%s[%s]: %s cannot be changed on an existing %s (it is %s); remove it and create it again'
                               % (where, key, ', '.join(bad), kind.name, ', '.join('%s=%s' % (k, have.get(k)) for k in bad)))
        if action == 'create':
            entry.update(action='create', changed=True, changes=sorted(want))
            before[key], after[key] = None, masked(want, kind.secret)
            if not check_mode:
                kind.create(key, want, item)
        elif action == 'update':
            entry.update(action='update', changed=True, changes=sorted(changes))
            before[key] = masked({k: have.get(k) for k in changes}, kind.secret)
            after[key] = masked(changes, kind.secret)
            if not check_mode:
                kind.update(key, changes, want, have, item)
        results.append(entry)
    return results, {'before': before, 'after': after}, any(r['changed'] for r in results)

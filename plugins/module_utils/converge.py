# -*- coding: utf-8 -*-
# Copyright: strata.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one decision of the collection's declarative API modules (Proxmox VE and OpenStack).

Both read every existing object of a kind, normalise it, and then decide once per declared item;
that decision gives ``changed``, the check-mode answer and the diff. Each caller raises its own
error (naming its variables) for the fixed fields this reports as refused.
"""

from __future__ import annotations

MASK = '********'


class Kind:
    """One kind of object: its rules, how to read every existing one and how to write one.

    Subclasses (per API) add how they are constructed and keyed, and implement the methods.
    """

    # Fields whose value cannot be changed once the object exists (a change is an error, not an update).
    fixed = ()
    # Fields that are written but never read back (secrets): shown masked, not compared.
    secret = ()

    def read(self):
        """``{key: normalised fields}`` of every existing object (one list request where the API allows)."""
        raise NotImplementedError

    def key(self, item):
        raise NotImplementedError

    def want(self, item, have):
        """The normalised fields ``item`` manages (``have``: the current fields or None)."""
        raise NotImplementedError

    def create(self, key, want, item):
        raise NotImplementedError

    def update(self, key, changes, want, have, item):
        raise NotImplementedError

    def delete(self, key, have, item):
        raise NotImplementedError


def masked(fields, secret=()):
    """``fields`` sorted by name, with the values of ``secret`` fields that are set shown as a mask."""
    return {k: (MASK if k in secret and v is not None else v) for k, v in sorted(fields.items())}


def decide(want, have, fixed=(), secret=(), send_secrets=False):
    """``(action, changes, refused)`` for a present item (``want`` and ``have`` already normalised).

    ``action`` is ``create`` (``have`` is None), ``update`` or ``none``; ``changes`` are the fields to
    write; ``refused`` the sorted ``fixed`` fields that differ (they cannot change on an existing
    object). Secrets are never compared (APIs do not return them); with ``send_secrets`` a declared
    secret is written on every update.
    """
    if have is None:
        return 'create', dict(want), []
    changes = {k: v for k, v in want.items() if k not in secret and have.get(k) != v}
    if send_secrets:
        changes.update({k: v for k, v in want.items() if k in secret and v is not None})
    refused = sorted(k for k in changes if k in fixed)
    return ('update' if changes else 'none'), changes, refused

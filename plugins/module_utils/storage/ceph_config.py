# -*- coding: utf-8 -*-
# Copyright: strata.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Ceph's central configuration: which wanted options differ from ``ceph config dump``.

Ceph keeps an option in its own spelling: Pacific shows ``mon_clock_drift_allowed = 2`` as
``2.000000``, a size set as ``1G`` may come back in bytes. Values are compared after reading
them as booleans, numbers or IEC sizes, so a converged cluster needs no ``ceph config set``.
"""

from __future__ import annotations

import re

_SIZE = re.compile(r'^(\d+(?:\.\d+)?)\s*([KMGTP])(i?B?)?$', re.IGNORECASE)
_POWERS = {'K': 1, 'M': 2, 'G': 3, 'T': 4, 'P': 5}


def config_text(value):
    """How a wanted value is passed to ``ceph config set``: booleans in lower case."""
    if isinstance(value, bool):
        return 'true' if value else 'false'
    return str(value).strip()


def _canonical(text):
    low = text.strip().lower()
    if low in ('true', 'yes', 'on'):
        return True
    if low in ('false', 'no', 'off'):
        return False
    try:
        return float(low)
    except ValueError:
        pass
    match = _SIZE.match(low)
    if match:
        return float(match.group(1)) * 1024 ** _POWERS[match.group(2).upper()]
    return text.strip()


def same_value(wanted, current):
    return _canonical(config_text(wanted)) == _canonical(str(current))


def config_changes(wanted, dump):
    """Options to set: ``wanted`` is {section: {name: value}}, ``dump`` the parsed JSON of
    ``ceph config dump --format json``. Returns [{section, name, value}] in a stable order."""
    if not isinstance(wanted, dict):
        raise ValueError('the wanted configuration must be a mapping of sections, got %r' % (wanted,))
    current = {(row.get('section'), row.get('name')): row.get('value') for row in dump or []}
    changes = []
    for section in sorted(wanted):
        options = wanted[section] or {}
        if not isinstance(options, dict):
            raise ValueError('section %s of the configuration must be a mapping of options, got %r' % (section, options))
        for name in sorted(options):
            key = (section, name)
            if key in current and same_value(options[name], current[key]):
                continue
            changes.append({'section': section, 'name': name, 'value': config_text(options[name])})
    return changes

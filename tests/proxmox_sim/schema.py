# -*- coding: utf-8 -*-
# Copyright: strata.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Request validation against the official Proxmox VE API schema (apidata.js).

The schema files are test data kept outside the repository: $STRATA_PVE_SCHEMA_DIR, default
``../shared/proxmox-api`` next to the repository root. Nothing of them is copied here.
"""

from __future__ import annotations

import json
import os
import re

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PROFILES = {'8.4': 'apidata-pve8.4.js', '9.1': 'apidata-pve9.1.js'}

# Named formats that are simple enough to check exactly; others are accepted as strings.
_NAMED = {
    'pve-node': re.compile(r'^[a-zA-Z0-9]([a-zA-Z0-9\-]*[a-zA-Z0-9])?$'),
    'pve-poolid': re.compile(r'^[A-Za-z0-9_\-/]+$'),
    'pve-storage-id': re.compile(r'^[a-z][a-z0-9\-_.]*[a-z0-9]$'),
    'pve-configid': re.compile(r'^[a-z][a-z0-9_]+$'),
    'pve-iface': re.compile(r'^[a-zA-Z][a-zA-Z0-9_.:\-]{1,20}$'),
    'pve-userid': re.compile(r'^[^\s:/]+@[A-Za-z][A-Za-z0-9.\-_]+$'),
    'pve-groupid': re.compile(r'^[A-Za-z0-9.\-_]+$'),
    'pve-roleid': re.compile(r'^[A-Za-z0-9.\-_]+$'),
    'urlencoded': re.compile(r"^[-%a-zA-Z0-9_.!~*'()]*$"),
    'mac-addr': re.compile(r'^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$'),
    'dns-name': re.compile(r'^(?=.{1,253}$)([a-zA-Z0-9]([a-zA-Z0-9\-]*[a-zA-Z0-9])?\.)*'
                           r'[a-zA-Z0-9]([a-zA-Z0-9\-]*[a-zA-Z0-9])?$'),
    'pve-tag-list': re.compile(r'^([a-z0-9_][a-z0-9_\-+.]*)?([;, ]+[a-z0-9_][a-z0-9_\-+.]*)*[;, ]*$', re.I),
    'pve-configid-list': re.compile(r'^[a-z][a-z0-9_\[\]]*([,; ]+[a-z][a-z0-9_\[\]]*)*$'),
    'pve-vmid-list': re.compile(r'^\d+([,; ]+\d+)*$'),
}
_IPCONFIG_KEYS = {'ip', 'gw', 'ip6', 'gw6'}


# Where the schema is looked for when STRATA_PVE_SCHEMA_DIR is not set: beside the checkout, then the
# shared data directory of the development machines (CI clones the repository elsewhere).
SCHEMA_CANDIDATES = (os.path.join(os.path.dirname(ROOT), 'shared', 'proxmox-api'), '/work/shared/proxmox-api')


def schema_dir():
    if os.environ.get('STRATA_PVE_SCHEMA_DIR'):
        return os.environ['STRATA_PVE_SCHEMA_DIR']
    for candidate in SCHEMA_CANDIDATES:
        if os.path.isdir(candidate):
            return candidate
    return SCHEMA_CANDIDATES[0]


def _is_true(value):
    return value not in (None, 0, '0', '', False)


class SchemaMissing(RuntimeError):
    pass


class Schema:
    """All (method, path) of one PVE version, with a matcher and a parameter validator."""

    def __init__(self, profile):
        path = os.path.join(schema_dir(), PROFILES[profile])
        if not os.path.isfile(path):
            raise SchemaMissing('Proxmox VE API schema %s not found: set STRATA_PVE_SCHEMA_DIR to the directory '
                                'holding %s (default ../shared/proxmox-api beside the repository)' % (path, PROFILES[profile]))
        with open(path, encoding='utf-8') as handle:
            text = handle.read()
        tree = json.loads(text[text.index('['):text.rindex(']') + 1])
        self.profile = profile
        self.endpoints = {}
        self._routes = []
        self._walk(tree)

    def _walk(self, nodes):
        for node in nodes:
            for method, info in (node.get('info') or {}).items():
                self.endpoints[(method, node['path'])] = info
            if node.get('info'):
                pattern = re.sub(r'\\\{[^}]+\\\}', '([^/]+)', re.escape(node['path']))
                names = re.findall(r'\{([^}]+)\}', node['path'])
                self._routes.append((re.compile('^' + pattern + '$'), names, node['path']))
            self._walk(node.get('children') or [])

    def match(self, method, path):
        """Return (template, info, path params) or (template, None, params) when the method is unknown."""
        for regex, names, template in self._routes:
            found = regex.match(path)
            if found:
                return template, self.endpoints.get((method, template)), dict(zip(names, found.groups()))
        return None, None, {}

    def validate(self, info, params):
        """Per-parameter error messages (an empty dict when the request is valid)."""
        spec = info.get('parameters') or {}
        props = spec.get('properties') or {}
        errors = {}
        for key, value in params.items():
            prop = props.get(key) or props.get(re.sub(r'\d+$', '[n]', key))
            if prop is None:
                if not _is_true(spec.get('additionalProperties', 1)):
                    errors[key] = 'property is not defined in schema and the schema does not allow additional properties'
                continue
            message = check_value(prop, value)
            if message:
                errors[key] = message
        for key, prop in props.items():
            if '[n]' not in key and not _is_true(prop.get('optional')) and key not in params:
                errors[key] = 'property is missing and it is not optional'
        return errors


def check_value(prop, value):
    kind = prop.get('type')
    text = str(value)
    if kind == 'boolean':
        if text not in ('0', '1'):
            return "type check ('boolean') failed - got '%s'" % text
    elif kind == 'integer':
        if not re.match(r'^-?\d+$', text):
            return "type check ('integer') failed - got '%s'" % text
    elif kind == 'number':
        try:
            float(text)
        except ValueError:
            return "type check ('number') failed - got '%s'" % text
    if kind in ('integer', 'number'):
        number = float(text)
        if prop.get('minimum') is not None and number < float(prop['minimum']):
            return 'value must have a minimum value of %s' % prop['minimum']
        if prop.get('maximum') is not None and number > float(prop['maximum']):
            return 'value must have a maximum value of %s' % prop['maximum']
    if prop.get('enum') and text not in [str(e) for e in prop['enum']]:
        return "value '%s' does not have a value in the enumeration '%s'" % (text, ', '.join(str(e) for e in prop['enum']))
    if prop.get('maxLength') and len(text) > int(prop['maxLength']):
        return 'value may only be %s characters long' % prop['maxLength']
    # Perl's "(?^:...)" (a group with default flags) is Python's "(?:...)".
    if prop.get('pattern') and not re.match('^(?:%s)$' % prop['pattern'].replace('(?^:', '(?:'), text):
        return 'value does not match the regex pattern'
    fmt = prop.get('format')
    if isinstance(fmt, dict):
        return check_property_string(fmt, text)
    if fmt == 'pve-vmid' and not (re.match(r'^\d+$', text) and 100 <= int(text) <= 999999999):
        return 'value does not look like a valid VM ID'
    if fmt == 'pve-qm-ipconfig':
        return check_property_string({k: {'type': 'string'} for k in _IPCONFIG_KEYS}, text)
    if fmt in _NAMED and not _NAMED[fmt].match(text):
        return "value does not look like a valid %s" % fmt.replace('pve-', '')
    return None


def parse_property_string(text, fmt=None):
    """'virtio=AA:..,bridge=vmbr0' -> dict; a bare first value goes to the format's default_key."""
    out = {}
    default_key = None
    if fmt:
        default_key = next((k for k, v in fmt.items() if isinstance(v, dict) and v.get('default_key')), None)
    for part in [p for p in text.split(',') if p != '']:
        if '=' in part:
            key, val = part.split('=', 1)
        else:
            key, val = default_key or '_', part
        out[key] = val
    return out


def check_property_string(fmt, text):
    for key, val in parse_property_string(text, fmt).items():
        sub = fmt.get(key)
        if sub is None and 'model' in fmt and val and str(key) in [str(e) for e in fmt['model'].get('enum', [])]:
            continue  # net: "<model>=<macaddr>"
        if sub is None:
            alias = next((k for k, v in fmt.items() if isinstance(v, dict) and v.get('alias') == key), None)
            sub = fmt.get(alias) if alias else None
        if sub is None:
            return "invalid format - format error\n%s: property is not defined in schema and the schema does not " \
                   "allow additional properties" % key
        if not isinstance(sub, dict):
            continue
        message = check_value({k: v for k, v in sub.items() if k != 'format' or not isinstance(v, dict)}, val)
        if message:
            return 'invalid format - format error\n%s: %s' % (key, message)
    return None

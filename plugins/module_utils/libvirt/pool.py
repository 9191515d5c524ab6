# -*- coding: utf-8 -*-
# Copyright: strata.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""libvirt storage pool model: validation, XML building and parsing, normalisation.

Types: ``dir`` (a directory, created by the pool build), ``logical`` (an LVM volume group; built
from ``devices`` only when given, and never over existing data) and ``rbd`` (a Ceph pool).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from ansible_collections.strata.cloud.plugins.module_utils.libvirt.errors import LibvirtValidationError

_NAME_RE = re.compile(r'^[A-Za-z0-9][A-Za-z0-9_.+-]*$')
_UUID_RE = re.compile(r'^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$')
SOURCE_KEYS = ('vg', 'devices', 'hosts', 'pool', 'user', 'secret_uuid')
_SOURCE_KEYS_BY_TYPE = {
    'dir': (),
    'logical': ('vg', 'devices'),
    'rbd': ('hosts', 'pool', 'user', 'secret_uuid'),
}


def _split_host(entry, field):
    """``mon1`` / ``mon1:6789`` / ``[2001:db8::1]:6789`` -> ``(host, port or None)``."""
    entry = str(entry).strip()
    match = re.match(r'^\[([^\]]+)\](?::(\d+))?$', entry)
    if match:
        host, port = match.group(1), match.group(2)
    elif entry.count(':') == 1:
        host, port = entry.split(':')
    else:
        host, port = entry, None
    if not host:
        raise LibvirtValidationError('%s: %r is not a host name' % (field, entry))
    if port is not None:
        if not port.isdigit() or not 1 <= int(port) <= 65535:
            raise LibvirtValidationError('%s: %r has an invalid port' % (field, entry))
        port = int(port)
    return host, port


def _join_host(host, port):
    if port is None:
        return host
    return '[%s]:%d' % (host, port) if ':' in host else '%s:%d' % (host, port)


def validate_pool_params(params):
    """Check the module input of ``libvirt_pool``; return the desired model."""
    name = params['name']
    if not name or not _NAME_RE.match(name):
        raise LibvirtValidationError('name: %r is not a valid pool name' % (name,))
    ptype = params.get('type') or 'dir'
    source = dict((k, v) for k, v in (params.get('source') or {}).items() if v not in (None, [], ''))
    for key in source:
        if key not in _SOURCE_KEYS_BY_TYPE[ptype]:
            raise LibvirtValidationError('source.%s is not used by pool type %s' % (key, ptype))
    model = {'name': name, 'uuid': None, 'type': ptype, 'path': None,
             'source': dict((k, None) for k in SOURCE_KEYS)}
    model['source']['devices'] = []
    model['source']['hosts'] = []
    path = params.get('path')
    if ptype == 'dir':
        if not path:
            raise LibvirtValidationError('path is required when type is dir')
        if not path.startswith('/'):
            raise LibvirtValidationError('path: %r must be an absolute path' % (path,))
        model['path'] = path.rstrip('/') or '/'
    elif path:
        raise LibvirtValidationError('path is only used by type dir (logical pools live in /dev/<vg>)')
    if ptype == 'logical':
        if not source.get('vg'):
            raise LibvirtValidationError('source.vg is required when type is logical')
        for index, dev in enumerate(source.get('devices') or []):
            if not str(dev).startswith('/dev/'):
                raise LibvirtValidationError('source.devices[%d]: %r is not a /dev path' % (index, dev))
        model['source']['vg'] = source['vg']
        model['source']['devices'] = sorted(source.get('devices') or [])
    if ptype == 'rbd':
        if not source.get('pool'):
            raise LibvirtValidationError('source.pool (the Ceph pool) is required when type is rbd')
        if not source.get('hosts'):
            raise LibvirtValidationError('source.hosts (the Ceph monitors) is required when type is rbd')
        if bool(source.get('user')) != bool(source.get('secret_uuid')):
            raise LibvirtValidationError('source.user and source.secret_uuid must be given together '
                                         '(cephx auth through a libvirt secret)')
        if source.get('secret_uuid') and not _UUID_RE.match(source['secret_uuid']):
            raise LibvirtValidationError('source.secret_uuid: %r is not a UUID' % (source['secret_uuid'],))
        hosts = [_join_host(*_split_host(h, 'source.hosts[%d]' % i)) for i, h in enumerate(source['hosts'])]
        model['source'].update({'pool': source['pool'], 'hosts': hosts, 'user': source.get('user'),
                                'secret_uuid': source['secret_uuid'].lower() if source.get('secret_uuid') else None})
    return model


def build_pool_xml(model):
    pool = ET.Element('pool', type=model['type'])
    ET.SubElement(pool, 'name').text = model['name']
    if model.get('uuid'):
        ET.SubElement(pool, 'uuid').text = model['uuid']
    source = model['source']
    if model['type'] == 'logical':
        src = ET.SubElement(pool, 'source')
        ET.SubElement(src, 'name').text = source['vg']
        for dev in source['devices']:
            ET.SubElement(src, 'device', path=dev)
        ET.SubElement(src, 'format', type='lvm2')
        target = ET.SubElement(pool, 'target')
        ET.SubElement(target, 'path').text = '/dev/%s' % source['vg']
    elif model['type'] == 'rbd':
        src = ET.SubElement(pool, 'source')
        ET.SubElement(src, 'name').text = source['pool']
        for entry in source['hosts']:
            host, port = _split_host(entry, 'source.hosts')
            attrs = {'name': host}
            if port is not None:
                attrs['port'] = str(port)
            ET.SubElement(src, 'host', attrs)
        if source.get('user'):
            auth = ET.SubElement(src, 'auth', type='ceph', username=source['user'])
            ET.SubElement(auth, 'secret', uuid=source['secret_uuid'])
    else:
        target = ET.SubElement(pool, 'target')
        ET.SubElement(target, 'path').text = model['path']
    return ET.tostring(pool, encoding='unicode')


def parse_pool_xml(xml):
    root = ET.fromstring(xml)
    ptype = root.get('type')
    src = root.find('source')
    src = src if src is not None else ET.Element('source')
    source = dict((k, None) for k in SOURCE_KEYS)
    source['devices'] = []
    source['hosts'] = []
    path = root.findtext('target/path')
    if ptype == 'logical':
        source['vg'] = src.findtext('name')
        source['devices'] = sorted(d.get('path') for d in src.findall('device') if d.get('path'))
    elif ptype == 'rbd':
        source['pool'] = src.findtext('name')
        source['hosts'] = [_join_host(h.get('name'), int(h.get('port')) if h.get('port') else None)
                           for h in src.findall('host')]
        auth = src.find('auth')
        if auth is not None:
            source['user'] = auth.get('username')
            secret = auth.find('secret')
            if secret is not None and secret.get('uuid'):
                source['secret_uuid'] = secret.get('uuid').lower()
    return {
        'name': root.findtext('name'),
        'uuid': root.findtext('uuid'),
        'type': ptype,
        'path': path if ptype not in ('logical', 'rbd') else None,
        'target_path': path,
        'source': source,
    }


def pool_config_view(model):
    return {'name': model['name'], 'type': model['type'], 'path': model.get('path'), 'source': model['source']}


def pool_view(model, active, autostart, capacity=None, allocation=None, available=None, volumes=None):
    """The ``pool`` dict that libvirt_pool returns."""
    return {
        'name': model['name'],
        'uuid': model.get('uuid'),
        'type': model['type'],
        'path': model.get('path') or model.get('target_path'),
        'source': model['source'],
        'active': active,
        'autostart': autostart,
        'capacity': capacity,
        'allocation': allocation,
        'available': available,
        'volumes': volumes,
    }

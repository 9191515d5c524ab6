# -*- coding: utf-8 -*-
# Copyright: strata.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Storage volume helpers: size strings, volume names and formats, volume XML."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from ansible_collections.strata.cloud.plugins.module_utils.libvirt.errors import LibvirtValidationError

GIB = 1024 ** 3
_UNITS = {'': GIB, 'b': 1, 'k': 1024, 'm': 1024 ** 2, 'g': GIB, 't': 1024 ** 4, 'p': 1024 ** 5}
_SIZE_RE = re.compile(r'^\s*(\d+(?:\.\d+)?)\s*(?:([kmgtp])(?:i?b)?|(b))?\s*$', re.IGNORECASE)

# Pool types whose volumes are files: their disks are qcow2 (overlays possible); volumes of the
# other pool types (logical, rbd, iscsi, ...) are raw block devices.
FILE_POOL_TYPES = frozenset(('dir', 'fs', 'netfs', 'gluster', 'vstorage'))


def parse_size(value, field):
    """Bytes for ``value``: an int (GiB) or a string such as ``10G``, ``512M``, ``1.5TiB``, ``20``.

    Binary units (``G`` = GiB). The result is rounded up to a multiple of 512 bytes, like the
    sizes that qemu-img and libvirt report back.
    """
    if value is None:
        return None
    if isinstance(value, bool):
        raise LibvirtValidationError('%s: invalid size %r (expected an int number of GiB or a string like 10G)'
                                     % (field, value))
    if isinstance(value, int):
        number, unit = value, ''
    elif isinstance(value, float):
        number, unit = value, ''
    else:
        match = _SIZE_RE.match(str(value))
        if not match:
            raise LibvirtValidationError('%s: invalid size %r (expected an int number of GiB or a string '
                                         'like 10G, 512M, 1.5T)' % (field, value))
        number = float(match.group(1))
        unit = (match.group(2) or match.group(3) or '').lower()
    size = int(number * _UNITS[unit])
    if size <= 0:
        raise LibvirtValidationError('%s: size must be greater than 0, got %r' % (field, value))
    return (size + 511) // 512 * 512


def human_size(size):
    """``10737418240`` -> ``10G``; sizes that are no whole unit keep a decimal (``1.5G``)."""
    if size is None:
        return None
    for unit, factor in (('P', 1024 ** 5), ('T', 1024 ** 4), ('G', GIB), ('M', 1024 ** 2), ('K', 1024)):
        if size >= factor:
            value = size / float(factor)
            if value == int(value):
                return '%d%s' % (int(value), unit)
            return '%.2f%s' % (value, unit)
    return '%dB' % size


def volume_format(pool_type):
    return 'qcow2' if pool_type in FILE_POOL_TYPES else 'raw'


def disk_volume_name(vm_name, disk_name, pool_type):
    """``<vm>-<disk>.qcow2`` in file pools, ``<vm>-<disk>`` in block pools (LVM, RBD)."""
    base = '%s-%s' % (vm_name, disk_name)
    return base + '.qcow2' if pool_type in FILE_POOL_TYPES else base


def seed_volume_name(vm_name):
    return '%s-seed.iso' % vm_name


def volume_xml(name, capacity, fmt, backing_path=None, backing_format=None):
    """XML for ``virStoragePoolCreateXML``/``CreateXMLFrom``; a backing path makes an overlay."""
    vol = ET.Element('volume')
    ET.SubElement(vol, 'name').text = name
    ET.SubElement(vol, 'capacity', unit='bytes').text = str(int(capacity))
    ET.SubElement(vol, 'allocation', unit='bytes').text = '0'
    target = ET.SubElement(vol, 'target')
    ET.SubElement(target, 'format', type=fmt)
    if backing_path:
        backing = ET.SubElement(vol, 'backingStore')
        ET.SubElement(backing, 'path').text = backing_path
        if backing_format:
            ET.SubElement(backing, 'format', type=backing_format)
    return ET.tostring(vol, encoding='unicode')


def parse_volume_xml(xml):
    """``{'name', 'capacity', 'format', 'path', 'backing_path'}`` of a volume's XML."""
    root = ET.fromstring(xml)
    capacity = root.find('capacity')
    fmt = root.find('target/format')
    return {
        'name': root.findtext('name'),
        'capacity': _bytes(capacity),
        'format': fmt.get('type') if fmt is not None else None,
        'path': root.findtext('target/path'),
        'backing_path': root.findtext('backingStore/path'),
    }


def _bytes(elem):
    if elem is None or elem.text is None:
        return None
    unit = (elem.get('unit') or 'bytes').lower()
    factors = {'b': 1, 'bytes': 1, 'k': 1024, 'kib': 1024, 'kb': 1000, 'm': 1024 ** 2, 'mib': 1024 ** 2,
               'mb': 1000 ** 2, 'g': GIB, 'gib': GIB, 'gb': 1000 ** 3, 't': 1024 ** 4, 'tib': 1024 ** 4,
               'tb': 1000 ** 4}
    return int(elem.text) * factors.get(unit, 1)

# -*- coding: utf-8 -*-
# Copyright: strata.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Read-only inspection of block devices: what is on a disk, and is it blank.

Every command and file access goes through :class:`HostProbe`, the one seam that tests replace.
The parsers and the blank decision are pure functions.
"""

from __future__ import annotations

import json
import os
import stat

from ansible_collections.strata.cloud.plugins.module_utils.storage.errors import StorageCommandError

MIB = 1024 * 1024
# lsblk (util-linux 2.38) nests children in its JSON only when the tree column NAME is shown;
# without it, it prints a flat list that may start with a child (an LV before its disk).
LSBLK_COLUMNS = 'NAME,PATH,KNAME,SIZE,TYPE,MOUNTPOINTS'
# blkid exits 2 when it finds nothing on the device.
BLKID_NOTHING_FOUND = 2


class HostProbe:
    """Commands and file reads on the managed host."""

    def __init__(self, run_command, get_bin_path):
        self._run_command = run_command
        self._get_bin_path = get_bin_path

    def has(self, tool):
        return self._get_bin_path(tool) is not None

    def run(self, argv, ok=(0,)):
        rc, out, err = self._run_command(argv, environ_update={'LC_ALL': 'C'})
        if rc not in ok:
            raise StorageCommandError('%s failed (rc=%s): %s' % (' '.join(argv), rc, (err or out).strip()),
                                      command=argv, rc=rc, stderr=err)
        return rc, out

    @staticmethod
    def realpath(path):
        return os.path.realpath(path)

    @staticmethod
    def kind(path):
        """'missing', 'block' or 'other'."""
        try:
            mode = os.stat(path).st_mode
        except FileNotFoundError:
            return 'missing'
        return 'block' if stat.S_ISBLK(mode) else 'other'

    @staticmethod
    def holders(kname):
        try:
            return sorted(os.listdir('/sys/class/block/%s/holders' % kname))
        except OSError:
            return []

    @staticmethod
    def edges_zero(path, size):
        """True when the first and the last MiB of the device are all zero bytes."""
        span = min(MIB, size)
        with open(path, 'rb') as dev:
            head = dev.read(span)
            dev.seek(max(size - span, 0))
            tail = dev.read(span)
        return not head.strip(b'\0') and not tail.strip(b'\0')


def parse_lsblk(text, path=None):
    """lsblk --json output of one device -> its size, type, partitions and mount points.

    The device is the entry whose path is ``path`` (the first one when no path is given). Other
    top-level entries are its descendants: lsblk lists them beside it when it prints no tree.
    """
    devices = json.loads(text).get('blockdevices') or []
    if not devices:
        return None
    top = next((node for node in devices if path is not None and node.get('path') == path), devices[0])
    children = (top.get('children') or []) + [node for node in devices if node is not top]
    mountpoints = []
    partitions = []

    def walk(node, depth):
        mountpoints.extend(m for m in (node.get('mountpoints') or [node.get('mountpoint')]) if m)
        for child in node.get('children') or []:
            if depth == 0 and child.get('type') == 'part':
                partitions.append(child['path'])
            walk(child, depth + 1)

    walk(dict(top, children=children), 0)
    return {
        'kname': top.get('kname'),
        'size_bytes': int(top.get('size') or 0),
        'type': top.get('type'),
        'partitions': sorted(partitions),
        'mountpoints': sorted(set(mountpoints)),
    }


def parse_blkid(text):
    """blkid -p -o export output -> dict of its KEY=value lines (values unescaped)."""
    values = {}
    for line in text.splitlines():
        key, sep, value = line.partition('=')
        if sep:
            values[key.strip()] = value.replace('\\ ', ' ')
    return values


def parse_wipefs(text):
    """wipefs --json output -> sorted list of signature types."""
    if not text.strip():
        return []
    return sorted({sig.get('type') or '?' for sig in json.loads(text).get('signatures') or []})


def parse_pvsegs(text, realpath):
    """pvs --segments --reportformat json -> {real PV path: {'vg': name or None, 'lv_tags': [...]}}."""
    pvs = {}
    for report in json.loads(text).get('report') or []:
        for row in report.get('pvseg') or report.get('pv') or []:
            path = realpath(row['pv_name'])
            entry = pvs.setdefault(path, {'vg': None, 'lv_tags': []})
            if row.get('vg_name'):
                entry['vg'] = row['vg_name']
            for tag in (row.get('lv_tags') or '').split(','):
                if tag and tag not in entry['lv_tags']:
                    entry['lv_tags'].append(tag)
    return pvs


def not_blank_reasons(disk, signatures, edges_zero):
    """Why a disk is not blank (empty list when it is).

    ``edges_zero`` is True, False, or a str naming why the edges could not be read.
    """
    reasons = []
    if disk['fstype'] and disk['fstype'] != 'LVM2_member':
        reasons.append('holds %s%s' % (disk['fstype'], ' (label %s)' % disk['label'] if disk['label'] else ''))
    if disk['pttype']:
        reasons.append('has a %s partition table' % disk['pttype'])
    if disk['partitions']:
        reasons.append('has partitions %s' % ', '.join(disk['partitions']))
    if disk['lvm_pv']:
        reasons.append('is an LVM physical volume%s' % (' of volume group %s' % disk['lvm_vg'] if disk['lvm_vg'] else ''))
    if disk['holders']:
        reasons.append('is held by %s' % ', '.join(disk['holders']))
    if disk['mountpoints']:
        reasons.append('is mounted at %s' % ', '.join(disk['mountpoints']))
    known = {disk['fstype'], disk['pttype'], 'PMBR' if disk['pttype'] == 'gpt' else None}
    other = [sig for sig in signatures if sig not in known]
    if other:
        reasons.append('wipefs finds signatures %s' % ', '.join(other))
    if not reasons:
        if isinstance(edges_zero, str):
            reasons.append(edges_zero)
        elif not edges_zero:
            reasons.append('the first or last MiB holds data (no known signature)')
    return reasons


def _not_block(device, path, exists, why):
    return {
        'device': device, 'path': path, 'exists': exists, 'is_block': False,
        'size_bytes': 0, 'type': None, 'fstype': None, 'label': None, 'pttype': None, 'partitions': [],
        'holders': [], 'mountpoints': [], 'lvm_pv': False, 'lvm_vg': None, 'lvm_lv_tags': [],
        'blank': False, 'reason': why,
    }


def inspect_device(probe, device, pvs):
    """Facts about one device (see the module's RETURN), ``pvs`` from :func:`lvm_report`."""
    path = probe.realpath(device)
    kind = probe.kind(path)
    if kind == 'missing':
        return _not_block(device, path, False, 'does not exist')
    if kind != 'block':
        return _not_block(device, path, True, 'not a block device')
    dummy, out = probe.run(['lsblk', '--json', '--bytes', '--output', LSBLK_COLUMNS, path])
    tree = parse_lsblk(out, path)
    if tree is None:
        raise StorageCommandError('lsblk returned nothing for %s' % path, device=device)
    rc, out = probe.run(['blkid', '-p', '-o', 'export', path], ok=(0, BLKID_NOTHING_FOUND))
    ids = parse_blkid(out) if rc == 0 else {}
    fstype = ids.get('TYPE') or None
    pv = pvs.get(path)
    disk = {
        'device': device,
        'path': path,
        'exists': True,
        'is_block': True,
        'size_bytes': tree['size_bytes'],
        'type': tree['type'],
        'fstype': fstype,
        'label': ids.get('LABEL') or None,
        'pttype': ids.get('PTTYPE') or None,
        'partitions': tree['partitions'],
        'holders': probe.holders(tree['kname']),
        'mountpoints': tree['mountpoints'],
        'lvm_pv': fstype == 'LVM2_member' or pv is not None,
        'lvm_vg': pv['vg'] if pv else None,
        'lvm_lv_tags': sorted(pv['lv_tags']) if pv else [],
    }
    dummy, out = probe.run(['wipefs', '--no-act', '--json', path])
    signatures = parse_wipefs(out)
    try:
        edges = probe.edges_zero(path, disk['size_bytes'])
    except OSError as exc:
        edges = 'cannot read the device: %s' % exc.strerror
    reasons = not_blank_reasons(disk, signatures, edges)
    disk['blank'] = not reasons
    disk['reason'] = '; '.join(reasons)
    return disk


def lvm_report(probe):
    """Every physical volume the host's LVM sees, or {} when the LVM tools are not installed."""
    if not probe.has('pvs'):
        return {}
    # rc 5 comes with usable output when a volume group misses a physical volume
    dummy, out = probe.run(['pvs', '--segments', '--reportformat', 'json', '--options', 'pv_name,vg_name,lv_tags'],
                           ok=(0, 5))
    return parse_pvsegs(out, probe.realpath)


def inspect(probe, devices):
    pvs = lvm_report(probe)
    return [inspect_device(probe, device, pvs) for device in devices]

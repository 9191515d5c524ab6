# -*- coding: utf-8 -*-
# Copyright: strata.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Pure logic of proxmox_vm: validate a declared VM, turn it into PVE config keys, compare, plan."""

from __future__ import annotations

import re

from ansible.module_utils.six.moves.urllib.parse import quote, unquote

from ansible_collections.strata.cloud.plugins.module_utils.proxmox.errors import ProxmoxError

NIC_MODELS = ('virtio', 'e1000', 'e1000e', 'vmxnet3', 'rtl8139')
DISK_SLOT = re.compile(r'^(scsi|virtio|sata|ide)(\d+)$')
SIZE = re.compile(r'^(\d+(?:\.\d+)?)\s*([KMGT]?)(?:i?B)?$', re.I)
NAME = re.compile(r'^[a-zA-Z0-9]([a-zA-Z0-9\-]*[a-zA-Z0-9])?(\.[a-zA-Z0-9]([a-zA-Z0-9\-]*[a-zA-Z0-9])?)*$')
TAG = re.compile(r'^[a-z0-9_][a-z0-9_\-+.]*$', re.I)
SECRET_KEYS = ('cipassword',)


def parse_opts(text):
    """PVE property string -> dict; a bare first value is kept under ``_``."""
    out = {}
    for i, part in enumerate(str(text or '').split(',')):
        if '=' in part:
            key, val = part.split('=', 1)
            out[key] = val
        elif part and i == 0:
            out['_'] = part
    return out


def size_bytes(value):
    """An int is GiB; a string takes K/M/G/T (binary) suffixes."""
    if isinstance(value, int):
        return value * 1024 ** 3
    match = SIZE.match(str(value).strip())
    if not match:
        raise ProxmoxError('invalid size %r: use a number of GiB or a string like 20G, 512M' % (value,))
    return int(float(match.group(1)) * 1024 ** ' KMGT'.index((match.group(2) or ' ').upper()))


def size_text(num):
    for unit, power in (('T', 4), ('G', 3), ('M', 2), ('K', 1)):
        if num % 1024 ** power == 0:
            return '%d%s' % (num // 1024 ** power, unit)
    return str(num)


def nic_parts(value):
    opts = parse_opts(value)
    model, mac = None, opts.get('macaddr')
    for name in NIC_MODELS:
        if name in opts:
            model, mac = name, opts[name]
    model = model or opts.get('model') or opts.get('_') or 'virtio'
    keep = {k: v for k, v in opts.items() if k not in NIC_MODELS + ('_', 'model', 'macaddr')}
    return model, (mac or '').upper() or None, keep


def validate_vm(spec, index):
    """Check one declared VM; raise ProxmoxError naming the field. Returns the spec."""
    where = 'vms[%d]' % index
    name = spec.get('name') or ''
    if not NAME.match(name):
        raise ProxmoxError('%s.name: %r is not a valid DNS name (letters, digits, hyphens, dots)' % (where, name))
    where = 'vms[name=%s]' % name
    for field in ('cores', 'sockets', 'memory'):
        if spec.get(field) is not None and spec[field] < (16 if field == 'memory' else 1):
            raise ProxmoxError('%s.%s: %s is too small' % (where, field, spec[field]))
    if spec.get('vmid') is not None and not 100 <= spec['vmid'] <= 999999999:
        raise ProxmoxError('%s.vmid: %s is outside 100-999999999' % (where, spec['vmid']))
    for tag in spec.get('tags') or []:
        if not TAG.match(tag):
            raise ProxmoxError('%s.tags: %r is not a valid tag (letters, digits, _ - + .)' % (where, tag))
    slots = set()
    for disk in spec.get('disks') or []:
        if not DISK_SLOT.match(disk['slot']):
            raise ProxmoxError('%s.disks: slot %r must look like scsi0, virtio1, sata0' % (where, disk['slot']))
        if disk['slot'] in slots:
            raise ProxmoxError('%s.disks: slot %s is declared twice' % (where, disk['slot']))
        slots.add(disk['slot'])
        size_bytes(disk['size'])
    return spec


def desired_config(spec, current):
    """The PVE config keys the declaration manages -> wanted values (strings), given the current config."""
    want = {}
    for field in ('cores', 'sockets', 'memory'):
        if spec.get(field) is not None:
            want[field] = str(spec[field])
    for field in ('cpu', 'description'):
        if spec.get(field) is not None:
            want[field] = spec[field]
    if spec.get('onboot') is not None:
        want['onboot'] = '1' if spec['onboot'] else '0'
    if spec.get('agent') is not None:
        want['agent'] = '1' if spec['agent'] else '0'
    if spec.get('tags') is not None:
        want['tags'] = ';'.join(sorted(set(t.lower() for t in spec['tags'])))
    if spec.get('boot_order'):
        want['boot'] = 'order=' + ';'.join(spec['boot_order'])
    for i, nic in enumerate(spec.get('nics') or []):
        key = 'net%d' % i
        mac = nic_parts(current.get(key, ''))[1]
        opts = [('model', nic.get('model') or 'virtio'), ('bridge', nic['bridge'])]
        mac = (nic.get('mac') or mac or '').upper()
        if mac:
            opts.append(('macaddr', mac))
        for field, pve in (('vlan', 'tag'), ('mtu', 'mtu'), ('rate', 'rate')):
            if nic.get(field) is not None:
                opts.append((pve, str(nic[field])))
        if nic.get('firewall') is not None:
            opts.append(('firewall', '1' if nic['firewall'] else '0'))
        want[key] = ','.join('%s=%s' % kv for kv in opts)
    ci = spec.get('cloud_init') or {}
    if ci.get('user') is not None:
        want['ciuser'] = ci['user']
    if ci.get('ssh_keys') is not None:
        want['sshkeys'] = quote('\n'.join(k.strip() for k in ci['ssh_keys']) + '\n', safe='')
    for i, ipc in enumerate(ci.get('ipconfig') or []):
        want['ipconfig%d' % i] = ','.join('%s=%s' % (k, ipc[k]) for k in ('ip', 'gw', 'ip6', 'gw6') if ipc.get(k))
    for field in ('nameserver', 'searchdomain'):
        if ci.get(field) is not None:
            want[field] = ci[field] if isinstance(ci[field], str) else ' '.join(ci[field])
    return want


def normalise(key, value):
    """A config value in comparable form."""
    if value is None:
        return None
    text = str(value)
    if key == 'tags':
        return ';'.join(sorted(set(t.lower() for t in re.split(r'[;, ]+', text) if t)))
    if key == 'sshkeys':
        return '\n'.join(k.strip() for k in unquote(text).strip().splitlines() if k.strip())
    if key == 'agent':
        opts = parse_opts(text)
        return opts.get('enabled', opts.get('_', '0'))
    if key == 'memory':
        opts = parse_opts(text)
        return opts.get('current', opts.get('_'))
    if key.startswith('net') and key[3:].isdigit():
        model, mac, keep = nic_parts(text)
        keep = dict(keep, model=model)
        if mac:
            keep['macaddr'] = mac
        keep.setdefault('firewall', '0')
        return ','.join('%s=%s' % kv for kv in sorted(keep.items()))
    if key.startswith('ipconfig') or key == 'boot':
        return ','.join('%s=%s' % kv for kv in sorted(parse_opts(text).items()))
    return text


def config_changes(want, current):
    """Keys whose wanted value differs from the current (pending-applied) config."""
    return {k: v for k, v in want.items() if normalise(k, v) != normalise(k, current.get(k))}


def disk_plan(spec, current, where):
    """(new disks {slot: allocation}, resizes [(slot, size text)]) for the declared disks."""
    new, resize = {}, []
    for disk in spec.get('disks') or []:
        slot, want = disk['slot'], size_bytes(disk['size'])
        if slot in current:
            have = size_bytes(parse_opts(current[slot]).get('size', '0'))
            if want < have:
                raise ProxmoxError('%s.disks[slot=%s].size: %s is smaller than the disk (%s); disks cannot shrink'
                                   % (where, slot, size_text(want), size_text(have)))
            if want > have:
                resize.append((slot, size_text(want)))
        else:
            if want % 1024 ** 3:
                raise ProxmoxError('%s.disks[slot=%s].size: a new disk is allocated in whole GiB' % (where, slot))
            storage = disk.get('storage')
            if not storage:
                raise ProxmoxError('%s.disks[slot=%s].storage: required for a new disk' % (where, slot))
            opts = ''.join(',%s=%s' % kv for kv in sorted((disk.get('options') or {}).items()))
            new[slot] = '%s:%d%s' % (storage, want // 1024 ** 3, opts)
    return new, resize


def visible(config):
    """A config for diffs and results: secrets masked, digest dropped."""
    return {k: ('********' if k in SECRET_KEYS else normalise(k, v) if k == 'sshkeys' else v)
            for k, v in sorted(config.items()) if k != 'digest'}

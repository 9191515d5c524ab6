# -*- coding: utf-8 -*-
# Copyright: strata.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""VM (libvirt domain) model: input validation, XML building and parsing, normalisation.

One dict shape, the *model*, describes a VM both as requested and as read from libvirt:
:func:`desired_model` builds it from validated module input, :func:`parse_domain_xml` from a
domain's XML, and :func:`build_domain_xml` turns it into XML. :func:`config_view` reduces a model
to the fields that are compared, so ``config_view(parse_domain_xml(build_domain_xml(m)))`` equals
``config_view(m)``: this is what makes a second run report no change.

Device layout (pinned, so the first disk is always ``vda`` and NICs keep their order):

* disk ``i`` at PCI ``00:0x08+i`` (at most 12 disks), target ``vd<a+i>``;
* NIC ``i`` at PCI ``00:0x14+i`` (at most 8 NICs), whatever its type;
* the cloud-init seed as a SATA cdrom (``sda``);
* libvirt's own devices (balloon, RNG, controllers) take the free slots below ``0x08``.

User-mode NICs (``type: user``) are written as ``<qemu:commandline>`` arguments
(``-netdev user,id=strata-nicI,hostfwd=...`` and ``-device <model>,netdev=...,addr=...``)
because libvirt's ``<interface type='user'>`` cannot forward ports before passt.
"""

from __future__ import annotations

import hashlib
import ipaddress
import re
import xml.etree.ElementTree as ET

from ansible_collections.strata.cloud.plugins.module_utils.libvirt.errors import LibvirtValidationError
from ansible_collections.strata.cloud.plugins.module_utils.libvirt.volume import parse_size

QEMU_NS = 'http://libvirt.org/schemas/domain/qemu/1.0'
META_NS = 'https://strata.cloud/xmlns/libvirt/vm/1'
META_PREFIX = 'strata'

DISK_SLOT_BASE = 0x08
MAX_DISKS = 12
NIC_SLOT_BASE = 0x14
MAX_NICS = 8
USER_NIC_ID = 'strata-nic%d'
SEED_TARGET = 'sda'

NIC_MODELS = {
    # module value: QEMU -device driver for user-mode NICs
    'virtio': 'virtio-net-pci',
    'e1000': 'e1000',
    'e1000e': 'e1000e',
    'rtl8139': 'rtl8139',
}
_DRIVER_MODELS = dict((v, k) for k, v in NIC_MODELS.items())
CPU_MODES = ('host-passthrough', 'host-model', 'maximum')
_NAME_RE = re.compile(r'^[A-Za-z0-9][A-Za-z0-9_.+-]*$')
_DISK_NAME_RE = re.compile(r'^[A-Za-z0-9][A-Za-z0-9_.-]*$')
_MAC_RE = re.compile(r'^([0-9a-f]{2}:){5}[0-9a-f]{2}$')
_HOSTFWD_RE = re.compile(r'^(tcp|udp):([^:]*):(\d+)-([^:]*):(\d+)$')

ET.register_namespace('qemu', QEMU_NS)
ET.register_namespace(META_PREFIX, META_NS)


# -- small helpers ---------------------------------------------------------------------------

def derive_mac(vm_name, index):
    """Stable MAC for NIC ``index`` of ``vm_name``: QEMU's 52:54:00 prefix + sha256 of ``name/index``."""
    digest = hashlib.sha256(('%s/%s' % (vm_name, index)).encode('utf-8')).hexdigest()
    return '52:54:00:%s:%s:%s' % (digest[0:2], digest[2:4], digest[4:6])


def disk_target(index):
    """``vda``, ``vdb``, ... ``vdz``, ``vdaa``."""
    letters = ''
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(ord('a') + rem) + letters
    return 'vd' + letters


def _pci_address(parent, slot):
    return ET.SubElement(parent, 'address', type='pci', domain='0x0000', bus='0x00', slot='0x%02x' % slot,
                         function='0x0')


def _slot_of(elem):
    addr = elem.find('address')
    if addr is None or addr.get('type') != 'pci':
        return None
    try:
        if int(addr.get('bus', '0'), 0) != 0 or int(addr.get('function', '0'), 0) != 0:
            return None
        return int(addr.get('slot'), 0)
    except (TypeError, ValueError):
        return None


def _memory_mib(elem):
    if elem is None or elem.text is None:
        return None
    unit = (elem.get('unit') or 'KiB').lower()
    factors = {'b': 1, 'bytes': 1, 'k': 1024, 'kib': 1024, 'kb': 1000, 'm': 1024 ** 2, 'mib': 1024 ** 2,
               'mb': 1000 ** 2, 'g': 1024 ** 3, 'gib': 1024 ** 3, 'gb': 1000 ** 3}
    return int(elem.text) * factors.get(unit, 1024) // (1024 ** 2)


def pci_bus_name(machine):
    """The QEMU name of PCI bus 0 for a machine type (``pcie.0`` on q35, ``pci.0`` otherwise)."""
    return 'pcie.0' if 'q35' in (machine or '') else 'pci.0'


# -- capabilities ------------------------------------------------------------------------------

def parse_capabilities(xml):
    """``{'arch': host arch, 'guests': {arch: {'domain_types': [...], 'machines': {alias: canonical}}}}``."""
    root = ET.fromstring(xml)
    caps = {'arch': root.findtext('host/cpu/arch'), 'guests': {}}
    for guest in root.findall('guest'):
        if guest.findtext('os_type') != 'hvm':
            continue
        arch = guest.find('arch')
        if arch is None:
            continue
        entry = caps['guests'].setdefault(arch.get('name'), {'domain_types': [], 'machines': {}})
        for machine in arch.findall('machine'):
            entry['machines'][machine.text] = machine.get('canonical') or machine.text
        for dom in arch.findall('domain'):
            if dom.get('type') not in entry['domain_types']:
                entry['domain_types'].append(dom.get('type'))
    return caps


def resolve_virt_type(requested, caps):
    """``auto`` -> ``kvm`` if the host offers KVM domains for its arch, else ``qemu`` (TCG)."""
    offered = caps['guests'].get(caps['arch'], {}).get('domain_types', [])
    if requested == 'auto':
        return 'kvm' if 'kvm' in offered else 'qemu'
    if offered and requested not in offered:
        raise LibvirtValidationError('virt_type: this host offers %s domains, not %s'
                                     % (', '.join(offered), requested))
    return requested


def resolve_cpu_mode(requested, virt_type):
    """``auto`` -> ``host-passthrough`` on KVM, ``maximum`` (QEMU ``-cpu max``) on TCG."""
    if requested == 'auto':
        return 'host-passthrough' if virt_type == 'kvm' else 'maximum'
    if requested == 'host-passthrough' and virt_type != 'kvm':
        raise LibvirtValidationError('cpu_mode: host-passthrough needs virt_type kvm; use maximum or auto with qemu')
    return requested


# -- input validation --------------------------------------------------------------------------

def validate_vm_params(params):
    """Check the module input of ``libvirt_vm`` and return the normalised *spec*.

    Everything that can be checked without libvirt is checked here, before any change, and every
    message names the offending field.
    """
    name = params['name']
    if not name or not _NAME_RE.match(name):
        raise LibvirtValidationError('name: %r is not a valid VM name (letters, digits, _ . + -)' % (name,))
    spec = {
        'name': name,
        'state': params.get('state') or 'running',
        'virt_type': params.get('virt_type') or 'auto',
        'cpu_mode': params.get('cpu_mode') or 'auto',
        'machine': params.get('machine') or 'pc',
        'autostart': bool(params.get('autostart')),
        'console_log': params.get('console_log'),
    }
    for field, minimum in (('vcpus', 1), ('memory', 64)):
        value = params.get(field)
        if value is None or value < minimum:
            raise LibvirtValidationError('%s must be at least %d, got %r' % (field, minimum, value))
        spec[field] = value
    for field in ('wait_timeout', 'shutdown_timeout'):
        value = params.get(field)
        if value is not None and value < 0:
            raise LibvirtValidationError('%s must not be negative, got %r' % (field, value))
        spec[field] = value
    boot = params.get('boot')
    if boot:
        if not boot.get('kernel'):
            raise LibvirtValidationError('boot.kernel is required when boot is set')
        spec['boot'] = {'kernel': boot['kernel'], 'initrd': boot.get('initrd'), 'cmdline': boot.get('cmdline')}
    else:
        spec['boot'] = None
    spec['disks'] = _validate_disks(params.get('disks') or [])
    spec['nics'] = _validate_nics(name, params.get('nics') or [])
    spec['cloud_init'] = _validate_cloud_init(name, params.get('cloud_init'))
    spec['ssh'] = _ssh_target(params, spec['nics'])
    return spec


def _validate_disks(disks):
    if len(disks) > MAX_DISKS:
        raise LibvirtValidationError('disks: at most %d disks are supported, got %d' % (MAX_DISKS, len(disks)))
    seen = {}
    result = []
    for index, disk in enumerate(disks):
        field = 'disks[%d]' % index
        dname = disk.get('name')
        if not dname or not _DISK_NAME_RE.match(dname):
            raise LibvirtValidationError('%s.name: %r is not a valid disk name (letters, digits, _ . -)'
                                         % (field, dname))
        if dname == 'seed':
            raise LibvirtValidationError('%s.name: "seed" is reserved for the cloud-init seed volume' % field)
        if dname in seen:
            raise LibvirtValidationError('disks: duplicate disk name %r (disks[%d] and disks[%d])'
                                         % (dname, seen[dname], index))
        seen[dname] = index
        size = parse_size(disk.get('size'), '%s.size' % field)
        base = disk.get('base_image')
        if base is not None and not base.startswith('/'):
            raise LibvirtValidationError('%s.base_image: %r must be an absolute path on the hypervisor'
                                         % (field, base))
        if size is None and not base:
            raise LibvirtValidationError('%s.size is required when the disk has no base_image' % field)
        clone = disk.get('clone') or 'overlay'
        if clone not in ('overlay', 'copy'):
            raise LibvirtValidationError('%s.clone: unknown clone mode %r (overlay or copy)' % (field, clone))
        result.append({
            'name': dname,
            'pool': disk.get('pool') or 'default',
            'size': size,
            'base_image': base,
            'clone': clone,
            'bus': disk.get('bus') or 'virtio',
        })
    return result


def _validate_nics(vm_name, nics):
    if len(nics) > MAX_NICS:
        raise LibvirtValidationError('nics: at most %d NICs are supported, got %d' % (MAX_NICS, len(nics)))
    result = []
    forwards = {}
    macs = {}
    for index, nic in enumerate(nics):
        field = 'nics[%d]' % index
        ntype = nic.get('type') or 'network'
        source = nic.get('source')
        if ntype in ('network', 'bridge') and not source:
            raise LibvirtValidationError('%s.source is required for type %s' % (field, ntype))
        if ntype == 'user' and source:
            raise LibvirtValidationError('%s.source is not used by type user (QEMU user-mode networking)' % field)
        if ntype not in ('network', 'bridge', 'user'):
            raise LibvirtValidationError('%s.type: unknown NIC type %r' % (field, ntype))
        model = nic.get('model') or 'virtio'
        if model not in NIC_MODELS:
            raise LibvirtValidationError('%s.model: unknown model %r (%s)' % (field, model, ', '.join(sorted(NIC_MODELS))))
        mac = (nic.get('mac') or derive_mac(vm_name, index)).lower()
        if not _MAC_RE.match(mac):
            raise LibvirtValidationError('%s.mac: %r is not a MAC address' % (field, nic.get('mac')))
        if int(mac[:2], 16) & 1:
            raise LibvirtValidationError('%s.mac: %s is a multicast address' % (field, mac))
        if mac in macs:
            raise LibvirtValidationError('%s.mac: %s is already used by nics[%d]' % (field, mac, macs[mac]))
        macs[mac] = index
        mtu = nic.get('mtu')
        if mtu is not None and not 68 <= mtu <= 65535:
            raise LibvirtValidationError('%s.mtu must be between 68 and 65535, got %r' % (field, mtu))
        if mtu is not None and ntype == 'user' and model != 'virtio':
            raise LibvirtValidationError('%s.mtu needs model virtio on a user NIC' % field)
        pfs = nic.get('port_forwards') or []
        if pfs and ntype != 'user':
            raise LibvirtValidationError('%s.port_forwards is only supported for type user' % field)
        normalised = []
        for pindex, pf in enumerate(pfs):
            pfield = '%s.port_forwards[%d]' % (field, pindex)
            for key in ('host_port', 'guest_port'):
                value = pf.get(key)
                if value is None:
                    raise LibvirtValidationError('%s.%s is required' % (pfield, key))
                if not 1 <= value <= 65535:
                    raise LibvirtValidationError('%s.%s must be between 1 and 65535, got %r' % (pfield, key, value))
            address = pf.get('host_address') or '127.0.0.1'
            try:
                ipaddress.IPv4Address(address)
            except ValueError:
                raise LibvirtValidationError('%s.host_address: %r is not an IPv4 address' % (pfield, address))
            protocol = pf.get('protocol') or 'tcp'
            if protocol not in ('tcp', 'udp'):
                raise LibvirtValidationError('%s.protocol must be tcp or udp, got %r' % (pfield, protocol))
            key = (protocol, pf['host_port'])
            for other_address, other_field in forwards.get(key, []):
                if '0.0.0.0' in (address, other_address) or address == other_address:
                    raise LibvirtValidationError(
                        '%s: host port %s %s:%d is already forwarded by %s'
                        % (pfield, protocol, address, pf['host_port'], other_field))
            forwards.setdefault(key, []).append((address, pfield))
            normalised.append({'host_address': address, 'host_port': pf['host_port'],
                               'guest_port': pf['guest_port'], 'protocol': protocol})
        result.append({
            'type': ntype,
            'source': source if ntype != 'user' else None,
            'mac': mac,
            'model': model,
            'mtu': mtu,
            'port_forwards': sort_forwards(normalised),
        })
    return result


def sort_forwards(forwards):
    return sorted(forwards, key=lambda f: (f['protocol'], f['host_address'], f['host_port'], f['guest_port']))


def _validate_cloud_init(vm_name, ci):
    if ci is None:
        return None
    network_config = ci.get('network_config')
    user_data = ci.get('user_data')
    if network_config is not None and not isinstance(network_config, dict):
        raise LibvirtValidationError('cloud_init.network_config must be a dict (netplan v2 format)')
    if user_data is not None and not isinstance(user_data, dict):
        raise LibvirtValidationError('cloud_init.user_data must be a dict (merged over the generated #cloud-config)')
    user = ci.get('user') or 'debian'
    if not re.match(r'^[a-z_][a-z0-9_-]*$', user):
        raise LibvirtValidationError('cloud_init.user: %r is not a valid user name' % (user,))
    return {
        'hostname': ci.get('hostname') or vm_name,
        'instance_id': ci.get('instance_id') or vm_name,
        'user': user,
        'ssh_authorized_keys': list(ci.get('ssh_authorized_keys') or []),
        'password': ci.get('password'),
        'packages': list(ci.get('packages') or []),
        'network_config': network_config,
        'user_data': user_data,
    }


def _ssh_target(params, nics):
    """``(host, port)`` that ``wait_for_ssh`` polls, or ``None`` when not waiting."""
    host = params.get('ssh_host')
    port = params.get('ssh_port')
    if port is not None and not 1 <= port <= 65535:
        raise LibvirtValidationError('ssh_port must be between 1 and 65535, got %r' % port)
    if host:
        return (host, port or 22)
    for nic in nics:
        for pf in nic['port_forwards']:
            if pf['protocol'] == 'tcp' and pf['guest_port'] == 22:
                address = pf['host_address']
                return ('127.0.0.1' if address == '0.0.0.0' else address, pf['host_port'])
    if params.get('wait_for_ssh') and params.get('state', 'running') == 'running':
        raise LibvirtValidationError('wait_for_ssh needs ssh_host or a user NIC with a port_forwards entry '
                                     'for guest_port 22')
    return None


# -- the model ----------------------------------------------------------------------------------

def desired_model(spec, virt_type, cpu_mode, arch, disks, seed, meta):
    """The model of the requested VM.

    ``disks``: list of ``{'name', 'pool', 'volume', 'format', 'bus'}`` in spec order (the runner
    knows each pool's type, hence volume names and formats). ``seed``: ``{'pool', 'volume'}`` or
    ``None``. ``meta``: ``{'machine', 'seed_hash', 'volumes'}``.
    """
    model_disks = []
    for index, disk in enumerate(disks):
        entry = dict(disk)
        entry.update({'target': disk_target(index), 'slot': DISK_SLOT_BASE + index, 'path': None,
                      'device': 'disk'})
        model_disks.append(entry)
    nics = []
    for index, nic in enumerate(spec['nics']):
        entry = dict(nic)
        entry['slot'] = NIC_SLOT_BASE + index
        nics.append(entry)
    return {
        'name': spec['name'],
        'uuid': None,
        'virt_type': virt_type,
        'arch': arch,
        'vcpus': spec['vcpus'],
        'memory': spec['memory'],
        'cpu_mode': cpu_mode,
        'machine': spec['machine'],
        'boot': spec['boot'],
        'disks': model_disks,
        'seed': seed,
        'nics': nics,
        'console_log': spec.get('console_log'),
        'meta': {
            'machine': meta.get('machine'),
            'seed_hash': meta.get('seed_hash'),
            'volumes': sorted(tuple(v) for v in meta.get('volumes', [])),
        },
    }


def config_view(model, live=False, desired=None):
    """The fields of a model that are compared to decide whether the domain must be redefined.

    ``machine`` compares the requested alias (``pc``) recorded in the metadata, not the canonical
    type libvirt stores (``pc-i440fx-7.2``). With ``live=True`` (a running domain's XML) a CPU
    that libvirt expanded from ``host-model`` compares equal to a desired ``host-model``.
    """
    cpu_mode = model.get('cpu_mode')
    if live and desired is not None and desired.get('cpu_mode') == 'host-model' and cpu_mode == 'custom':
        cpu_mode = 'host-model'
    return {
        'name': model['name'],
        'virt_type': model['virt_type'],
        'vcpus': model['vcpus'],
        'memory': model['memory'],
        'cpu_mode': cpu_mode,
        'machine': (model.get('meta') or {}).get('machine') or model.get('machine'),
        'boot': model.get('boot'),
        'disks': [disk_view(d) for d in model['disks']],
        'seed': model.get('seed'),
        'nics': [dict((k, n.get(k)) for k in ('type', 'source', 'mac', 'model', 'mtu', 'slot', 'port_forwards'))
                 for n in model['nics']],
        'console_log': model.get('console_log'),
    }


def disk_view(disk):
    return dict((k, disk.get(k)) for k in ('name', 'pool', 'volume', 'path', 'format', 'bus', 'target', 'slot'))


def meta_view(model):
    meta = model.get('meta') or {}
    return {'machine': meta.get('machine'), 'seed_hash': meta.get('seed_hash'),
            'volumes': sorted(tuple(v) for v in meta.get('volumes') or [])}


# -- XML building ------------------------------------------------------------------------------

def build_domain_xml(model):
    """Domain XML for ``virConnectDefineXML`` from a model."""
    dom = ET.Element('domain', type=model['virt_type'])
    ET.SubElement(dom, 'name').text = model['name']
    if model.get('uuid'):
        ET.SubElement(dom, 'uuid').text = model['uuid']
    _build_metadata(dom, model)
    ET.SubElement(dom, 'memory', unit='MiB').text = str(model['memory'])
    ET.SubElement(dom, 'currentMemory', unit='MiB').text = str(model['memory'])
    ET.SubElement(dom, 'vcpu').text = str(model['vcpus'])
    os_elem = ET.SubElement(dom, 'os')
    os_type = ET.SubElement(os_elem, 'type', machine=model['machine'])
    if model.get('arch'):
        os_type.set('arch', model['arch'])
    os_type.text = 'hvm'
    boot = model.get('boot')
    if boot:
        ET.SubElement(os_elem, 'kernel').text = boot['kernel']
        if boot.get('initrd'):
            ET.SubElement(os_elem, 'initrd').text = boot['initrd']
        if boot.get('cmdline'):
            ET.SubElement(os_elem, 'cmdline').text = boot['cmdline']
    else:
        ET.SubElement(os_elem, 'boot', dev='hd')
    features = ET.SubElement(dom, 'features')
    ET.SubElement(features, 'acpi')
    ET.SubElement(features, 'apic')
    if model.get('cpu_mode'):
        ET.SubElement(dom, 'cpu', mode=model['cpu_mode'])
    ET.SubElement(dom, 'clock', offset='utc')
    ET.SubElement(dom, 'on_poweroff').text = 'destroy'
    ET.SubElement(dom, 'on_reboot').text = 'restart'
    ET.SubElement(dom, 'on_crash').text = 'destroy'
    devices = ET.SubElement(dom, 'devices')
    for disk in model['disks']:
        devices.append(disk_element(disk))
    if model.get('seed'):
        cdrom = ET.SubElement(devices, 'disk', type='volume', device='cdrom')
        ET.SubElement(cdrom, 'driver', name='qemu', type='raw')
        ET.SubElement(cdrom, 'source', pool=model['seed']['pool'], volume=model['seed']['volume'])
        ET.SubElement(cdrom, 'target', dev=SEED_TARGET, bus='sata')
        ET.SubElement(cdrom, 'readonly')
    commandline = []
    for index, nic in enumerate(model['nics']):
        if nic['type'] == 'user':
            commandline.extend(user_nic_args(index, nic, model['machine']))
            continue
        iface = ET.SubElement(devices, 'interface', type=nic['type'])
        ET.SubElement(iface, 'mac', address=nic['mac'])
        if nic['type'] == 'network':
            ET.SubElement(iface, 'source', network=nic['source'])
        else:
            ET.SubElement(iface, 'source', bridge=nic['source'])
        ET.SubElement(iface, 'model', type=nic['model'])
        if nic.get('mtu'):
            ET.SubElement(iface, 'mtu', size=str(nic['mtu']))
        _pci_address(iface, nic['slot'])
    serial = ET.SubElement(devices, 'serial', type='pty')
    if model.get('console_log'):
        ET.SubElement(serial, 'log', file=model['console_log'], append='off')
    ET.SubElement(serial, 'target', port='0')
    console = ET.SubElement(devices, 'console', type='pty')
    ET.SubElement(console, 'target', type='serial', port='0')
    ET.SubElement(devices, 'memballoon', model='virtio')
    rng = ET.SubElement(devices, 'rng', model='virtio')
    ET.SubElement(rng, 'backend', model='random').text = '/dev/urandom'
    if commandline:
        cmd = ET.SubElement(dom, '{%s}commandline' % QEMU_NS)
        for arg in commandline:
            ET.SubElement(cmd, '{%s}arg' % QEMU_NS, value=arg)
    return ET.tostring(dom, encoding='unicode')


def disk_element(disk):
    """The ``<disk>`` element of a managed disk (also used to hot-plug a new disk)."""
    elem = ET.Element('disk', type='volume', device='disk')
    ET.SubElement(elem, 'driver', name='qemu', type=disk['format'], discard='unmap')
    ET.SubElement(elem, 'source', pool=disk['pool'], volume=disk['volume'])
    ET.SubElement(elem, 'target', dev=disk['target'], bus=disk['bus'])
    _pci_address(elem, disk['slot'])
    return elem


def disk_xml(disk):
    return ET.tostring(disk_element(disk), encoding='unicode')


def user_nic_args(index, nic, machine):
    """QEMU arguments of a user-mode NIC (``-netdev user,...`` and ``-device ...``)."""
    netdev = ['user', 'id=' + USER_NIC_ID % index]
    for pf in sort_forwards(nic.get('port_forwards') or []):
        netdev.append('hostfwd=%s:%s:%d-:%d' % (pf['protocol'], pf['host_address'], pf['host_port'],
                                                pf['guest_port']))
    device = [NIC_MODELS[nic['model']], 'netdev=' + USER_NIC_ID % index, 'id=%s-dev' % (USER_NIC_ID % index),
              'mac=' + nic['mac'], 'bus=' + pci_bus_name(machine), 'addr=0x%02x' % nic['slot']]
    if nic.get('mtu'):
        device.append('host_mtu=%d' % nic['mtu'])
    return ['-netdev', ','.join(netdev), '-device', ','.join(device)]


def _build_metadata(dom, model):
    meta = model.get('meta') or {}
    metadata = ET.SubElement(dom, 'metadata')
    root = ET.SubElement(metadata, '{%s}vm' % META_NS)
    if meta.get('machine'):
        ET.SubElement(root, '{%s}machine' % META_NS).text = meta['machine']
    if meta.get('seed_hash'):
        ET.SubElement(root, '{%s}seed' % META_NS, hash=meta['seed_hash'])
    volumes = ET.SubElement(root, '{%s}volumes' % META_NS)
    for pool, name in sorted(tuple(v) for v in meta.get('volumes') or []):
        ET.SubElement(volumes, '{%s}volume' % META_NS, pool=pool, name=name)


# -- XML parsing -------------------------------------------------------------------------------

def parse_domain_xml(xml):
    """The model of any domain's XML (also domains that strata.cloud did not create)."""
    root = ET.fromstring(xml)
    os_type = root.find('os/type')
    machine = os_type.get('machine') if os_type is not None else None
    kernel = root.findtext('os/kernel')
    boot = None
    if kernel:
        boot = {'kernel': kernel, 'initrd': root.findtext('os/initrd'), 'cmdline': root.findtext('os/cmdline')}
    cpu = root.find('cpu')
    cpu_mode = None
    if cpu is not None:
        cpu_mode = cpu.get('mode') or 'custom'
    model = {
        'name': root.findtext('name'),
        'uuid': root.findtext('uuid'),
        'virt_type': root.get('type'),
        'arch': os_type.get('arch') if os_type is not None else None,
        'vcpus': int(root.findtext('vcpu') or 0),
        'memory': _memory_mib(root.find('memory')),
        'cpu_mode': cpu_mode,
        'machine': machine,
        'boot': boot,
        'disks': [],
        'seed': None,
        'nics': [],
        'console_log': None,
        'meta': _parse_metadata(root),
    }
    devices = root.find('devices')
    if devices is None:
        devices = ET.Element('devices')
    for disk in devices.findall('disk'):
        parsed = _parse_disk(disk, model['name'])
        if parsed['device'] == 'cdrom' and parsed['target'] == SEED_TARGET and parsed['pool']:
            model['seed'] = {'pool': parsed['pool'], 'volume': parsed['volume']}
        elif parsed['device'] == 'disk':
            model['disks'].append(parsed)
    nics = []
    for position, iface in enumerate(devices.findall('interface')):
        nics.append(_parse_interface(iface, position))
    nics.extend(_parse_user_nics(root))
    nics.sort(key=lambda n: (n['slot'] is None, n['slot'] if n['slot'] is not None else 0, n.get('_pos', 0)))
    for nic in nics:
        nic.pop('_pos', None)
    model['nics'] = nics
    serial = devices.find('serial')
    if serial is not None and serial.find('log') is not None:
        model['console_log'] = serial.find('log').get('file')
    return model


def _parse_disk(disk, vm_name):
    source = disk.find('source')
    source = source if source is not None else ET.Element('source')
    target = disk.find('target')
    target = target if target is not None else ET.Element('target')
    driver = disk.find('driver')
    dtype = disk.get('type')
    pool = volume = path = None
    if dtype == 'volume':
        pool, volume = source.get('pool'), source.get('volume')
    elif dtype == 'file':
        path = source.get('file')
    elif dtype == 'block':
        path = source.get('dev')
    elif dtype == 'network':
        path = '%s:%s' % (source.get('protocol'), source.get('name'))
    name = target.get('dev')
    prefix = '%s-' % vm_name
    if volume and volume.startswith(prefix):
        name = volume[len(prefix):]
        if name.endswith('.qcow2'):
            name = name[:-len('.qcow2')]
    return {
        'name': name,
        'device': disk.get('device') or 'disk',
        'pool': pool,
        'volume': volume,
        'path': path,
        'format': driver.get('type') if driver is not None else None,
        'bus': target.get('bus'),
        'target': target.get('dev'),
        'slot': _slot_of(disk),
    }


def _parse_interface(iface, position):
    itype = iface.get('type')
    source = iface.find('source')
    src = None
    if source is not None:
        if itype == 'network':
            src = source.get('network')
        elif itype == 'bridge':
            src = source.get('bridge')
        else:
            src = source.get('network') or source.get('bridge') or source.get('dev')
    mac = iface.find('mac')
    model = iface.find('model')
    mtu = iface.find('mtu')
    return {
        'type': itype,
        'source': src,
        'mac': mac.get('address').lower() if mac is not None and mac.get('address') else None,
        'model': model.get('type') if model is not None else None,
        'mtu': int(mtu.get('size')) if mtu is not None and mtu.get('size') else None,
        'slot': _slot_of(iface),
        'port_forwards': [],
        '_pos': position,
    }


def _parse_user_nics(root):
    """User-mode NICs from ``<qemu:commandline>`` (``-netdev user`` + matching ``-device``)."""
    cmd = root.find('{%s}commandline' % QEMU_NS)
    if cmd is None:
        return []
    args = [a.get('value') for a in cmd.findall('{%s}arg' % QEMU_NS)]
    netdevs = {}
    devices = []
    for flag, value in zip(args, args[1:]):
        if value is None:
            continue
        if flag == '-netdev' and value.startswith('user,'):
            opts = value.split(',')
            netdev_id = None
            forwards = []
            for opt in opts[1:]:
                key, _sep, val = opt.partition('=')
                if key == 'id':
                    netdev_id = val
                elif key == 'hostfwd':
                    match = _HOSTFWD_RE.match(val)
                    if match:
                        forwards.append({'protocol': match.group(1), 'host_address': match.group(2) or '0.0.0.0',
                                         'host_port': int(match.group(3)), 'guest_port': int(match.group(5))})
            if netdev_id:
                netdevs[netdev_id] = sort_forwards(forwards)
        elif flag == '-device':
            opts = value.split(',')
            props = dict(opt.partition('=')[::2] for opt in opts[1:])
            if props.get('netdev'):
                devices.append((opts[0], props))
    nics = []
    for driver, props in devices:
        if props['netdev'] not in netdevs:
            continue
        slot = None
        if props.get('addr'):
            try:
                slot = int(props['addr'].split('.')[0], 16)
            except ValueError:
                slot = None
        nics.append({
            'type': 'user',
            'source': None,
            'mac': props.get('mac', '').lower() or None,
            'model': _DRIVER_MODELS.get(driver, driver),
            'mtu': int(props['host_mtu']) if props.get('host_mtu') else None,
            'slot': slot,
            'port_forwards': netdevs[props['netdev']],
            '_pos': 1000 + len(nics),
        })
    return nics


def _parse_metadata(root):
    meta = {'machine': None, 'seed_hash': None, 'volumes': []}
    elem = root.find('metadata/{%s}vm' % META_NS)
    if elem is None:
        return meta
    meta['machine'] = elem.findtext('{%s}machine' % META_NS)
    seed = elem.find('{%s}seed' % META_NS)
    if seed is not None:
        meta['seed_hash'] = seed.get('hash')
    meta['volumes'] = sorted((v.get('pool'), v.get('name'))
                             for v in elem.findall('{%s}volumes/{%s}volume' % (META_NS, META_NS)))
    return meta


def managed_by_strata(model):
    """Whether the domain carries strata.cloud metadata."""
    meta = model.get('meta') or {}
    return bool(meta.get('machine') or meta.get('volumes') or meta.get('seed_hash'))


# -- results -----------------------------------------------------------------------------------

def vm_view(model, state, autostart, sizes=None):
    """The ``vm`` dict that libvirt_vm and libvirt_vm_info return.

    ``sizes`` maps ``(pool, volume)`` or a path to a size in bytes.
    """
    sizes = sizes or {}
    disks = []
    for disk in model['disks']:
        key = (disk.get('pool'), disk.get('volume')) if disk.get('volume') else disk.get('path')
        size, path = sizes.get(key, (None, disk.get('path')))
        disks.append({
            'name': disk['name'],
            'target': disk.get('target'),
            'pool': disk.get('pool'),
            'volume': disk.get('volume'),
            'path': path,
            'format': disk.get('format'),
            'size': size,
        })
    nics = []
    forwards = []
    for index, nic in enumerate(model['nics']):
        nics.append({'type': nic['type'], 'source': nic.get('source'), 'mac': nic.get('mac'),
                     'model': nic.get('model'), 'mtu': nic.get('mtu')})
        for pf in nic.get('port_forwards') or []:
            entry = dict(pf)
            entry['nic'] = index
            forwards.append(entry)
    return {
        'name': model['name'],
        'uuid': model.get('uuid'),
        'state': state,
        'virt_type': model.get('virt_type'),
        'cpu_mode': model.get('cpu_mode'),
        'machine': model.get('machine'),
        'vcpus': model.get('vcpus'),
        'memory': model.get('memory'),
        'boot': model.get('boot'),
        'disks': disks,
        'nics': nics,
        'port_forwards': forwards,
        'autostart': autostart,
        'seed': model.get('seed'),
    }

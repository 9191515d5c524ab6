# -*- coding: utf-8 -*-
# Copyright: strata.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""libvirt virtual network model: validation, XML building and parsing, normalisation.

Modes: ``isolated`` (a libvirt-made bridge without forwarding; with no ``address`` it is a pure
L2 segment without a host IP and without dnsmasq), ``nat`` (libvirt-made bridge with NAT to the
host's uplinks; needs ``address``) and ``bridge`` (guests attach to an existing host bridge).
"""

from __future__ import annotations

import ipaddress
import re
import xml.etree.ElementTree as ET

from ansible_collections.strata.cloud.plugins.module_utils.libvirt.errors import LibvirtValidationError

_BRIDGE_RE = re.compile(r'^[A-Za-z0-9_.:-]{1,15}$')
_NAME_RE = re.compile(r'^[A-Za-z0-9][A-Za-z0-9_.+-]*$')


def validate_network_params(params):
    """Check the module input of ``libvirt_network``; return the desired model."""
    name = params['name']
    if not name or not _NAME_RE.match(name):
        raise LibvirtValidationError('name: %r is not a valid network name' % (name,))
    mode = params.get('mode') or 'isolated'
    bridge = params.get('bridge')
    if bridge is not None and not _BRIDGE_RE.match(bridge):
        raise LibvirtValidationError('bridge: %r is not a valid Linux bridge name (at most 15 characters '
                                     'of letters, digits, _ . : -)' % (bridge,))
    mtu = params.get('mtu')
    if mtu is not None and not 68 <= mtu <= 65535:
        raise LibvirtValidationError('mtu must be between 68 and 65535, got %r' % mtu)
    cidr, address, dhcp = params.get('cidr'), params.get('address'), params.get('dhcp')
    if mode == 'bridge':
        if not bridge:
            raise LibvirtValidationError('bridge is required when mode is bridge (the existing host bridge)')
        for field in ('cidr', 'address', 'dhcp', 'mtu'):
            if params.get(field):
                raise LibvirtValidationError('%s is not supported with mode bridge (the host bridge is '
                                             'configured outside libvirt)' % field)
    ip = None
    network = None
    if cidr:
        try:
            network = ipaddress.ip_network(cidr, strict=False)
        except ValueError as exc:
            raise LibvirtValidationError('cidr: %r is not a network address: %s' % (cidr, exc))
    if address:
        if network is None:
            raise LibvirtValidationError('address needs cidr (the prefix length comes from it)')
        try:
            host = ipaddress.ip_address(address)
        except ValueError:
            raise LibvirtValidationError('address: %r is not an IP address' % (address,))
        if host not in network:
            raise LibvirtValidationError('address: %s is not inside cidr %s' % (address, network))
        if network.num_addresses > 2 and host in (network.network_address, network.broadcast_address):
            raise LibvirtValidationError('address: %s is the network or broadcast address of %s' % (address, network))
        ip = {'family': 'ipv%d' % host.version, 'address': str(host), 'prefix': network.prefixlen}
    if mode == 'nat' and ip is None:
        raise LibvirtValidationError('address (and cidr) is required when mode is nat')
    dhcp_model = None
    if dhcp:
        if ip is None:
            raise LibvirtValidationError('dhcp needs address and cidr (libvirt serves DHCP from the host address)')
        bounds = []
        for key in ('start', 'end'):
            try:
                value = ipaddress.ip_address(dhcp.get(key) or '')
            except ValueError:
                raise LibvirtValidationError('dhcp.%s: %r is not an IP address' % (key, dhcp.get(key)))
            if value not in network:
                raise LibvirtValidationError('dhcp.%s: %s is not inside cidr %s' % (key, value, network))
            bounds.append(value)
        if bounds[0] > bounds[1]:
            raise LibvirtValidationError('dhcp: start %s is after end %s' % (bounds[0], bounds[1]))
        if bounds[0] <= ipaddress.ip_address(ip['address']) <= bounds[1]:
            raise LibvirtValidationError('dhcp: the range %s-%s contains the host address %s'
                                         % (bounds[0], bounds[1], ip['address']))
        dhcp_model = {'start': str(bounds[0]), 'end': str(bounds[1])}
    return {
        'name': name,
        'uuid': None,
        'mac': None,
        'mode': mode,
        'bridge': bridge,
        'mtu': mtu,
        'ip': ip,
        'dhcp': dhcp_model,
    }


def build_network_xml(model):
    net = ET.Element('network')
    ET.SubElement(net, 'name').text = model['name']
    if model.get('uuid'):
        ET.SubElement(net, 'uuid').text = model['uuid']
    if model['mode'] in ('nat', 'bridge'):
        ET.SubElement(net, 'forward', mode=model['mode'])
    if model['mode'] == 'bridge':
        ET.SubElement(net, 'bridge', name=model['bridge'])
    else:
        attrs = {'stp': 'on', 'delay': '0'}
        if model.get('bridge'):
            attrs['name'] = model['bridge']
        ET.SubElement(net, 'bridge', attrs)
        if model.get('mac'):
            ET.SubElement(net, 'mac', address=model['mac'])
    if model.get('mtu'):
        ET.SubElement(net, 'mtu', size=str(model['mtu']))
    if model.get('ip'):
        attrs = {'address': model['ip']['address'], 'prefix': str(model['ip']['prefix'])}
        if model['ip']['family'] == 'ipv6':
            attrs['family'] = 'ipv6'
        ip = ET.SubElement(net, 'ip', attrs)
        if model.get('dhcp'):
            dhcp = ET.SubElement(ip, 'dhcp')
            ET.SubElement(dhcp, 'range', start=model['dhcp']['start'], end=model['dhcp']['end'])
    return ET.tostring(net, encoding='unicode')


def parse_network_xml(xml):
    root = ET.fromstring(xml)
    forward = root.find('forward')
    mode = 'isolated' if forward is None else (forward.get('mode') or 'nat')
    bridge = root.find('bridge')
    mtu = root.find('mtu')
    mac = root.find('mac')
    ip = None
    dhcp = None
    ip_elem = root.find('ip')
    if ip_elem is not None and ip_elem.get('address'):
        family = ip_elem.get('family') or 'ipv4'
        prefix = ip_elem.get('prefix')
        if prefix is None and ip_elem.get('netmask'):
            prefix = ipaddress.ip_network('0.0.0.0/%s' % ip_elem.get('netmask')).prefixlen
        ip = {'family': family, 'address': ip_elem.get('address'), 'prefix': int(prefix) if prefix is not None else None}
        rng = ip_elem.find('dhcp/range')
        if rng is not None:
            dhcp = {'start': rng.get('start'), 'end': rng.get('end')}
    return {
        'name': root.findtext('name'),
        'uuid': root.findtext('uuid'),
        'mac': mac.get('address') if mac is not None else None,
        'mode': mode,
        'bridge': bridge.get('name') if bridge is not None else None,
        'mtu': int(mtu.get('size')) if mtu is not None and mtu.get('size') else None,
        'ip': ip,
        'dhcp': dhcp,
    }


def network_config_view(model, desired=None):
    """Fields compared to decide a redefinition. A bridge name left to libvirt is not compared."""
    bridge = model.get('bridge')
    if desired is not None and not desired.get('bridge'):
        bridge = None
    return {
        'name': model['name'],
        'mode': model['mode'],
        'bridge': bridge,
        'mtu': model.get('mtu'),
        'ip': model.get('ip'),
        'dhcp': model.get('dhcp'),
    }


def network_view(model, active, autostart, persistent=True):
    """The ``network`` dict that libvirt_network returns."""
    ip = model.get('ip') or {}
    cidr = None
    if ip.get('address') and ip.get('prefix') is not None:
        cidr = str(ipaddress.ip_interface('%s/%s' % (ip['address'], ip['prefix'])).network)
    return {
        'name': model['name'],
        'uuid': model.get('uuid'),
        'mode': model['mode'],
        'bridge': model.get('bridge'),
        'mtu': model.get('mtu'),
        'cidr': cidr,
        'address': ip.get('address'),
        'dhcp': model.get('dhcp'),
        'active': active,
        'autostart': autostart,
        'persistent': persistent,
    }

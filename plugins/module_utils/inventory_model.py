# -*- coding: utf-8 -*-
# Copyright: strata.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The site inventory model shared by every layer, and its validation.

The model (see docs/inventory.md):

* ``strata_networks``: named networks, ``{name: {cidr, vlan, mtu, gateway, routes, segment}}``.
* ``strata_interfaces`` (per host): ``{network name: {device, address}}``.
* ``strata_disks`` (per host): ``[{name, size, device}]``.

``model_errors()`` returns every contradiction as a message that names the variable, the value
and the fix; it never raises for bad data, so callers can show all problems at once.
"""

from __future__ import annotations

import ipaddress
import re

NAME_RE = re.compile(r'^[a-z][a-z0-9_]{0,30}$')
SIZE_RE = re.compile(r'^[1-9][0-9]*(\.[0-9]+)?[KMGT]$')
DEVICE_RE = re.compile(r'^[A-Za-z0-9_.:-]{1,15}$')
NETWORK_KEYS = frozenset(('cidr', 'vlan', 'mtu', 'gateway', 'segment', 'description', 'routes'))
INTERFACE_KEYS = frozenset(('device', 'address'))
DISK_KEYS = frozenset(('name', 'size', 'device', 'force'))
MTU_MIN = 1280
MTU_MAX = 9216


def _network(name, spec, errors):
    """Validate one named network; return its ip_network or None."""
    var = 'strata_networks.%s' % name
    if not NAME_RE.match(str(name)):
        errors.append("%s: network name %r must match %s (lower case, digits, underscores; at most 31 chars)"
                      % (var, name, NAME_RE.pattern))
    if not isinstance(spec, dict):
        errors.append('%s: must be a mapping with at least "cidr", got %r' % (var, spec))
        return None
    unknown = sorted(set(spec) - NETWORK_KEYS)
    if unknown:
        errors.append('%s: unknown keys %s; allowed keys are %s'
                      % (var, ', '.join(unknown), ', '.join(sorted(NETWORK_KEYS))))
    net = None
    cidr = spec.get('cidr')
    if cidr is None:
        errors.append('%s.cidr: missing; give the network address with prefix, e.g. 10.0.10.0/24' % var)
    else:
        try:
            net = ipaddress.ip_network(str(cidr), strict=True)
        except ValueError as exc:
            errors.append('%s.cidr: %r is not a network address with prefix (%s); '
                          'use the network address, e.g. 10.0.10.0/24' % (var, cidr, exc))
    vlan = spec.get('vlan')
    if vlan is not None and (isinstance(vlan, bool) or not isinstance(vlan, int) or not 1 <= vlan <= 4094):
        errors.append('%s.vlan: %r is out of range; use an integer from 1 to 4094, or leave it unset for '
                      'an untagged network' % (var, vlan))
    mtu = spec.get('mtu')
    if mtu is not None and (isinstance(mtu, bool) or not isinstance(mtu, int) or not MTU_MIN <= mtu <= MTU_MAX):
        errors.append('%s.mtu: %r is out of range; use an integer from %d to %d (1500 is standard, '
                      '9000 for jumbo frames)' % (var, mtu, MTU_MIN, MTU_MAX))
    gateway = spec.get('gateway')
    if gateway is not None and net is not None:
        try:
            gw = ipaddress.ip_address(str(gateway))
        except ValueError:
            errors.append('%s.gateway: %r is not an IP address' % (var, gateway))
        else:
            if gw not in net or (net.num_addresses > 2 and gw in (net.network_address, net.broadcast_address)):
                errors.append('%s.gateway: %s is not a usable host address of %s; pick an address inside the '
                              'network or remove the gateway' % (var, gateway, net))
    routes = spec.get('routes')
    if routes is not None:
        if not isinstance(routes, list):
            errors.append('%s.routes: must be a list of {to, via}, got %r' % (var, routes))
            routes = []
        for index, route in enumerate(routes):
            rvar = '%s.routes[%d]' % (var, index)
            if not isinstance(route, dict) or set(route) != {'to', 'via'}:
                errors.append('%s: %r must be a mapping with exactly "to" (a network) and "via" (a gateway in %s)'
                              % (rvar, route, cidr))
                continue
            try:
                ipaddress.ip_network(str(route['to']), strict=True)
            except ValueError:
                errors.append('%s.to: %r is not a network address with prefix, e.g. 10.20.0.0/16' % (rvar, route['to']))
            try:
                via = ipaddress.ip_address(str(route['via']))
            except ValueError:
                errors.append('%s.via: %r is not an IP address' % (rvar, route['via']))
                continue
            if net is not None and via not in net:
                errors.append('%s.via: %s is not inside %s; a route goes through a gateway on the network itself'
                              % (rvar, via, net))
    return net


def _interfaces(host, interfaces, networks, nets, errors, seen_addresses):
    var = 'hostvars[%s].strata_interfaces' % host
    if not isinstance(interfaces, dict):
        errors.append('%s: must be a mapping of network name to {device, address}, got %r' % (var, interfaces))
        return
    devices = {}
    for netname, spec in sorted(interfaces.items()):
        ivar = '%s.%s' % (var, netname)
        if netname not in networks:
            errors.append('%s: network %r is not defined in strata_networks (known: %s); add it there or fix '
                          'the name' % (ivar, netname, ', '.join(sorted(networks)) or 'none'))
            continue
        if not isinstance(spec, dict):
            errors.append('%s: must be a mapping with "device" and optional "address", got %r' % (ivar, spec))
            continue
        unknown = sorted(set(spec) - INTERFACE_KEYS)
        if unknown:
            errors.append('%s: unknown keys %s; allowed keys are device, address' % (ivar, ', '.join(unknown)))
        device = spec.get('device')
        if device is not None:
            if not DEVICE_RE.match(str(device)):
                errors.append('%s.device: %r is not a valid interface name (1-15 chars of letters, digits, '
                              '"_.:-")' % (ivar, device))
            else:
                key = (str(device), networks[netname].get('vlan') if isinstance(networks[netname], dict) else None)
                if key in devices:
                    errors.append('%s.device: %s (untagged or same VLAN) is already used by network %r; give '
                                  'each network its own device or VLAN' % (ivar, device, devices[key]))
                devices[key] = netname
        address = spec.get('address')
        if address is None:
            continue
        try:
            addr = ipaddress.ip_address(str(address))
        except ValueError:
            errors.append('%s.address: %r is not an IP address (give the address only; the prefix comes from '
                          'strata_networks.%s.cidr)' % (ivar, address, netname))
            continue
        net = nets.get(netname)
        if net is None:
            continue
        if addr not in net or (net.num_addresses > 2 and addr in (net.network_address, net.broadcast_address)):
            errors.append('%s.address: %s is not a usable host address of %s (strata_networks.%s.cidr)'
                          % (ivar, address, net, netname))
            continue
        owner = seen_addresses.get((netname, addr))
        if owner is not None:
            errors.append('%s.address: %s is already assigned to host %s' % (ivar, address, owner))
        seen_addresses[(netname, addr)] = host


def _disks(host, disks, errors):
    var = 'hostvars[%s].strata_disks' % host
    if not isinstance(disks, list):
        errors.append('%s: must be a list of {name, size, device}, got %r' % (var, disks))
        return
    names = set()
    for index, disk in enumerate(disks):
        dvar = '%s[%d]' % (var, index)
        if not isinstance(disk, dict):
            errors.append('%s: must be a mapping with "name", got %r' % (dvar, disk))
            continue
        unknown = sorted(set(disk) - DISK_KEYS)
        if unknown:
            errors.append('%s: unknown keys %s; allowed keys are %s' % (dvar, ', '.join(unknown), ', '.join(sorted(DISK_KEYS))))
        name = disk.get('name')
        if not name or not NAME_RE.match(str(name)):
            errors.append('%s.name: %r must match %s' % (dvar, name, NAME_RE.pattern))
        elif name in names:
            errors.append('%s.name: %r is used twice on this host; disk names must be unique' % (dvar, name))
        names.add(name)
        size = disk.get('size')
        if size is not None and not SIZE_RE.match(str(size)):
            errors.append('%s.size: %r is not a size; use a number with a unit K, M, G or T, e.g. 20G' % (dvar, size))
        device = disk.get('device')
        if device is not None and not str(device).startswith('/dev/'):
            errors.append('%s.device: %r must be a path under /dev, e.g. /dev/vdb or /dev/disk/by-id/...' % (dvar, device))


def parse_networks(networks, strict=True):
    """``{name: ip_network}`` of the named networks whose ``cidr`` parses (the others are model_errors' to report)."""
    out = {}
    for name, spec in sorted((networks if isinstance(networks, dict) else {}).items()):
        try:
            out[name] = ipaddress.ip_network(str((spec or {}).get('cidr')), strict=strict)
        except (ValueError, AttributeError):
            continue
    return out


def overlapping(net, nets):
    """Names of ``nets`` (from parse_networks) that share addresses with ``net``, sorted."""
    return [name for name, other in sorted(nets.items()) if other.version == net.version and other.overlaps(net)]


def host_addresses(hostvars, hosts=None):
    """``{ip_address: (host, network)}`` of every ``strata_interfaces`` address that parses (of ``hosts``, default all)."""
    out = {}
    for host in sorted(hostvars or {}) if hosts is None else hosts:
        interfaces = ((hostvars or {}).get(host) or {}).get('strata_interfaces') or {}
        for network, spec in sorted(interfaces.items() if isinstance(interfaces, dict) else ()):
            try:
                out[ipaddress.ip_address(str((spec or {}).get('address')))] = (host, network)
            except (ValueError, AttributeError):
                continue
    return out


def model_errors(networks, hosts):
    """Return a list of error messages for a site model.

    :param networks: the ``strata_networks`` mapping.
    :param hosts: ``{hostname: {'strata_interfaces': {...}, 'strata_disks': [...]}}``.
    """
    errors = []
    if networks is None:
        networks = {}
    if not isinstance(networks, dict):
        return ['strata_networks: must be a mapping of network name to {cidr, vlan, mtu, gateway}, got %r' % (networks,)]
    nets = {}
    for name in sorted(networks):
        net = _network(name, networks[name], errors)
        if net is not None:
            nets[name] = net
    names = sorted(nets)
    for i, second in enumerate(names):
        for first in overlapping(nets[second], {n: nets[n] for n in names[:i]}):
            errors.append('strata_networks.%s.cidr: %s overlaps strata_networks.%s.cidr %s; named networks '
                          'must not share addresses' % (second, nets[second], first, nets[first]))
    seen_addresses = {}
    for host in sorted(hosts or {}):
        data = hosts[host] or {}
        if data.get('strata_interfaces') is not None:
            _interfaces(host, data['strata_interfaces'], networks, nets, errors, seen_addresses)
        if data.get('strata_disks') is not None:
            _disks(host, data['strata_disks'], errors)
    return errors

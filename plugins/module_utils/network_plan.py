# -*- coding: utf-8 -*-
# Copyright: strata.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Turn one host's part of the site model into ifupdown2 interface stanzas.

Input (see docs/network.md):

* ``strata_networks``: ``{name: {cidr, vlan, mtu, gateway, routes, ...}}`` (site-wide);
* ``strata_interfaces``: ``{network: {device, address}}`` (per host);
* ``strata_bonds``: ``{bond: {members, mode, mtu, options}}`` (per host);
* ``strata_bridges``: ``{bridge: {type: linux|ovs, ports, vlan_aware, mtu}}`` (per host);
* the host's existing network devices (from facts), to reject devices that do not exist.

``plan()`` returns the stanzas in dependency order, the devices they manage and every problem
found, as messages naming the variable, the value and the fix. It never raises for bad data.
"""

from __future__ import annotations

import ipaddress
import re

BOND_MODES = ('balance-rr', 'active-backup', 'balance-xor', 'broadcast', '802.3ad', 'balance-tlb', 'balance-alb')
BOND_KEYS = frozenset(('members', 'mode', 'mtu', 'options'))
BRIDGE_KEYS = frozenset(('type', 'ports', 'vlan_aware', 'mtu', 'stp'))
BRIDGE_TYPES = ('linux', 'ovs')
IFNAME_RE = re.compile(r'^[A-Za-z][A-Za-z0-9_-]{0,14}$')
BOND_OPTION_RE = re.compile(r'^[a-z][a-z0-9-]*$')
MTU_MIN = 1280
MTU_MAX = 9216


class _Stanza(object):
    def __init__(self, name, kind):
        self.name = name
        self.kind = kind
        self.method = 'manual'
        self.addresses = []
        self.options = []
        self.mtu = None
        self.ovs_ports = []     # Open vSwitch bridges: ports and internal ports

    def as_dict(self):
        options = list(self.options)
        # A Linux bridge takes the MTU of its ports (ifupdown2 warns about an explicit one).
        if self.mtu and self.kind != 'bridge':
            options.append(['ovs-mtu' if self.kind.startswith('ovs') else 'mtu', str(self.mtu)])
        return {'name': self.name, 'kind': self.kind, 'method': 'static' if self.addresses else 'manual',
                'addresses': list(self.addresses), 'options': options}


def _mtu_ok(value):
    return value is None or (isinstance(value, int) and not isinstance(value, bool) and MTU_MIN <= value <= MTU_MAX)


def plan(host, networks, interfaces, bonds=None, bridges=None, devices=None, default_route_network=None):
    """Plan the ifupdown2 configuration of one host.

    :param devices: names of the network devices the host has now, or None to skip existence checks.
    :returns: dict with ``stanzas`` (list of dicts: name, kind, method, addresses, options),
        ``managed`` (every device name the stanzas configure), ``ovs`` (bool: Open vSwitch needed),
        ``bonding`` (bool) and ``errors`` (list of str).
    """
    networks = networks or {}
    interfaces = interfaces or {}
    bonds = bonds if bonds is not None else {}
    bridges = bridges if bridges is not None else {}
    hv = 'hostvars[%s]' % host
    errors = []
    existing = set(devices) if devices is not None else None

    if not isinstance(bonds, dict):
        errors.append('%s.strata_bonds: must be a mapping of bond name to {members, mode, mtu, options}, got %r'
                      % (hv, bonds))
        bonds = {}
    if not isinstance(bridges, dict):
        errors.append('%s.strata_bridges: must be a mapping of bridge name to {type, ports, vlan_aware, mtu}, got %r'
                      % (hv, bridges))
        bridges = {}
    if not isinstance(interfaces, dict):
        errors.append('%s.strata_interfaces: must be a mapping of network name to {device, address}, got %r'
                      % (hv, interfaces))
        interfaces = {}

    stanzas = {}
    order = []
    owner = {}      # device -> what uses it as a member/port ("strata_bonds.bond0.members")

    def stanza(name, kind):
        if name not in stanzas:
            stanzas[name] = _Stanza(name, kind)
            order.append(name)
        return stanzas[name]

    def is_physical(name):
        return name not in bonds and name not in bridges

    def check_exists(var, name, what):
        if existing is not None and is_physical(name) and name not in existing:
            errors.append('%s: %r is not a network device of %s (it has: %s) and not a bond or bridge of '
                          'strata_bonds/strata_bridges; fix the name %s'
                          % (var, name, host, ', '.join(sorted(existing)) or 'none', what))
            return False
        return True

    def claim(var, name, user):
        if name in owner:
            errors.append('%s: %s is already used by %s; a device can be in one bond or bridge only'
                          % (var, name, owner[name]))
            return False
        owner[name] = user
        return True

    # Bonds: members are plain devices that carry nothing else.
    for bname in sorted(bonds):
        spec = bonds[bname]
        bvar = '%s.strata_bonds.%s' % (hv, bname)
        if not IFNAME_RE.match(str(bname)):
            errors.append('%s: %r is not a valid interface name (a letter, then at most 14 letters, digits, '
                          '"_" or "-")' % (bvar, bname))
            continue
        if not isinstance(spec, dict):
            errors.append('%s: must be a mapping with "members" and optional mode, mtu, options, got %r' % (bvar, spec))
            continue
        unknown = sorted(set(spec) - BOND_KEYS)
        if unknown:
            errors.append('%s: unknown keys %s; allowed keys are %s' % (bvar, ', '.join(unknown), ', '.join(sorted(BOND_KEYS))))
        members = spec.get('members')
        if not isinstance(members, list) or not members:
            errors.append('%s.members: %r must be a non-empty list of network devices, e.g. [ens21, ens22]'
                          % (bvar, members))
            members = []
        mode = spec.get('mode', 'active-backup')
        if mode not in BOND_MODES:
            errors.append('%s.mode: %r is not a bonding mode; use one of %s' % (bvar, mode, ', '.join(BOND_MODES)))
        if not _mtu_ok(spec.get('mtu')):
            errors.append('%s.mtu: %r is out of range; use an integer from %d to %d' % (bvar, spec.get('mtu'), MTU_MIN, MTU_MAX))
        options = spec.get('options') or {}
        if not isinstance(options, dict):
            errors.append('%s.options: must be a mapping of bonding option to value, e.g. {miimon: 100}, got %r'
                          % (bvar, options))
            options = {}
        for member in members:
            mvar = '%s.members' % bvar
            if member in bonds or member in bridges:
                errors.append('%s: %s is a bond or bridge; bond members must be network devices' % (mvar, member))
                continue
            if check_exists(mvar, member, 'in the members list') and claim(mvar, member, 'strata_bonds.%s.members' % bname):
                stanza(str(member), 'bond-member')
        st = stanza(bname, 'bond')
        st.options.append(['bond-slaves', ' '.join(str(m) for m in members)])
        st.options.append(['bond-mode', str(mode)])
        opts = dict(options)
        opts.setdefault('miimon', 100)
        if mode == '802.3ad':
            opts.setdefault('lacp-rate', 'fast')
            opts.setdefault('xmit-hash-policy', 'layer3+4')
        for key in sorted(opts):
            name = str(key).replace('_', '-')
            if not BOND_OPTION_RE.match(name):
                errors.append('%s.options: %r is not a bonding option name' % (bvar, key))
                continue
            st.options.append(['bond-%s' % name, str(opts[key]).lower() if isinstance(opts[key], bool) else str(opts[key])])
        st.mtu = spec.get('mtu')

    # Bridges: ports are devices or bonds.
    for brname in sorted(bridges):
        spec = bridges[brname]
        bvar = '%s.strata_bridges.%s' % (hv, brname)
        if not IFNAME_RE.match(str(brname)):
            errors.append('%s: %r is not a valid interface name (a letter, then at most 14 letters, digits, '
                          '"_" or "-")' % (bvar, brname))
            continue
        if brname in bonds:
            errors.append('%s: %s is also a bond in strata_bonds; give the bridge its own name' % (bvar, brname))
            continue
        if not isinstance(spec, dict):
            errors.append('%s: must be a mapping with "type" and "ports", got %r' % (bvar, spec))
            continue
        unknown = sorted(set(spec) - BRIDGE_KEYS)
        if unknown:
            errors.append('%s: unknown keys %s; allowed keys are %s' % (bvar, ', '.join(unknown), ', '.join(sorted(BRIDGE_KEYS))))
        btype = spec.get('type', 'linux')
        if btype not in BRIDGE_TYPES:
            errors.append('%s.type: %r is not a bridge type; use linux or ovs' % (bvar, btype))
            continue
        ports = spec.get('ports', [])
        if not isinstance(ports, list):
            errors.append('%s.ports: %r must be a list of devices or bonds (empty for a bridge without uplink)' % (bvar, ports))
            ports = []
        if not _mtu_ok(spec.get('mtu')):
            errors.append('%s.mtu: %r is out of range; use an integer from %d to %d' % (bvar, spec.get('mtu'), MTU_MIN, MTU_MAX))
        good_ports = []
        for port in ports:
            pvar = '%s.ports' % bvar
            if port in bridges:
                errors.append('%s: %s is a bridge; bridges cannot be ports of bridges here' % (pvar, port))
                continue
            if check_exists(pvar, port, 'in the ports list') and claim(pvar, port, 'strata_bridges.%s.ports' % brname):
                good_ports.append(str(port))
                if port not in bonds:
                    stanza(str(port), 'ovs-port' if btype == 'ovs' else 'bridge-port')
        if btype == 'ovs':
            for port in good_ports:
                if port in bonds:
                    errors.append('%s.ports: %s is a Linux bond; an Open vSwitch bridge takes network devices '
                                  'as ports' % (bvar, port))
                    continue
                pst = stanzas[port]
                pst.options.extend([['ovs-type', 'OVSPort'], ['ovs-bridge', brname]])
            st = stanza(brname, 'ovs-bridge')
            st.options.append(['ovs-type', 'OVSBridge'])
            st.ovs_ports = list(good_ports)
        else:
            st = stanza(brname, 'bridge')
            st.options.append(['bridge-ports', ' '.join(good_ports) or 'none'])
            st.options.append(['bridge-stp', 'on' if spec.get('stp') else 'off'])
            st.options.append(['bridge-fd', '0'])
            if spec.get('vlan_aware'):
                st.options.append(['bridge-vlan-aware', 'yes'])
                st.options.append(['bridge-vids', '2-4094'])
        st.mtu = spec.get('mtu')

    # Networks: an address (and MTU) on the device itself, on a VLAN subinterface of it or, on an
    # Open vSwitch bridge, on an internal port tagged with the VLAN.
    gateway_net = None
    need_mtu = {}
    ovs_vlans = {}
    for netname in sorted(interfaces):
        spec = interfaces[netname]
        ivar = '%s.strata_interfaces.%s' % (hv, netname)
        net = networks.get(netname)
        if not isinstance(net, dict) or not isinstance(spec, dict):
            continue    # reported by the inventory model's own checks
        device = spec.get('device')
        if device is None:
            errors.append('%s.device: missing; name the device, bond or bridge that carries network %s'
                          % (ivar, netname))
            continue
        device = str(device)
        if not check_exists('%s.device' % ivar, device, 'or define the bond/bridge'):
            continue
        if device in owner:
            errors.append('%s.device: %s is a member/port of %s; put the network on %s instead'
                          % (ivar, device, owner[device], owner[device].split('.')[1]))
            continue
        try:
            cidr = ipaddress.ip_network(str(net.get('cidr')), strict=True)
        except ValueError:
            continue    # reported by the inventory model's own checks
        vlan = net.get('vlan')
        mtu = net.get('mtu')
        parent_kind = 'ovs-bridge' if device in bridges and bridges[device].get('type') == 'ovs' else None
        if device in bonds:
            parent = stanza(device, 'bond')
        elif device in bridges:
            parent = stanza(device, parent_kind or 'bridge')
        else:
            parent = stanza(device, 'nic')
        if vlan is None:
            carrier = parent
        elif parent_kind == 'ovs-bridge':
            name = 'vlan%d' % vlan
            if name in ovs_vlans:
                errors.append('%s: VLAN %d is already carried by Open vSwitch bridge %s (network %s); a host '
                              'carries a VLAN on one Open vSwitch bridge only' % (ivar, vlan, ovs_vlans[name][0], ovs_vlans[name][1]))
                continue
            ovs_vlans[name] = (device, netname)
            carrier = stanza(name, 'ovs-intport')
            carrier.options.extend([['ovs-type', 'OVSIntPort'], ['ovs-bridge', device], ['ovs-options', 'tag=%d' % vlan]])
            parent.ovs_ports.append(name)
        else:
            name = '%s.%d' % (device, vlan)
            if len(name) > 15:
                errors.append('%s.device: the VLAN interface name %s is longer than 15 characters; use a shorter '
                              'device or bridge name' % (ivar, name))
                continue
            carrier = stanza(name, 'vlan')
            carrier.options.extend([['vlan-raw-device', device], ['vlan-id', str(vlan)]])
            if mtu:
                need_mtu[device] = max(need_mtu.get(device, 0), mtu)
        if mtu:
            need_mtu[carrier.name] = max(need_mtu.get(carrier.name, 0), mtu)
        address = spec.get('address')
        if address is not None:
            carrier.addresses.append('%s/%d' % (address, cidr.prefixlen))
            if default_route_network == netname:
                if net.get('gateway'):
                    gateway_net = netname
                    carrier.options.append(['gateway', str(net['gateway'])])
                else:
                    errors.append('network_default_route_network: %r has no gateway in strata_networks.%s; add a '
                                  'gateway or pick another network' % (netname, netname))
            for route in net.get('routes') or []:
                if isinstance(route, dict) and route.get('to') and route.get('via'):
                    cmd = 'ip route replace %s via %s dev %s' % (route['to'], route['via'], carrier.name)
                    carrier.options.append(['post-up', cmd])
                    carrier.options.append(['pre-down', 'ip route del %s via %s dev %s || true'
                                            % (route['to'], route['via'], carrier.name)])
    if default_route_network:
        if default_route_network not in interfaces:
            errors.append('network_default_route_network: %r is not one of the networks of %s (%s); pick one of '
                          'them or leave it empty' % (default_route_network, host, ', '.join(sorted(interfaces)) or 'none'))
        elif gateway_net is None and not any(e.startswith('network_default_route_network') for e in errors):
            errors.append('network_default_route_network: %r: %s has no address on it; give it one in '
                          'strata_interfaces or pick another network' % (default_route_network, host))

    # MTU: a device is at least as large as what rides on it; bridge ports and bond members follow.
    for name, mtu in need_mtu.items():
        st = stanzas.get(name)
        if st is not None:
            st.mtu = max(st.mtu or 0, mtu)
    for brname in sorted(bridges):
        st = stanzas.get(brname)
        if st is None or not st.mtu:
            continue
        for port, user in owner.items():
            if user == 'strata_bridges.%s.ports' % brname and port in stanzas:
                stanzas[port].mtu = max(stanzas[port].mtu or 0, st.mtu)
    for bname in sorted(bonds):
        st = stanzas.get(bname)
        if st is None or not st.mtu:
            continue
        for member, user in owner.items():
            if user == 'strata_bonds.%s.members' % bname and member in stanzas:
                stanzas[member].mtu = max(stanzas[member].mtu or 0, st.mtu)

    for name in order:
        st = stanzas[name]
        if st.kind == 'ovs-bridge':
            st.options.insert(1, ['ovs-ports', ' '.join(st.ovs_ports)])

    # Dependency order: members and ports, bonds, bridges, then VLANs and internal ports.
    rank = {'nic': 0, 'bond-member': 0, 'bridge-port': 0, 'ovs-port': 0, 'bond': 1, 'bridge': 2, 'ovs-bridge': 2,
            'vlan': 3, 'ovs-intport': 3}
    ordered = sorted(order, key=lambda n: (rank[stanzas[n].kind], n))
    result = [stanzas[n].as_dict() for n in ordered]
    return {
        'stanzas': result,
        'managed': sorted(stanzas),
        'physical': sorted(n for n in stanzas if stanzas[n].kind in ('nic', 'bond-member', 'bridge-port', 'ovs-port')),
        'ovs': any(s.kind.startswith('ovs') for s in stanzas.values()),
        'bonding': bool(bonds),
        'errors': errors,
    }

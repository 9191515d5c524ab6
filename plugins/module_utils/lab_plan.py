# -*- coding: utf-8 -*-
# Copyright: strata.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Turn the site inventory model into the list of lab VMs to boot.

Each inventory host becomes one VM with:

* a user-mode management NIC whose guest port 22 is forwarded to 127.0.0.1:<ssh_port>;
* one NIC per lab *segment* (an isolated L2 network with no host address) that the host's
  networks ride on (``strata_networks.<net>.segment``); untagged networks get their address
  there through cloud-init, tagged (VLAN) networks are left to the network role;
* a root disk (overlay of the lab image) and one blank disk per ``strata_disks`` entry.

Pure functions, so the plan can be unit tested and shared by the lab playbook and Molecule.
"""

from __future__ import annotations

import hashlib
import ipaddress


class LabPlanError(ValueError):
    """The inventory cannot be turned into a lab."""


def derive_mac(*parts):
    """A stable, locally administered-looking QEMU MAC (52:54:00 prefix) for the given key."""
    digest = hashlib.sha256('/'.join(str(p) for p in parts).encode('utf-8')).hexdigest()
    return '52:54:00:%s:%s:%s' % (digest[0:2], digest[2:4], digest[4:6])


def segment_network_name(lab_name, segment):
    return '%s-%s' % (lab_name, segment)


def segment_bridge_name(lab_name, segment):
    """Linux bridge names are limited to 15 characters."""
    return 'slab%s' % hashlib.sha256(('%s/%s' % (lab_name, segment)).encode('utf-8')).hexdigest()[:8]


def plan(hosts, hostvars, networks, lab_name, base_port=2220, defaults=None):
    defaults = dict(defaults or {})
    networks = networks or {}
    vms = []
    ports = {}
    errors = []
    for index, host in enumerate(hosts):
        hv = hostvars.get(host, {}) or {}
        spec = dict(defaults)
        spec.update(hv.get('lab_vm') or {})
        port = spec.get('ssh_port') or base_port + index + 1
        if not isinstance(port, int) or not 1024 <= port <= 65535:
            errors.append('hostvars[%s].lab_vm.ssh_port: %r must be an integer from 1024 to 65535' % (host, port))
        elif port in ports:
            errors.append('hostvars[%s].lab_vm.ssh_port: %d is already used by %s; give each VM its own port'
                          % (host, port, ports[port]))
        ports[port] = host

        segments = []
        seg_conf = {}
        # lab_vm.segments: the segment NICs in order (for bond members and bridge ports that carry
        # no network of their own); networks' segments not listed are added after them.
        explicit = spec.get('segments') or []
        if not isinstance(explicit, list) or not all(isinstance(seg, str) and seg for seg in explicit):
            errors.append('hostvars[%s].lab_vm.segments: %r must be a list of segment names' % (host, explicit))
            explicit = []
        # A segment may be listed more than once: one NIC each (two bond members on one switch).
        for seg in explicit:
            segments.append(seg)
            seg_conf.setdefault(seg, {'addresses': [], 'mtu': None})
        # lab_vm.addresses false: cloud-init leaves the segment NICs without addresses (the network
        # role configures them).
        with_addresses = spec.get('addresses', True)
        for netname, iface in sorted((hv.get('strata_interfaces') or {}).items()):
            net = networks.get(netname)
            if not isinstance(net, dict) or not net.get('segment'):
                continue
            seg = net['segment']
            if seg not in seg_conf:
                segments.append(seg)
                seg_conf[seg] = {'addresses': [], 'mtu': None}
            conf = seg_conf[seg]
            if net.get('mtu'):
                conf['mtu'] = max(conf['mtu'] or 0, int(net['mtu']))
            address = (iface or {}).get('address')
            if with_addresses and address and net.get('vlan') is None and net.get('cidr'):
                prefix = ipaddress.ip_network(str(net['cidr']), strict=False).prefixlen
                conf['addresses'].append('%s/%d' % (address, prefix))

        mgmt_mac = derive_mac(lab_name, host, 'mgmt')
        nics = [{'type': 'user', 'mac': mgmt_mac,
                 'port_forwards': [{'host_address': '127.0.0.1', 'host_port': port, 'guest_port': 22}]}]
        ethernets = {'mgmt': {'match': {'macaddress': mgmt_mac}, 'dhcp4': True}}
        seen = {}
        for seg_index, seg in enumerate(segments):
            seen[seg] = seen.get(seg, 0) + 1
            mac = derive_mac(lab_name, host, seg if seen[seg] == 1 else '%s#%d' % (seg, seen[seg]))
            nic = {'type': 'network', 'source': segment_network_name(lab_name, seg), 'mac': mac}
            eth = {'match': {'macaddress': mac}, 'dhcp4': False}
            if seg_conf[seg]['mtu']:
                nic['mtu'] = seg_conf[seg]['mtu']
                eth['mtu'] = seg_conf[seg]['mtu']
            if seg_conf[seg]['addresses'] and seen[seg] == 1:
                eth['addresses'] = sorted(seg_conf[seg]['addresses'])
            nics.append(nic)
            ethernets['seg%d' % seg_index] = eth

        disks = []
        for disk in hv.get('strata_disks') or []:
            disks.append({'name': disk['name'], 'size': str(disk.get('size', '8G'))})

        vms.append({
            'name': host,
            'domain': '%s-%s' % (lab_name, host),
            'vcpus': int(spec.get('vcpus', 2)),
            'memory': int(spec.get('memory', 2048)),
            'ssh_port': port,
            'segments': segments,
            'nics': nics,
            'disks': disks,
            'network_config': {'version': 2, 'ethernets': ethernets},
        })
    if errors:
        raise LabPlanError('; '.join(errors))
    return vms


def segments_of(vms):
    """Every segment the planned VMs use, in first-use order."""
    seen = []
    for vm in vms:
        for seg in vm['segments']:
            if seg not in seen:
                seen.append(seg)
    return seen

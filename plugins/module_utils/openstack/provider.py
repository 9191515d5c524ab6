# -*- coding: utf-8 -*-
# Copyright: strata.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Provider networks of an OpenStack layout from the site's named networks (``strata_networks``)."""

from __future__ import annotations

import ipaddress


def provider_layout(networks, providers):
    """``{'networks': [...], 'subnets': [...], 'errors': [...]}`` for strata.cloud.openstack_layout.

    ``providers``: items ``{network, physical_network, name?, project?, external?, shared?, enable_dhcp?,
    allocation_pools?, dns_nameservers?}`` naming an entry of ``networks`` (``strata_networks``), whose
    ``cidr``, ``vlan``, ``mtu`` and ``gateway`` give the OpenStack network and subnet.
    """
    out = {'networks': [], 'subnets': [], 'errors': []}
    for index, provider in enumerate(providers or []):
        where = 'openstack_bootstrap_provider_networks[%d]' % index
        site_name = provider.get('network')
        site = (networks or {}).get(site_name)
        if site is None:
            out['errors'].append('%s.network: %r is not a name in strata_networks (%s); use one of them'
                                 % (where, site_name, ', '.join(sorted(networks or {})) or 'none defined'))
            continue
        if not provider.get('physical_network'):
            out['errors'].append('%s.physical_network: missing; name the Neutron physical network (bridge mapping) '
                                 'that carries strata_networks.%s' % (where, site_name))
            continue
        try:
            cidr = str(ipaddress.ip_network(site['cidr']))
        except (KeyError, ValueError) as exc:
            out['errors'].append('strata_networks.%s.cidr: %s' % (site_name, exc))
            continue
        name = provider.get('name') or site_name
        net = {'name': name, 'external': provider.get('external', True), 'shared': provider.get('shared', False),
               'provider': {'network_type': 'vlan' if site.get('vlan') else 'flat',
                            'physical_network': provider['physical_network']}}
        if site.get('vlan'):
            net['provider']['segmentation_id'] = int(site['vlan'])
        if site.get('mtu'):
            net['mtu'] = int(site['mtu'])
        sub = {'name': '%s-subnet' % name, 'network': name, 'cidr': cidr, 'enable_dhcp': provider.get('enable_dhcp', False)}
        if site.get('gateway'):
            sub['gateway_ip'] = str(site['gateway'])
        for key in ('allocation_pools', 'dns_nameservers'):
            if provider.get(key):
                sub[key] = list(provider[key])
        if provider.get('project'):
            net['project'] = sub['project'] = provider['project']
        out['networks'].append(net)
        out['subnets'].append(sub)
    return out

# -*- coding: utf-8 -*-
# Copyright: strata.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters of the network role."""

from __future__ import annotations

from ansible_collections.strata.cloud.plugins.module_utils.network_plan import plan


def network_plan(hostvars_of_host, host, networks, devices=None, default_route_network=None):
    """Plan the ifupdown2 configuration of one host from its part of the site model."""
    hv = hostvars_of_host or {}
    return plan(host, networks, hv.get('strata_interfaces'), hv.get('strata_bonds'), hv.get('strata_bridges'),
                devices=devices, default_route_network=default_route_network or None)


class FilterModule(object):
    def filters(self):
        return {'network_plan': network_plan}

# -*- coding: utf-8 -*-
# Copyright: strata.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters of the openstack_bootstrap role."""

from __future__ import annotations

from ansible_collections.strata.cloud.plugins.module_utils.openstack.provider import provider_layout


def openstack_provider_layout(networks, providers):
    """Provider networks and subnets for strata.cloud.openstack_layout from strata_networks."""
    return provider_layout(networks, providers)


class FilterModule(object):
    def filters(self):
        return {'openstack_provider_layout': openstack_provider_layout}

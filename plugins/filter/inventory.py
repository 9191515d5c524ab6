# -*- coding: utf-8 -*-
# Copyright: strata.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters over the strata.cloud site inventory model."""

from __future__ import annotations

from ansible_collections.strata.cloud.plugins.module_utils.inventory_model import model_errors


def inventory_errors(networks, hostvars, hosts=None):
    """Return the contradictions in the site model as a list of messages."""
    if hosts is None:
        hosts = list(hostvars)
    data = {}
    for host in hosts:
        hv = hostvars[host]
        data[host] = {
            'strata_interfaces': hv.get('strata_interfaces'),
            'strata_disks': hv.get('strata_disks'),
        }
    return model_errors(networks, data)


class FilterModule(object):
    def filters(self):
        return {'inventory_errors': inventory_errors}

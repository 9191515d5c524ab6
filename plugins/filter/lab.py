# -*- coding: utf-8 -*-
# Copyright: strata.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters that plan the local VM lab from the site inventory model."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

from ansible_collections.strata.cloud.plugins.module_utils.lab_plan import (
    LabPlanError, plan, segment_bridge_name, segment_network_name, segments_of,
)


def lab_plan(hosts, hostvars, networks, lab_name, base_port=2220, defaults=None):
    try:
        return plan(list(hosts), hostvars, networks, lab_name, int(base_port), defaults)
    except LabPlanError as exc:
        raise AnsibleFilterError('lab plan: %s' % exc) from exc


def lab_segments(vms, lab_name):
    return [{'segment': seg, 'network': segment_network_name(lab_name, seg), 'bridge': segment_bridge_name(lab_name, seg)}
            for seg in segments_of(vms)]


def molecule_instance(connection):
    """One entry of Molecule's instance configuration for a lab connection."""
    return {
        'instance': connection['name'],
        'address': connection['host'],
        'port': str(connection['port']),
        'user': connection['user'],
        'identity_file': connection['private_key'],
        'become_method': 'sudo',
    }


class FilterModule(object):
    def filters(self):
        return {'lab_plan': lab_plan, 'lab_segments': lab_segments, 'molecule_instance': molecule_instance}

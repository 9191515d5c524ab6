# -*- coding: utf-8 -*-
# Copyright: strata.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters of the Kubernetes roles and playbooks."""

from __future__ import annotations

from ansible_collections.strata.cloud.plugins.module_utils.kubernetes import plan as kplan


def _model(hostvars, groups):
    hosts = list((groups or {}).get('all') or [])
    for name, members in (groups or {}).items():
        hosts.extend(h for h in members or [] if h not in hosts)
    model = {}
    for host in hosts:
        try:
            hv = hostvars[host]
        except KeyError:
            continue
        model[host] = {'strata_interfaces': hv.get('strata_interfaces')}
    return model


def kubernetes_plan(cluster, networks, hostvars, groups):
    """Plan the kubeadm cluster described by ``strata_kubernetes``."""
    return kplan.plan(cluster, networks, _model(hostvars, groups), groups)


def kubernetes_join_config(plan, host, token, ca_cert_hashes, certificate_key=None):
    """The kubeadm JoinConfiguration of ``host``."""
    return kplan.join_configuration(plan, host, token, ca_cert_hashes, certificate_key or None)


def kubernetes_upgrade_plan(plan, current):
    """Check and order an upgrade from the running version ``current`` to the plan's version."""
    return kplan.upgrade_plan(current, plan.get('version'), plan.get('control_planes', []), plan.get('workers', []))


def kubernetes_removal_plan(plan, host, force=False):
    """Check that ``host`` may leave the cluster."""
    return kplan.removal_plan(host, plan.get('control_planes', []), plan.get('workers', []), force)


class FilterModule(object):
    def filters(self):
        return {'kubernetes_plan': kubernetes_plan, 'kubernetes_join_config': kubernetes_join_config,
                'kubernetes_upgrade_plan': kubernetes_upgrade_plan, 'kubernetes_removal_plan': kubernetes_removal_plan}

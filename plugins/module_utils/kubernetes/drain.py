# -*- coding: utf-8 -*-
# Copyright: strata.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Cordon, drain, uncordon and delete a node, deciding from the node's and its pods' state.

A node is drained when it is unschedulable and none of its pods would be evicted (pods of
DaemonSets, static/mirror pods and finished pods stay). ``kubectl drain`` is bounded by its own
``--timeout``, which the caller keeps below the Ansible task's timeout.
"""

from __future__ import annotations

import json
import time

from ansible_collections.strata.cloud.plugins.module_utils.kubernetes.errors import CommandFailed, KubernetesError

STATES = ('cordoned', 'drained', 'uncordoned', 'absent')


class DrainFailed(KubernetesError):
    """kubectl drain did not finish; ``details`` list the pods still on the node."""


def get_node(cli, name):
    rc, out, err = cli.kubectl('get', 'node', name, '-o', 'json', check=False)
    if rc != 0:
        if 'NotFound' in (err or '') or 'not found' in (err or ''):
            return None
        raise CommandFailed(['kubectl', 'get', 'node', name], rc, out, err)
    return json.loads(out)


def evictable_pods(cli, name):
    """Pods that a drain would evict: not of a DaemonSet, not a mirror pod, not finished."""
    out = cli.kubectl('get', 'pods', '--all-namespaces', '--field-selector', 'spec.nodeName=%s' % name, '-o', 'json')[1]
    pods = []
    for pod in json.loads(out).get('items', []):
        meta = pod.get('metadata', {})
        if any(ref.get('kind') == 'DaemonSet' for ref in meta.get('ownerReferences') or []):
            continue
        if 'kubernetes.io/config.mirror' in (meta.get('annotations') or {}):
            continue
        if pod.get('status', {}).get('phase') in ('Succeeded', 'Failed'):
            continue
        pods.append('%s/%s' % (meta.get('namespace'), meta.get('name')))
    return sorted(pods)


def _drain(cli, name, timeout, grace_period, delete_emptydir_data):
    argv = ['drain', name, '--ignore-daemonsets', '--timeout=%ds' % timeout]
    if delete_emptydir_data:
        argv.append('--delete-emptydir-data')
    if grace_period is not None:
        argv.append('--grace-period=%d' % grace_period)
    rc, out, err = cli.kubectl(*argv, check=False)
    if rc != 0:
        left = evictable_pods(cli, name)
        raise DrainFailed('drain of node %s did not finish within %ss: %s' % (name, timeout, (err or out).strip()[-500:]),
                          pods_left=left, rc=rc)


def converge(cli, name, state, timeout=300, grace_period=None, delete_emptydir_data=True, force=False,
             check_mode=False, clock=time.monotonic):
    """Bring node ``name`` to ``state``. Returns ``(changed, result)``."""
    if state not in STATES:
        raise KubernetesError('state: %r must be one of %s' % (state, ', '.join(STATES)))
    started = clock()
    node = get_node(cli, name)
    result = {'node': name, 'actions': [], 'pods_left': []}
    if node is None:
        if state == 'absent':
            return False, result
        raise KubernetesError('node %s is not in the cluster' % name)
    unschedulable = bool(node.get('spec', {}).get('unschedulable'))
    actions = result['actions']
    if state == 'uncordoned':
        if unschedulable:
            actions.append('uncordon')
            if not check_mode:
                cli.kubectl('uncordon', name)
    elif state == 'cordoned':
        if not unschedulable:
            actions.append('cordon')
            if not check_mode:
                cli.kubectl('cordon', name)
    else:
        pods = evictable_pods(cli, name)
        if not unschedulable or pods:
            actions.append('drain')
            result['pods_evicted'] = pods
            if not check_mode:
                try:
                    _drain(cli, name, timeout, grace_period, delete_emptydir_data)
                except DrainFailed as exc:
                    if state != 'absent':
                        raise
                    if not force:
                        raise DrainFailed('%s; not deleting the node (set force=true to delete it anyway)' % exc,
                                          **exc.details)
                    actions.append('drain-failed-forced')
                    result['pods_left'] = exc.details.get('pods_left', [])
        if state == 'absent':
            actions.append('delete')
            if not check_mode:
                cli.kubectl('delete', 'node', name, '--timeout=%ds' % timeout)
    result['elapsed'] = round(clock() - started, 1)
    return bool(actions), result

#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: strata.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: kubernetes_drain
short_description: Cordon, drain, uncordon or delete a Kubernetes node
version_added: 0.1.0
description:
  - Brings a node to O(state) with C(kubectl), deciding from its current state so that a re-run
    changes nothing - a node is C(drained) when it is unschedulable and none of its pods would be
    evicted (DaemonSet pods, static pods and finished pods stay).
  - The drain is bounded by O(timeout) (C(kubectl drain --timeout)). Keep it below the task's own
    C(timeout) keyword and the connection's limits; the module returns RV(elapsed).
  - O(state=absent) drains the node first and refuses to delete it when the drain fails, unless
    O(force=true). It does not reset the host (run C(kubeadm reset) there).
author:
  - strata.cloud maintainers (@strata-cloud)
extends_documentation_fragment:
  - strata.cloud.attributes
attributes:
  check_mode:
    support: full
  diff_mode:
    support: none
options:
  name:
    description: The node name.
    type: str
    required: true
  state:
    description: What the node should be.
    type: str
    choices: [cordoned, drained, uncordoned, absent]
    default: drained
  timeout:
    description: Seconds the drain (and the deletion) may take.
    type: int
    default: 300
  grace_period:
    description: Seconds each pod is given to terminate; default each pod's own.
    type: int
  delete_emptydir_data:
    description: Evict pods that use emptyDir volumes (their data is lost).
    type: bool
    default: true
  force:
    description: With O(state=absent), delete the node even when the drain fails.
    type: bool
    default: false
  kubeconfig:
    description: Kubeconfig with the rights to drain nodes.
    type: path
    default: /etc/kubernetes/admin.conf
notes:
  - Run it on a control-plane host (or any host with C(kubectl) and the kubeconfig), usually delegated.
seealso:
  - module: strata.cloud.kubeadm_token
"""

EXAMPLES = r"""
- name: Drain the node before the upgrade
  strata.cloud.kubernetes_drain:
    name: "{{ inventory_hostname }}"
    state: drained
    timeout: 600
  delegate_to: "{{ groups['k8s_control_plane'][0] }}"
  timeout: 700
"""

RETURN = r"""
node:
  description: The node name.
  type: str
  returned: always
actions:
  description: What was done (or would be, in check mode) - cordon, drain, uncordon, delete, drain-failed-forced.
  type: list
  elements: str
  returned: always
pods_evicted:
  description: Pods the drain evicts.
  type: list
  elements: str
  returned: when a drain runs
pods_left:
  description: Pods still on the node after a failed drain (forced deletion, or in the failure result).
  type: list
  elements: str
  returned: always
elapsed:
  description: Seconds the module took.
  type: float
  returned: when the node exists
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.strata.cloud.plugins.module_utils.kubernetes.cli import Cli
from ansible_collections.strata.cloud.plugins.module_utils.kubernetes.drain import STATES, converge
from ansible_collections.strata.cloud.plugins.module_utils.kubernetes.errors import KubernetesError


def argument_spec():
    return dict(
        name=dict(type='str', required=True),
        state=dict(type='str', choices=list(STATES), default='drained'),
        timeout=dict(type='int', default=300),
        grace_period=dict(type='int'),
        delete_emptydir_data=dict(type='bool', default=True),
        force=dict(type='bool', default=False),
        kubeconfig=dict(type='path', default='/etc/kubernetes/admin.conf'),
    )


def main():
    module = AnsibleModule(argument_spec=argument_spec(), supports_check_mode=True)
    p = module.params
    cli = Cli(module.run_command, kubeconfig=p['kubeconfig'])
    try:
        changed, result = converge(cli, p['name'], p['state'], timeout=p['timeout'], grace_period=p['grace_period'],
                                   delete_emptydir_data=p['delete_emptydir_data'], force=p['force'],
                                   check_mode=module.check_mode)
    except KubernetesError as exc:
        module.fail_json(msg=str(exc), **exc.details)
    module.exit_json(changed=changed, **result)


if __name__ == '__main__':
    main()

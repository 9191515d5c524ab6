#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: strata.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: kubeadm_token
short_description: Create, reuse or delete kubeadm bootstrap tokens
version_added: 0.1.0
description:
  - Makes a bootstrap token present or absent on a control-plane host with C(kubeadm token).
  - C(kubeadm token create) makes a new token on every call. This module first lists the tokens
    (C(kubeadm token list -o json)) and reuses one with the same O(description) (or the same id
    as O(token)), the same usages and groups, and at least O(min_ttl) seconds left, so a re-run
    changes nothing while the token is still good.
  - O(state=absent) deletes every token with that description (or id); expired tokens are removed
    by the cluster's token cleaner.
author:
  - strata.cloud maintainers (@strata-cloud)
extends_documentation_fragment:
  - strata.cloud.attributes
attributes:
  check_mode:
    support: full
    details: Reports whether a token would be created or deleted; RV(token) is null when one would be created.
  diff_mode:
    support: none
options:
  state:
    description: Whether the token exists.
    type: str
    choices: [present, absent]
    default: present
  description:
    description:
      - Human readable description that identifies the token across runs, for example V(strata join workers).
      - Required unless O(token) is given.
    type: str
  token:
    description:
      - A token to create, in the form C([a-z0-9]{6}.[a-z0-9]{16}). Without it kubeadm generates one.
    type: str
  ttl:
    description:
      - Lifetime of a new token - seconds or a number with C(s), C(m) or C(h). V(0) never expires
        (avoid it). Keep it short, a join needs minutes.
    type: str
    default: 1h
  min_ttl:
    description: An existing token is reused only with at least this many seconds left.
    type: int
    default: 600
  usages:
    description: Usages of the token.
    type: list
    elements: str
    default: [authentication, signing]
  groups:
    description: Extra groups the token authenticates as; default kubeadm's bootstrap group.
    type: list
    elements: str
notes:
  - Runs C(kubeadm); it needs the control-plane credentials (run with become on a control-plane host).
seealso:
  - module: strata.cloud.kubeadm_join_info
"""

EXAMPLES = r"""
- name: A token for the workers to join with
  strata.cloud.kubeadm_token:
    description: strata join
    ttl: 30m
    min_ttl: 900
  register: _token
  no_log: true

- name: Remove the token after the joins
  strata.cloud.kubeadm_token:
    description: strata join
    state: absent
"""

RETURN = r"""
token:
  description: The token (id.secret); null when deleted or in check mode before creation. Register it with no_log.
  type: str
  returned: always
id:
  description: The token id (first part).
  type: str
  returned: when state=present
remaining:
  description: Seconds until the token expires; null for a token that never expires or would be created in check mode.
  type: int
  returned: when state=present
deleted:
  description: Ids of the tokens deleted.
  type: list
  elements: str
  returned: always
"""

import datetime

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.strata.cloud.plugins.module_utils.kubernetes.cli import Cli
from ansible_collections.strata.cloud.plugins.module_utils.kubernetes.errors import KubernetesError
from ansible_collections.strata.cloud.plugins.module_utils.kubernetes.tokens import converge


def argument_spec():
    return dict(
        state=dict(type='str', choices=['present', 'absent'], default='present'),
        description=dict(type='str'),
        token=dict(type='str', no_log=True),
        ttl=dict(type='str', default='1h'),
        min_ttl=dict(type='int', default=600),
        usages=dict(type='list', elements='str', default=['authentication', 'signing']),
        groups=dict(type='list', elements='str'),
    )


def main():
    module = AnsibleModule(argument_spec=argument_spec(), supports_check_mode=True,
                           required_one_of=[('description', 'token')])
    p = module.params
    cli = Cli(module.run_command)
    try:
        changed, result = converge(cli, p['state'], datetime.datetime.now(datetime.timezone.utc),
                                   description=p['description'], token=p['token'], ttl=p['ttl'], min_ttl=p['min_ttl'],
                                   usages=p['usages'], groups=p['groups'], check_mode=module.check_mode)
    except KubernetesError as exc:
        module.fail_json(msg=str(exc), **exc.details)
    module.exit_json(changed=changed, **result)


if __name__ == '__main__':
    main()

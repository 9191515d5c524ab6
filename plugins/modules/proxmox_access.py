#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: strata.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: proxmox_access
short_description: Declare Proxmox VE groups, roles, users, API tokens and ACLs in one task
version_added: 0.2.0
description:
  - Converges access control of a Proxmox VE cluster. Each list that is given is converged; a list
    that is not given is left alone. The order is fixed so that references resolve - groups, roles,
    users, tokens, then ACLs.
  - Only the declared fields are managed. A user's O(users[].password) is set when the user is created
    (Proxmox VE never returns it, so it cannot be compared).
  - An API token's secret exists only in the answer that creates the token. The module returns it once,
    in RV(token_secrets), and with O(tokens[].secret_file) writes it to that file (on the host that runs
    the module, usually the controller) with mode 0600. Run the task with C(no_log=true) when tokens are
    created. When the token exists but its O(tokens[].secret_file) does not, the task fails unless
    O(tokens[].regenerate=true) replaces the token.
author:
  - strata.cloud maintainers (@strata-cloud)
extends_documentation_fragment:
  - strata.cloud.attributes
  - strata.cloud.proxmox
  - strata.cloud.proxmox.attributes
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
options:
  groups:
    description: Groups.
    type: list
    elements: dict
    suboptions:
      name:
        description: Group ID.
        type: str
        required: true
      comment:
        description: Comment.
        type: str
      state:
        description: V(present) or V(absent).
        type: str
        choices: [present, absent]
        default: present
  roles:
    description: Roles of your own (built-in roles such as V(PVEVMAdmin) exist already and cannot be changed).
    type: list
    elements: dict
    suboptions:
      name:
        description: Role ID.
        type: str
        required: true
      privs:
        description: Privileges, for example V([VM.Audit, VM.PowerMgmt]).
        type: list
        elements: str
      state:
        description: V(present) or V(absent).
        type: str
        choices: [present, absent]
        default: present
  users:
    description: Users.
    type: list
    elements: dict
    suboptions:
      name:
        description: User ID with realm, for example V(automation@pve).
        type: str
        required: true
      password:
        description: Initial password (realm V(pve)); set only when the user is created.
        type: str
      comment:
        description: Comment.
        type: str
      email:
        description: E-mail address.
        type: str
      firstname:
        description: First name.
        type: str
      lastname:
        description: Last name.
        type: str
      groups:
        description: The user's groups (replaces the current list).
        type: list
        elements: str
      enable:
        description: Whether the account is enabled.
        type: bool
      expire:
        description: Expiry in seconds since the epoch, V(0) for never.
        type: int
      state:
        description: V(present) or V(absent).
        type: str
        choices: [present, absent]
        default: present
  tokens:
    description: API tokens.
    type: list
    elements: dict
    suboptions:
      user:
        description: Owner of the token, for example V(automation@pve).
        type: str
        required: true
      name:
        description: Token ID, for example V(ansible).
        type: str
        required: true
      privsep:
        description: Privilege separation - the token has only what ACLs grant the token itself (and its user has).
        type: bool
        default: true
      comment:
        description: Comment.
        type: str
      expire:
        description: Expiry in seconds since the epoch, V(0) for never.
        type: int
      secret_file:
        description: Write the secret of a newly created token to this file with mode 0600 (the directory must exist).
        type: path
      regenerate:
        description: When O(tokens[].secret_file) does not exist, replace the token with a new one (the old secret stops working).
        type: bool
        default: false
      state:
        description: V(present) or V(absent).
        type: str
        choices: [present, absent]
        default: present
  acls:
    description: ACL entries; each item grants its roles on its path to each of its users, groups and tokens.
    type: list
    elements: dict
    suboptions:
      path:
        description: Path, for example V(/), V(/vms/100), V(/pool/web), V(/storage/local).
        type: str
        required: true
      roles:
        description: Roles.
        type: list
        elements: str
        required: true
      users:
        description: Users.
        type: list
        elements: str
      groups:
        description: Groups.
        type: list
        elements: str
      tokens:
        description: Tokens as C(user@realm!token).
        type: list
        elements: str
      propagate:
        description: Inherit the permission below the path.
        type: bool
        default: true
      state:
        description: V(present) or V(absent).
        type: str
        choices: [present, absent]
        default: present
"""

EXAMPLES = r"""
- name: An automation user with a privilege-separated token that may manage VMs
  strata.cloud.proxmox_access:
    api_host: pve1.example.org
    api_user: root@pam
    api_password: "{{ vault_pve_root_password }}"
    users:
      - {name: automation@pve, comment: Ansible}
    tokens:
      - {user: automation@pve, name: ansible, secret_file: "{{ playbook_dir }}/secrets/pve-token"}
    acls:
      - {path: /, roles: [PVEVMAdmin], users: [automation@pve], tokens: ["automation@pve!ansible"]}
  delegate_to: localhost
  no_log: true

- name: Operators may power VMs of the web pool
  strata.cloud.proxmox_access:
    groups:
      - {name: operators}
    roles:
      - {name: VMPower, privs: [VM.Audit, VM.PowerMgmt, VM.Console]}
    users:
      - {name: alice@pve, groups: [operators], email: alice@example.org}
    acls:
      - {path: /pool/web, roles: [VMPower], groups: [operators]}
  delegate_to: localhost
"""

RETURN = r"""
groups:
  description: One entry per declared group (C(name), C(action) create/update/delete/none, C(changed), C(changes)).
  returned: when O(groups) is given
  type: list
  elements: dict
roles:
  description: One entry per declared role, as RV(groups).
  returned: when O(roles) is given
  type: list
  elements: dict
users:
  description: One entry per declared user, as RV(groups).
  returned: when O(users) is given
  type: list
  elements: dict
tokens:
  description: One entry per declared token (C(name) is C(user!token)), as RV(groups), and C(secret_written).
  returned: when O(tokens) is given
  type: list
  elements: dict
acls:
  description: One entry per ACL entry (C(name) is C(path|type:ugid|role)), as RV(groups).
  returned: when O(acls) is given
  type: list
  elements: dict
token_secrets:
  description: Secrets of the tokens created by this task, by full token ID. Returned only once; use C(no_log).
  returned: always
  type: dict
  sample: {"automation@pve!ansible": "0f6b5c0e-7c1e-4b4e-9a64-7f3a1c2d9e8b"}
api_requests:
  description: Number of API requests the task made.
  returned: always
  type: int
"""

from ansible_collections.strata.cloud.plugins.module_utils.proxmox.access import converge_access
from ansible_collections.strata.cloud.plugins.module_utils.proxmox.module import proxmox_module, run

STATE = dict(type='str', default='present', choices=['present', 'absent'])


def main():
    module = proxmox_module(dict(
        groups=dict(type='list', elements='dict', options=dict(
            name=dict(type='str', required=True), comment=dict(type='str'), state=STATE)),
        roles=dict(type='list', elements='dict', options=dict(
            name=dict(type='str', required=True), privs=dict(type='list', elements='str'), state=STATE)),
        users=dict(type='list', elements='dict', options=dict(
            name=dict(type='str', required=True),
            password=dict(type='str', no_log=True),
            comment=dict(type='str'),
            email=dict(type='str'),
            firstname=dict(type='str'),
            lastname=dict(type='str'),
            groups=dict(type='list', elements='str'),
            enable=dict(type='bool'),
            expire=dict(type='int'),
            state=STATE)),
        tokens=dict(type='list', elements='dict', no_log=False, options=dict(
            user=dict(type='str', required=True),
            name=dict(type='str', required=True),
            privsep=dict(type='bool', default=True),
            comment=dict(type='str'),
            expire=dict(type='int'),
            secret_file=dict(type='path', no_log=False),
            regenerate=dict(type='bool', default=False),
            state=STATE)),
        acls=dict(type='list', elements='dict', options=dict(
            path=dict(type='str', required=True),
            roles=dict(type='list', elements='str', required=True),
            users=dict(type='list', elements='str'),
            groups=dict(type='list', elements='str'),
            tokens=dict(type='list', elements='str', no_log=False),
            propagate=dict(type='bool', default=True),
            state=STATE)),
    ))

    def work(client):
        return converge_access(client, module.params, module.check_mode)
    run(module, work)


if __name__ == '__main__':
    main()

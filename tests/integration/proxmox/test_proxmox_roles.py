# -*- coding: utf-8 -*-
# Copyright: strata.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The proxmox_host role for real on this machine, with its files under a temporary root and its API
token created in the simulator: check mode with diff, apply, re-apply unchanged, the secret never logged."""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess

from conftest import PYTHON, ROOT

PLAY = """\
- hosts: localhost
  connection: local
  gather_facts: true
  gather_subset: [min]
  roles:
    - role: strata.cloud.proxmox_host
"""


def run_role(tmp_path, extra, *flags):
    (tmp_path / 'play.yml').write_text(PLAY)
    (tmp_path / 'vars.json').write_text(json.dumps(extra))
    inventory = {'all': {'hosts': {'localhost': {'ansible_connection': 'local', 'ansible_python_interpreter': PYTHON}}}}
    (tmp_path / 'inventory.json').write_text(json.dumps(inventory))
    cmd = ['ansible-playbook', '-i', str(tmp_path / 'inventory.json'), str(tmp_path / 'play.yml'), '-e', '@%s' % (tmp_path / 'vars.json')]
    proc = subprocess.run(cmd + list(flags), cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=300,
                          check=False, env=dict(os.environ, ANSIBLE_NOCOLOR='1', ANSIBLE_FORCE_COLOR='0'))
    recap = re.findall(r'^localhost\s+:.*$', proc.stdout, re.M)
    return proc.returncode, proc.stdout, recap[-1] if recap else ''


def test_proxmox_host_files_and_token(tmp_path, sim):
    root = tmp_path / 'root'
    (root / 'etc/apt/sources.list.d').mkdir(parents=True)
    (root / 'etc/hosts').write_text('127.0.0.1\tlocalhost\n127.0.1.1\tpve1.example.org pve1\n::1\tlocalhost ip6-localhost\n')
    (root / 'etc/apt/sources.list.d/pve-enterprise.list').write_text('deb https://enterprise.proxmox.com/debian/pve bookworm pve-enterprise\n')
    keyring = tmp_path / 'proxmox-release.gpg'
    keyring.write_bytes(b'release key')
    (root / 'usr/share/keyrings').mkdir(parents=True)
    sim.cluster.users['root@pam']['password'] = 'Root-Pass-77ab'
    extra = {
        'proxmox_host_root': str(root), 'proxmox_host_install_packages': False, 'proxmox_host_node_name': 'pve1',
        'proxmox_host_domain': 'example.org', 'proxmox_host_cluster_network': 'cluster',
        'strata_networks': {'cluster': {'cidr': '10.20.0.0/24'}}, 'strata_interfaces': {'cluster': {'device': 'eno1', 'address': '10.20.0.11'}},
        'proxmox_host_mirror_url': 'http://mirror.example.org/proxmox/debian/pve', 'proxmox_host_keyring_src': str(keyring),
        'proxmox_host_root_password': 'Root-Pass-77ab', 'proxmox_host_api_host': '127.0.0.1', 'proxmox_host_api_port': sim.port,
        'proxmox_host_api_ca_path': sim.ca_path, 'proxmox_host_api_token_file': str(tmp_path / 'secrets/pve-token'),
    }
    rc, out, recap = run_role(tmp_path, extra, '--check', '--diff')
    assert rc == 0, out[-4000:]
    assert '+10.20.0.11 pve1.example.org pve1' in out and '-127.0.1.1\tpve1.example.org pve1' in out, out[-4000:]
    assert (root / 'etc/hosts').read_text().startswith('127.0.0.1\tlocalhost\n127.0.1.1') and 'automation@pve' not in sim.cluster.users

    rc, out, recap = run_role(tmp_path, extra, '-v')
    assert rc == 0 and 'failed=0' in recap, out[-4000:]
    hosts = (root / 'etc/hosts').read_text()
    assert '127.0.1.1' not in hosts and '10.20.0.11 pve1.example.org pve1\n' in hosts and '::1\tlocalhost' in hosts
    sources = (root / 'etc/apt/sources.list.d/proxmox.sources').read_text()
    for line in ('URIs: http://mirror.example.org/proxmox/debian/pve', 'Suites: bookworm', 'Components: pve-no-subscription',
                 'Signed-By: /usr/share/keyrings/proxmox-archive-keyring.gpg'):
        assert line in sources, sources
    assert not (root / 'etc/apt/sources.list.d/pve-enterprise.list').exists()
    assert (root / 'usr/share/keyrings/proxmox-archive-keyring.gpg').read_bytes() == b'release key'
    token = sim.cluster.users['automation@pve']['tokens']['ansible']
    secret_file = tmp_path / 'secrets/pve-token'
    assert secret_file.read_text().strip() == token['secret'] and stat.S_IMODE(os.stat(secret_file).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(tmp_path / 'secrets').st_mode) == 0o700
    assert {'path': '/', 'type': 'token', 'ugid': 'automation@pve!ansible', 'roleid': 'PVEAdmin', 'propagate': 1} in sim.cluster.acl
    assert token['secret'] not in out and 'Root-Pass-77ab' not in out

    rc, out, recap = run_role(tmp_path, dict(extra, proxmox_host_repository='enterprise', proxmox_host_mirror_url=''), '--check', '--diff')
    assert rc == 0 and '+URIs: https://enterprise.proxmox.com/debian/pve' in out and '+Components: pve-enterprise' in out, out[-3000:]
    rc, out, recap = run_role(tmp_path, extra)
    assert rc == 0 and 'changed=0' in recap and 'failed=0' in recap, out[-3000:]

# -*- coding: utf-8 -*-
# Copyright: strata.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import json
import os

import pytest

from ansible_collections.strata.cloud.plugins.module_utils.libvirt import seed as sd
from ansible_collections.strata.cloud.plugins.module_utils.libvirt.errors import SeedError


def ci(**over):
    result = {'hostname': 'node1', 'instance_id': 'node1', 'user': 'debian', 'ssh_authorized_keys': ['ssh-ed25519 AAA k'],
              'password': None, 'packages': [], 'network_config': None, 'user_data': None}
    result.update(over)
    return result


def parse_user_data(files):
    text = files['user-data']
    assert text.startswith('#cloud-config\n')
    return json.loads(text[len('#cloud-config\n'):])


def test_minimal_seed():
    files = sd.seed_files(ci())
    assert sorted(files) == ['meta-data', 'user-data']
    assert json.loads(files['meta-data']) == {'instance-id': 'node1', 'local-hostname': 'node1'}
    data = parse_user_data(files)
    assert data['hostname'] == 'node1'
    assert data['ssh_pwauth'] is False
    user = data['users'][0]
    assert user['name'] == 'debian'
    assert user['lock_passwd'] is True
    assert user['ssh_authorized_keys'] == ['ssh-ed25519 AAA k']
    assert 'plain_text_passwd' not in user
    assert 'packages' not in data


def test_password_packages_and_network_config():
    files = sd.seed_files(ci(password='s3cret', packages=['htop'],
                             network_config={'ethernets': {'eth0': {'dhcp4': True}}}))
    data = parse_user_data(files)
    assert data['users'][0]['plain_text_passwd'] == 's3cret'
    assert data['users'][0]['lock_passwd'] is False
    assert data['ssh_pwauth'] is True
    assert data['packages'] == ['htop']
    assert json.loads(files['network-config']) == {'version': 2, 'ethernets': {'eth0': {'dhcp4': True}}}


def test_network_config_keeps_an_explicit_version():
    files = sd.seed_files(ci(network_config={'network': {'version': 2}}))
    assert json.loads(files['network-config']) == {'network': {'version': 2}}


def test_user_data_merges_recursively():
    files = sd.seed_files(ci(user_data={'ssh_pwauth': True, 'users': [{'name': 'ops'}],
                                        'write_files': [{'path': '/etc/x', 'content': 'y'}]}))
    data = parse_user_data(files)
    assert data['ssh_pwauth'] is True
    assert data['users'] == [{'name': 'ops'}]          # lists replace
    assert data['write_files'][0]['path'] == '/etc/x'
    assert sd.deep_merge({'a': {'b': 1, 'c': 2}}, {'a': {'c': 3}}) == {'a': {'b': 1, 'c': 3}}


def test_hash_is_stable_and_content_sensitive():
    one = sd.seed_hash(sd.seed_files(ci()))
    assert one == sd.seed_hash(sd.seed_files(ci()))
    assert one != sd.seed_hash(sd.seed_files(ci(packages=['htop'])))
    assert one != sd.seed_hash(sd.seed_files(ci(instance_id='node1-2')))
    assert len(one) == 64


def test_find_iso_tool_order_and_error():
    available = {'genisoimage': '/usr/bin/genisoimage', 'mkisofs': '/usr/bin/mkisofs'}
    assert sd.find_iso_tool(available.get) == ('genisoimage', '/usr/bin/genisoimage')
    assert sd.find_iso_tool({'cloud-localds': '/usr/bin/cloud-localds', 'xorrisofs': '/x'}.get)[0] == 'cloud-localds'
    with pytest.raises(SeedError, match='none of cloud-localds, genisoimage, xorrisofs, mkisofs is installed'):
        sd.find_iso_tool({}.get)


def test_iso_commands():
    files = {'meta-data': '', 'user-data': '', 'network-config': ''}
    argv = sd.iso_command('genisoimage', '/usr/bin/genisoimage', '/t/seed.iso', '/t', files)
    assert argv[:8] == ['/usr/bin/genisoimage', '-quiet', '-o', '/t/seed.iso', '-V', 'cidata', '-J', '-r']
    assert argv[8:] == ['/t/meta-data', '/t/network-config', '/t/user-data']
    argv = sd.iso_command('xorrisofs', '/usr/bin/xorrisofs', '/t/seed.iso', '/t', files)
    assert '-quiet' not in argv and argv[argv.index('-V') + 1] == 'cidata'
    argv = sd.iso_command('cloud-localds', '/usr/bin/cloud-localds', '/t/seed.iso', '/t', files)
    assert argv == ['/usr/bin/cloud-localds', '--network-config=/t/network-config', '/t/seed.iso', '/t/user-data',
                    '/t/meta-data']


def test_build_iso_runs_the_tool_and_reads_its_output():
    seen = {}

    def run(argv):
        seen['argv'] = argv
        seen['files'] = sorted(os.listdir(os.path.dirname(argv[3])))
        with open(argv[3], 'wb') as handle:
            handle.write(b'ISO')
        return 0, '', ''

    data = sd.build_iso(sd.seed_files(ci()), run, {'genisoimage': '/usr/bin/genisoimage'}.get)
    assert data == b'ISO'
    assert seen['files'] == ['meta-data', 'user-data']
    assert not os.path.exists(os.path.dirname(seen['argv'][3]))      # temporary directory removed


def test_build_iso_failure_is_reported():
    with pytest.raises(SeedError, match=r'building the cloud-init seed with genisoimage failed \(rc=1\): boom'):
        sd.build_iso(sd.seed_files(ci()), lambda argv: (1, '', 'boom\n'), {'genisoimage': '/g'}.get)

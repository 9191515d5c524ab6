# -*- coding: utf-8 -*-
# Copyright: strata.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""main() of disk_facts: documentation, check mode, errors turned into fail_json."""

from __future__ import annotations

import json

import pytest
import yaml

from ansible.module_utils.testing import patch_module_args

from ansible_collections.strata.cloud.plugins.modules import disk_facts
from ansible_collections.strata.cloud.tests.unit.plugins.module_utils.storage.fake_host import FakeDevice, FakeHost


def run_module(args, capsys, monkeypatch, host):
    monkeypatch.setattr(disk_facts, 'HostProbe', lambda run_command, get_bin_path: host)
    with patch_module_args(args):
        with pytest.raises(SystemExit):
            disk_facts.main()
    return json.loads(capsys.readouterr().out)


def test_documentation_matches_the_argument_spec():
    options = yaml.safe_load(disk_facts.DOCUMENTATION)['options']
    spec = disk_facts.argument_spec()
    assert sorted(options) == sorted(spec)
    for name, arg in spec.items():
        assert options[name]['type'] == arg['type'] and options[name].get('elements') == arg.get('elements')
        assert bool(options[name].get('required')) == bool(arg.get('required'))


def test_returned_fields_are_documented(capsys, monkeypatch):
    host = FakeHost([FakeDevice('/dev/vdb')])
    result = run_module({'devices': ['/dev/vdb']}, capsys, monkeypatch, host)
    documented = yaml.safe_load(disk_facts.RETURN)['disks']['contains']
    assert sorted(result['disks'][0]) == sorted(documented)


@pytest.mark.parametrize('check_mode', [False, True])
def test_reports_unchanged_in_both_modes(capsys, monkeypatch, check_mode):
    host = FakeHost([FakeDevice('/dev/vdb'), FakeDevice('/dev/vdc', blkid={'TYPE': 'ext4'})])
    result = run_module({'devices': ['/dev/vdc', '/dev/vdb'], '_ansible_check_mode': check_mode}, capsys, monkeypatch, host)
    assert result['changed'] is False
    assert [(d['path'], d['blank']) for d in result['disks']] == [('/dev/vdc', False), ('/dev/vdb', True)]


def test_command_error_fails_with_details(capsys, monkeypatch):
    host = FakeHost([FakeDevice('/dev/vdb')], fail={'lsblk': (32, '', 'lsblk: /dev/vdb: not a block device')})
    result = run_module({'devices': ['/dev/vdb']}, capsys, monkeypatch, host)
    assert result['failed'] and 'lsblk' in result['msg'] and result['rc'] == 32


def test_devices_is_required(capsys, monkeypatch):
    result = run_module({}, capsys, monkeypatch, FakeHost())
    assert result['failed'] and 'devices' in result['msg']

"""Bad input to strata.cloud.nfs_server fails before anything changes, with a message naming the field."""

from __future__ import annotations

import pytest

from test_bad_input import ROLE_PLAY, assert_failed_unchanged, run

PLAY = ROLE_PLAY.format(role='nfs_server')
NETWORKS = {'storage': {'cidr': '10.92.0.0/24'}, 'api': {'cidr': '10.90.0.0/24'}}


def export(**extra):
    return dict({'path': '/srv/nfs/share', 'clients': ['storage']}, **extra)


CASES = {
    'client network not defined': ({'nfs_server_exports': [export(clients=['backup'])]},
                                   ['nfs_server_exports[path=/srv/nfs/share].clients: "backup" is neither a network of strata_networks '
                                    '(defined: storage, api) nor an address or CIDR']),
    'client dict network not defined': ({'nfs_server_exports': [export(clients=[{'network': 'backup', 'options': ['ro']}])]},
                                        ['clients: network "backup" is not defined in strata_networks (defined: storage, api)']),
    'client with network and cidr': ({'nfs_server_exports': [export(clients=[{'network': 'storage', 'cidr': '10.0.0.0/8'}])]},
                                     ['needs exactly one of network or cidr']),
    'relative export path': ({'nfs_server_exports': [export(path='srv/share')]},
                             ['nfs_server_exports[path=srv/share].path: "srv/share" must be an absolute path other than /']),
    'root exported': ({'nfs_server_exports': [export(path='/')]}, ['nfs_server_exports[path=/].path: "/" must be an absolute path other than /']),
    'path exported twice': ({'nfs_server_exports': [export(), export(clients=['api'])]},
                            ['nfs_server_exports: path /srv/nfs/share is exported twice']),
    'no clients': ({'nfs_server_exports': [export(clients=[])]}, ['nfs_server_exports[path=/srv/nfs/share].clients: empty']),
    'options joined in one string': ({'nfs_server_exports': [export(options=['rw,sync'])]},
                                     ['nfs_server_exports[path=/srv/nfs/share].options: "rw,sync" is not a valid export option']),
    'mode not octal': ({'nfs_server_exports': [export(mode='rwxr-xr-x')]}, ['.mode: "rwxr-xr-x" is not an octal mode']),
    'volume size malformed': ({'nfs_server_exports': [export(volume={'vg': 'data', 'size': 'big'})]},
                              ['nfs_server_exports[path=/srv/nfs/share].volume.size: "big" is not a size']),
    'export volume in a missing volume group': ({'nfs_server_exports': [export(volume={'vg': 'strata-no-such-vg', 'size': '1G'})],
                                                 'lvm_install_packages': False},
                                                ['lvm_volume_groups[name=strata-no-such-vg].disks is not set and volume group',
                                                 'strata-no-such-vg does not exist on localhost']),
    'export without path': ({'nfs_server_exports': [{'clients': ['storage']}]}, ['nfs_server_exports', 'path']),
}


@pytest.mark.parametrize('case', sorted(CASES))
def test_nfs_server_rejects(tmp_path, case):
    extra, expected = CASES[case]
    extra = dict({'strata_networks': NETWORKS, 'nfs_server_install_packages': False}, **extra)
    rc, out = run(tmp_path, PLAY, extra)
    assert_failed_unchanged(rc, out, expected)

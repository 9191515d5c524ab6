"""Checks of the NFS server and client of scenario nfs (the test talks to both VMs)."""

import os
import uuid

import pytest
import testinfra

SSH_CONFIG = os.path.expanduser('~/.cache/strata-cloud/lab/molecule-nfs/ssh_config')


@pytest.fixture(scope='module')
def server():
    return testinfra.get_host('ssh://nfs-server', ssh_config=SSH_CONFIG, sudo=True)


@pytest.fixture(scope='module')
def client():
    return testinfra.get_host('ssh://nfs-client', ssh_config=SSH_CONFIG, sudo=True)


def test_export_on_logical_volume(server):
    mount = server.mount_point('/srv/nfs/share')
    assert mount.exists and mount.device == '/dev/mapper/nfs-nfs--share' and mount.filesystem == 'ext4'
    exports = server.check_output('exportfs -s')
    assert '/srv/nfs/share' in exports and '10.92.0.0/24(' in exports
    assert 'root_squash' in exports
    assert server.file('/etc/exports.d/strata.exports').contains('^/srv/nfs/share 10.92.0.0/24(rw,sync,no_subtree_check,root_squash)$')


def test_client_mount_is_nfs4(client):
    mount = client.mount_point('/mnt/share')
    assert mount.exists and mount.filesystem == 'nfs4'
    assert mount.device == '10.92.0.10:/srv/nfs/share'
    assert 'vers=4.2' in mount.options


def test_client_writes_server_reads(server, client):
    name = 'from-client-%s' % uuid.uuid4().hex[:8]
    payload = uuid.uuid4().hex
    client.check_output('sh -c "echo %s > /mnt/share/%s && sync"' % (payload, name))
    written = server.file('/srv/nfs/share/' + name)
    assert written.exists and written.content_string.strip() == payload
    # root on the client is squashed to nobody (root_squash)
    assert written.user == 'nobody'
    server.check_output('sh -c "echo back > /srv/nfs/share/%s.reply"' % name)
    assert client.file('/mnt/share/%s.reply' % name).content_string == 'back\n'


def test_other_networks_are_not_exported_to(server):
    assert '0.0.0.0/0' not in server.check_output('exportfs -s')
    assert '*(' not in server.check_output('exportfs -s')

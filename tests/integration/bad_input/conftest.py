"""Fixtures shared by the bad-input suites."""

from __future__ import annotations

import os
import subprocess

import pytest


@pytest.fixture
def ext4_disk(tmp_path):
    """A loop device holding an ext4 file system (label strata-bad) and an empty mount point.

    Yields ``(device, mount_point)``; the device is unmounted and detached afterwards.
    """
    if os.geteuid() != 0:
        pytest.fail('the disk-safety cases need root (loop devices)')
    image = tmp_path / 'disk.img'
    with open(image, 'wb') as handle:
        handle.truncate(64 * 1024 * 1024)
    dev = subprocess.run(['losetup', '--find', '--show', str(image)], check=True, capture_output=True, text=True).stdout.strip()
    mnt = tmp_path / 'mnt'
    mnt.mkdir()
    try:
        subprocess.run(['mkfs.ext4', '-q', '-L', 'strata-bad', dev], check=True)
        yield dev, str(mnt)
    finally:
        subprocess.run(['umount', str(mnt)], check=False, capture_output=True)
        subprocess.run(['losetup', '-d', dev], check=True)


def fs_type(dev):
    """The file system type on ``dev`` as blkid reads it from the device itself."""
    return subprocess.run(['blkid', '-p', '-o', 'value', '-s', 'TYPE', dev], capture_output=True, text=True,
                          check=False).stdout.strip()

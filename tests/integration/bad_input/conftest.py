"""Fixtures shared by the bad-input suites."""

from __future__ import annotations

import os
import subprocess

import pytest


@pytest.fixture
def blank_disk(tmp_path):
    """A loop device over 64 MiB of zeros; detached afterwards."""
    if os.geteuid() != 0:
        pytest.fail('the disk cases need root (loop devices)')
    image = tmp_path / 'disk.img'
    with open(image, 'wb') as handle:
        handle.truncate(64 * 1024 * 1024)
    dev = subprocess.run(['losetup', '--find', '--show', str(image)], check=True, capture_output=True, text=True).stdout.strip()
    try:
        yield dev
    finally:
        subprocess.run(['losetup', '-d', dev], check=True)


@pytest.fixture
def ext4_disk(tmp_path, blank_disk):
    """A loop device holding an ext4 file system (label strata-bad) and an empty mount point.

    Yields ``(device, mount_point)``; the device is unmounted (and detached by blank_disk) afterwards.
    """
    mnt = tmp_path / 'mnt'
    mnt.mkdir()
    try:
        subprocess.run(['mkfs.ext4', '-q', '-L', 'strata-bad', blank_disk], check=True)
        yield blank_disk, str(mnt)
    finally:
        subprocess.run(['umount', str(mnt)], check=False, capture_output=True)


def fs_type(dev):
    """The file system type on ``dev`` as blkid reads it from the device itself."""
    return subprocess.run(['blkid', '-p', '-o', 'value', '-s', 'TYPE', dev], capture_output=True, text=True,
                          check=False).stdout.strip()

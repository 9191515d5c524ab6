# -*- coding: utf-8 -*-
# Copyright: strata.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Exceptions of the local storage layer (disks, LVM).

Everything below ``main()`` raises one of these; only a module's ``main()`` turns them into
``fail_json`` (``msg`` is ``str(error)``, ``error.details`` become extra result keys).
"""

from __future__ import annotations

from ansible_collections.strata.cloud.plugins.module_utils.errors import StrataError


class StorageError(StrataError):
    """Base class of every error raised by strata.cloud's local storage code."""


class StorageCommandError(StorageError):
    """A system command (lsblk, blkid, wipefs, pvs) failed."""

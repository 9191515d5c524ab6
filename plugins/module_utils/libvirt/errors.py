# -*- coding: utf-8 -*-
# Copyright: strata.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Exceptions of the libvirt layer.

Everything below ``main()`` raises one of these; only a module's ``main()`` turns them into
``fail_json`` (``msg`` is ``str(error)``, ``error.details`` become extra result keys).
"""

from __future__ import annotations

from ansible_collections.strata.cloud.plugins.module_utils.errors import StrataError


class LibvirtError(StrataError):
    """Base class of every error raised by strata.cloud's libvirt code."""


class LibvirtValidationError(LibvirtError):
    """The requested state is invalid. Raised before anything is changed."""


class LibvirtConnectionError(LibvirtError):
    """The connection to libvirtd could not be opened."""


class LibvirtOperationError(LibvirtError):
    """A libvirt API call failed (wraps ``libvirt.libvirtError``)."""


class LibvirtNotFoundError(LibvirtError):
    """An object that the request refers to (pool, base image, network) does not exist."""


class SeedError(LibvirtError):
    """The cloud-init NoCloud seed image could not be built."""


class WaitTimeoutError(LibvirtError):
    """A wait ran out of time while the condition could still become true."""


class WaitFailedError(LibvirtError):
    """A wait ended because the condition can no longer become true (the VM stopped)."""

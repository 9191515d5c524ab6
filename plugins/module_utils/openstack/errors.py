# -*- coding: utf-8 -*-
# Copyright: strata.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Exceptions of the OpenStack layout code; only a module's main() turns them into fail_json."""

from __future__ import annotations

from ansible_collections.strata.cloud.plugins.module_utils.errors import StrataError


class OpenStackError(StrataError):
    """Base class of the OpenStack errors (bad layout, unknown reference, API failure)."""


class LayoutError(OpenStackError):
    """The declared layout is inconsistent: a duplicate, a reference to nothing, a fixed field changed."""


class OpenStackApiError(OpenStackError):
    """An API call failed; ``what`` names the call, ``status`` is the HTTP status when there was one."""

    def __init__(self, what, exc):
        status = getattr(exc, 'status_code', None)
        detail = getattr(exc, 'details', None) or str(exc)
        super().__init__('%s: %s%s' % (what, '%s ' % status if status else '', detail), status=status)
        self.status = status

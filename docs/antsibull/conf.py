# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Sphinx configuration of the strata.cloud documentation site (``tools/gates docs-site``).

antsibull-docs renders the collection's plugin and role documentation to docs/rst/; Sphinx turns
that into HTML in docs/build/html/. Builds offline: no intersphinx inventories are fetched and
the theme is Sphinx's bundled one.
"""

from __future__ import annotations

project = 'strata.cloud'
copyright = 'strata.cloud contributors'  # pylint: disable=redefined-builtin

title = 'strata.cloud documentation'
html_short_title = 'strata.cloud'

extensions = ['sphinx.ext.autodoc', 'sphinx_antsibull_ext']

pygments_style = 'ansible'
highlight_language = 'YAML+Jinja'

html_theme = 'alabaster'
html_show_sphinx = False
html_use_smartypants = True
html_use_modindex = False
html_use_index = False
html_copy_source = False

# References to docs.ansible.com (ansible.builtin, other collections) stay plain text offline.
intersphinx_mapping = {}
suppress_warnings = ['ref.ref']

default_role = 'any'

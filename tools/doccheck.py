#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Check that Documentation/ parses and points at what exists.

The kernel builds its docs with Sphinx and scripts/kernel-doc; neither is
needed here. This parses every .rst with docutils, failing on any warning,
and stands in for the Sphinx pieces the docs use:

- ``.. kernel-doc:: FILE`` must name an existing file; ``:doc: TITLE``
  must match a ``DOC: TITLE`` block in it; ``:export:`` needs an
  EXPORT_SYMBOL in it.
- ``.. toctree::`` entries and ``:doc:`` roles must name existing documents.

Usage: tools/doccheck.py [ROOT]
"""

import os
import re
import sys

from docutils import nodes, utils
from docutils.core import publish_doctree
from docutils.parsers.rst import Directive, directives, roles

ROOT = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else
                       os.path.join(os.path.dirname(__file__), '..'))
DOCDIR = os.path.join(ROOT, 'Documentation')
errors = []


class KernelDoc(Directive):
    required_arguments = 1
    option_spec = {
        'doc': directives.unchanged_required,
        'export': directives.flag,
        'internal': directives.flag,
        'identifiers': directives.unchanged,
    }

    def run(self):
        src = self.state.document.current_source
        path = os.path.join(ROOT, self.arguments[0])
        if not os.path.isfile(path):
            errors.append(f'{src}: kernel-doc: no file {self.arguments[0]}')
            return []
        with open(path, encoding='utf-8') as f:
            text = f.read()
        if 'doc' in self.options:
            title = self.options['doc'].strip()
            if not re.search(r'DOC:\s*' + re.escape(title) + r'\s*$', text,
                             re.M):
                errors.append(f'{src}: {self.arguments[0]} has no '
                              f'"DOC: {title}"')
        if 'export' in self.options and 'EXPORT_SYMBOL' not in text:
            errors.append(f'{src}: {self.arguments[0]} exports nothing')
        return []


def doc_exists(name):
    return os.path.isfile(os.path.join(DOCDIR, name + '.rst'))


class TocTree(Directive):
    has_content = True
    option_spec = {'maxdepth': directives.nonnegative_int}

    def run(self):
        for entry in self.content:
            entry = entry.strip()
            if entry and not doc_exists(entry):
                errors.append(f'{self.state.document.current_source}: '
                              f'toctree: no document {entry}')
        return []


def doc_role(name, rawtext, text, lineno, inliner, options=None,
             content=None):
    target = utils.unescape(text)
    if not doc_exists(target):
        errors.append(f'{inliner.document.current_source}:{lineno}: '
                      f':doc: no document {target}')
    return [nodes.literal(rawtext, target)], []


directives.register_directive('kernel-doc', KernelDoc)
directives.register_directive('toctree', TocTree)
roles.register_local_role('doc', doc_role)


def main():
    docs = sorted(f for f in os.listdir(DOCDIR) if f.endswith('.rst'))
    for doc in docs:
        path = os.path.join(DOCDIR, doc)
        with open(path, encoding='utf-8') as f:
            source = f.read()
        publish_doctree(source, source_path=path, settings_overrides={
            'report_level': 2, 'halt_level': 2, 'warning_stream': sys.stderr,
        })
    if 'index.rst' not in docs:
        errors.append('Documentation/index.rst is missing')
    for e in errors:
        print(e, file=sys.stderr)
    print(f'doccheck: {len(docs)} documents, {len(errors)} problems')
    return 1 if errors else 0


if __name__ == '__main__':
    try:
        sys.exit(main())
    except Exception as e:  # docutils raises SystemMessage at halt_level
        print(f'doccheck: {e}', file=sys.stderr)
        sys.exit(1)

# Sphinx configuration of the rods_lab docs site. `make docs` copies this file beside the sources that
# `rods_lab.docs.prepare_sources` writes (_build/docs) and builds with -W -n: any warning, a broken
# cross-reference or link included, fails the build.
import os, re, subprocess
import rods_lab

project = 'rods_lab'
author = 'rods_lab maintainers'
version = release = rods_lab.__version__

def _commit() -> str:
    if os.environ.get('GITHUB_SHA'): return os.environ['GITHUB_SHA'][:10]
    try:
        sha = subprocess.run(['git', 'rev-parse', '--short=10', 'HEAD'], capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(['git', 'status', '--porcelain', '--', 'nbs', 'rods_lab', 'figures'], capture_output=True, text=True).stdout.strip()
        return sha + ('+local changes' if dirty else '')
    except (OSError, subprocess.CalledProcessError): return 'unknown'

commit = _commit()
copyright = f'rods_lab maintainers · version {release} · commit {commit}'   # shown in every page's footer
html_title = f'rods_lab {release}'

extensions = ['myst_nb', 'sphinx.ext.autodoc', 'sphinx_copybutton']
myst_enable_extensions = ['colon_fence', 'attrs_inline']
nb_execution_mode = 'off'                 # the notebooks were executed by `make nbtest` (rods_lab.docs.execute_notebooks)
nb_output_stderr = 'show'
nb_merge_streams = True
exclude_patterns = ['_build', 'figures/**/README.md', 'figures/**/*.md', '**.ipynb_checkpoints']
suppress_warnings = ['myst.header']       # notebooks use '###' under a '#' title by design

autodoc_member_order = 'bysource'
autodoc_typehints = 'signature'
autodoc_preserve_defaults = True
nitpicky = True                           # every rods_lab reference must resolve ...
nitpick_ignore_regex = [(r'py:.*', r'^(?!rods_lab\.).*'),   # ... names from torch, the standard library etc. stay plain text,
                        (r'py:.*', r'.*\._\w+$')]            # and so do private bases and annotations

html_theme = 'furo'
html_static_path = ['_static']
html_favicon = '_static/favicon.svg'   # written by prepare_sources (a browser asks for one)
html_show_sourcelink = False              # each page links its notebook instead
html_last_updated_fmt = None

from rods_lab.docs import symbol_index
_INDEX = symbol_index()                   # exported name -> qualified name: `Name` in a docstring links to its entry

def _literal(name: str) -> str:
    return f':py:obj:`{name} <{_INDEX[name]}>`' if name in _INDEX else f'``{name}``'

_TICKS = re.compile(r'(\w?)(?<!`)`([^`\n]+)`(?!`)(\w?)')

def _rst(text: str) -> str:
    "Markdown-ish docstring text as reST: `code` becomes a literal (escaped where a word touches it), stars are literal."
    if '``' in text: return text
    esc = '\\ '
    text = _TICKS.sub(lambda m: m[1] + (esc if m[1] else '') + _literal(m[2]) + (esc if m[3] else '') + m[3], text)
    return ''.join(p if i % 2 else p.replace('*', r'\*').replace('|', r'\|') for i, p in enumerate(re.split(r'(``.+?``|:py:obj:`.+?`)', text)))

def docments_fields(app, what, name, obj, options, lines):
    "Docstrings are markdown-ish one-liners: code in `single ticks` becomes a literal; docments become parameter fields."
    if what in ('data', 'attribute') and getattr(obj, '__doc__', None) == getattr(type(obj), '__doc__', 0):
        lines[:] = []                                   # a dict or list constant: not its type's docstring
        return
    lines[:] = [_rst(l) for l in lines]
    if what not in ('function', 'method', 'class'): return
    try:
        from fastcore.docments import docments
        d = docments(obj, full=True)
    except Exception: return
    fields = []
    for k, v in d.items():
        doc = (v.get('docment') or '').strip() if isinstance(v, dict) else ''
        if not doc: continue
        doc = _rst(doc)
        fields.append(f':returns: {doc}' if k == 'return' else f':param {k}: {doc}')
    if fields: lines += [''] + fields

def plotly_where_needed(app, pagename, templatename, context, doctree):
    "Load the local plotly bundle on the pages that hold a figure, and nowhere else."
    if 'plotly-graph-div' in context.get('body', ''): app.add_js_file('plotly.min.js')

def setup(app):
    app.connect('autodoc-process-docstring', docments_fields)
    app.connect('html-page-context', plotly_where_needed)

"""The door to Whoosh's internals: segment writing, posting formats, column reads, scoring.

The rest of the package uses Whoosh's public API and these modules.
"""

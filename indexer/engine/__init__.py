"""The door to Whoosh's internals: segment writing, posting formats, column reads, scoring."""

"""The resident query process: a client that imports nothing heavy, the process that
answers over a Unix socket, and how one is found, started and stopped.

See docs/resident-process.md. `client` and `protocol` use the standard library only:
they run before click or Whoosh would be imported.
"""

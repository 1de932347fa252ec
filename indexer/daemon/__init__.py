"""The resident query process: a client that imports nothing heavy, the process that
answers over a Unix socket, and how one is found, started and stopped.

See docs/resident-process.md. `client` and `protocol` use the standard library only:
they run before click or Whoosh would be imported.
"""


def current_request():
    """The request this thread serves inside a resident process (`serving.current_request`),
    None in a plain process: without loading the serving code, which only the resident
    process has loaded (a one-shot search spared ~3 ms of imports)."""
    import sys

    serving = sys.modules.get("indexer.daemon.serving")
    return None if serving is None else serving.current_request()

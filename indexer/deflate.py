"""One deflate for everything the index writes compressed: ISA-L's (`isal`) where it is
installed, zlib's otherwise. Both make ordinary zlib streams, which `zlib.decompress`
reads back; ISA-L's makes them about twice as fast (docs/note-formats.md)."""

from __future__ import annotations

import functools
import zlib
from collections.abc import Callable


def deflate(data: bytes, level: int) -> bytes:
    """`data` as a zlib stream: ISA-L's deflate where `isal` is installed, else zlib's."""
    return compressor()(data, level)


@functools.cache
def compressor() -> Callable[[bytes, int], bytes]:
    """The compress function `deflate` calls, for loops that call it per block."""
    try:
        from isal import isal_zlib
    except ImportError:
        return zlib.compress
    return isal_zlib.compress

"""One deflate for everything the index writes compressed: ISA-L's (`isal`) where it is
installed, zlib's otherwise. Both make ordinary zlib streams, which `zlib.decompress`
reads back; ISA-L's makes them about twice as fast (docs/note-formats.md). And one
inflate for what a search reads (`engine.posting_blocks`): ISA-L's where installed, the
same bytes as zlib's in about 0.6 of the time (a 500-byte posting block)."""

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


@functools.cache
def _decompressor() -> Callable[[bytes], bytes]:
    try:
        from isal import isal_zlib
    except ImportError:
        return zlib.decompress
    return isal_zlib.decompress


def inflate(data: bytes) -> bytes:
    """A zlib stream's bytes, as `zlib.decompress` gives them: by ISA-L where installed."""
    return _decompressor()(data)

"""A query that is one pasted link also searches the link field, as `link:` does.

A user who pastes `https://therecord.media/some-story` expects the note saved from that
page; its words alone (`https`, `therecord.media`, `some`, `story`) are rarely in a
note's text. Only a query that is a single link changes: a URL with a scheme
(`https://…`), a host starting `www.`, or a host with a path (`therecord.media/story`).
A bare host (`therecord.media`, also a file name's shape: `notes.toml`) stays words.
"""

from __future__ import annotations

import re
from functools import cache
from urllib.parse import urlsplit

_LABEL = r"[^\W_](?:[\w\-]*[^\W_])?"
# Query parameters that name where the link was shared, not the page.
_TRACKING = ("utm_", "fbclid", "gclid", "mc_cid", "mc_eid")


@cache
def _expressions() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    """A scheme (`https://`); a link without one: `therecord.media/…`, `www.zdnet.com` (a
    host of two labels or more, a top-level domain of letters, an optional port, then a
    path, or `www.` in front); the characters that make the text a query of another kind
    (a phrase, a group, a field). Compiled when a query may be a link: 4.9 M instructions
    of every search when they were compiled at import."""
    return (
        re.compile(r"[a-z][a-z0-9+.\-]*://", re.IGNORECASE),
        re.compile(
            rf"(?:www\.{_LABEL}(?:\.{_LABEL})*(?::\d+)?(?:[/?#]|$)"
            rf"|{_LABEL}(?:\.{_LABEL})*\.[^\W\d_]{{2,}}(?::\d+)?/)",
            re.IGNORECASE,
        ),
        re.compile(r"[\s\"()\[\]{}<>^]"),
    )


def pasted_link(text: str) -> str | None:
    """What identifies the page if `text` is one link: host (without `www.`), path and
    query, without scheme, fragment and tracking parameters; else None.

    `https://www.zdnet.com/a/b/?utm_source=x#top` -> `zdnet.com/a/b/`, so a note saved
    from `http://zdnet.com/a/b/` is found too.
    """
    token = text.strip()
    # A link has a `/` (after its scheme, or before its path) or starts with `www.`: most
    # queries are ruled out here, and the expressions are compiled only for the others.
    if "/" not in token and token[:4].lower() != "www.":
        return None
    scheme, bare_link, not_in_a_link = _expressions()
    if not_in_a_link.search(token):
        return None
    with_scheme = scheme.match(token) is not None
    if not with_scheme and not bare_link.match(token):
        return None
    try:
        parts = urlsplit(token if with_scheme else "//" + token)
    except ValueError:  # e.g. an unclosed `[` of an IPv6 host
        return None
    host = parts.netloc.rsplit("@", 1)[-1].lower().removeprefix("www.")
    query = "&".join(
        pair for pair in parts.query.split("&") if pair and not pair.lower().startswith(_TRACKING)
    )
    link = host + parts.path + (f"?{query}" if query else "")
    return link if any(char.isalnum() for char in link) else None

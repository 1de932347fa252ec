"""Where in Whoosh's query parsing an exception was raised: a user's bad query, or a bug.

The parser's own frames are told apart by module and function name, among them a
private method of Whoosh's `DATETIME` field (`_parse_datestring`): knowledge of
Whoosh's internals, so it lives in this package.
"""

from __future__ import annotations

# Whoosh's parser turns most bad syntax into error nodes, but its date parsing raises
# whatever it trips over (ValueError, TimeError, even AttributeError) on a date it cannot
# read, and a few inputs trip its own filters (`< ransomware`: IndexError in the `<`
# plugin). Only exceptions raised inside that parsing are the user's bad query; any
# other exception is a bug of ours, for the top-level handler.
_DATE_PARSING_MODULES = frozenset({"whoosh.qparser.dateparse", "whoosh.util.times"})
_DATE_FIELD_METHODS = frozenset({"_parse_datestring", "parse_query", "parse_range"})


def whoosh_parsing_stage(exc: BaseException) -> str | None:
    """ "date" if `exc` was raised parsing a date, "syntax" if elsewhere in Whoosh's query
    parser, None if not raised inside Whoosh's query parsing at all."""
    stage = None
    tb = exc.__traceback__
    while tb is not None:
        frame = tb.tb_frame
        module = frame.f_globals.get("__name__", "")
        if module in _DATE_PARSING_MODULES or (
            module == "whoosh.fields" and frame.f_code.co_name in _DATE_FIELD_METHODS
        ):
            return "date"
        if module.startswith("whoosh.qparser"):
            stage = "syntax"
        tb = tb.tb_next
    return stage

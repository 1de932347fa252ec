"""Notes added to Whoosh's segment writer a field's postings at a time, not one by one.

Whoosh's `SegmentWriter.add_document` asks each field for its postings through two
generators (the field's `index`, the format's `word_values`), then passes each posting
to its pool with a call of its own: five Python steps for each of the ~750,000 postings
a build process makes. For the text fields analyzed by our `WordAnalyzer` into
`CappedPositions` (title, subtitle, body, names, paths), the grouped pool takes a
field's words and positions in one call (`GroupedPostingPool.add_word_positions`);
every other field, and anything unusual (a boost, spelling or vector fields), goes
Whoosh's way. The stored fields, lengths and columns are Whoosh's own calls, in
Whoosh's order, and the segment files come out byte for byte the same
(tests/test_posting_pool.py): about 15% less time adding notes.

Used by `writer.NoteSegmentWriter`; relies on the pinned whoosh3's `SegmentWriter`
(`perdocwriter`, `docnum`, `_added`, `_check_state`, `_check_fields`, `_doc_boost`,
`_field_boost`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from indexer.engine.postings import CappedPositions

if TYPE_CHECKING:
    from whoosh.writing import SegmentWriter


def add_note_document(
    writer: SegmentWriter, whooshs_add: Callable[..., None], fields: dict[str, object]
) -> None:
    """Whoosh's `SegmentWriter.add_document` for `writer` (a `NoteSegmentWriter`), with the
    grouped pool's field-wide add; `whooshs_add(**fields)` is Whoosh's own, for the rest."""
    writer._check_state()
    schema = writer.schema
    fieldnames = sorted(name for name in fields if not name.startswith("_"))
    writer._check_fields(schema, fieldnames)
    if any(schema[name].separate_spelling() or schema[name].vector for name in fieldnames):
        whooshs_add(**fields)  # not in our schema: Whoosh's way
        return
    perdocwriter = writer.perdocwriter
    docnum = writer.docnum
    pool = writer.pool
    docboost = writer._doc_boost(fields)

    perdocwriter.start_doc(docnum)
    try:
        for fieldname in fieldnames:
            value = fields.get(fieldname)
            if value is None:
                continue
            field = schema[fieldname]
            length = 0
            if field.indexed:
                fieldboost = writer._field_boost(fields, fieldname, docboost)
                word_positions = getattr(field.analyzer, "word_positions", None)
                if (
                    type(field.format) is CappedPositions
                    and word_positions is not None
                    and type(value) is str
                    and fieldboost == 1.0
                ):
                    fmt = field.format
                    words = pool.add_word_positions(
                        fieldname, docnum, word_positions(value), fmt.field_boost, fmt.encode
                    )
                    length = words if field.scorable else 0
                else:
                    scorable = field.scorable
                    for word, freq, weight, encoded in field.index(value):
                        if scorable:
                            length += freq
                        pool.add((fieldname, word, docnum, weight * fieldboost, encoded))
            stored_value = fields.get(f"_stored_{fieldname}", value)
            perdocwriter.add_field(fieldname, field, stored_value if field.stored else None, length)
            column = field.column_type
            if column and stored_value is not None:
                perdocwriter.add_column_value(fieldname, column, field.to_column_value(stored_value))
    except ValueError:
        perdocwriter.cancel_doc()
        raise
    perdocwriter.finish_doc()
    writer._added = True
    writer.docnum += 1

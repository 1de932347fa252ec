"""`matched_fields` finds a query's words in a hit's stored names, tags, link and path
as the index analyzed them."""

from __future__ import annotations

from indexer.index.schema import NAME_ANALYZER, PATH_ANALYZER, TEXT_ANALYZER
from indexer.search.matched_fields import QueryTerms, matched_fields


def _matched(terms: dict[str, str]) -> tuple[str, ...]:
    analyzers = {"tag_words": TEXT_ANALYZER, "author": NAME_ANALYZER, "source": NAME_ANALYZER}
    by_field = {
        field: frozenset({analyzers.get(field, PATH_ANALYZER).normalize(word)})
        for field, word in terms.items()
    }
    return matched_fields(
        QueryTerms(by_field),
        title_matched=False,
        subtitle_matched=False,
        body_matched=False,
        tags=("Data breaches", "Ransomware attacks"),
        author="Catalin Cimpanu",
        source="ZDNet Security",
        note_date=None,
        link="https://example.com/1000-arrests",
        path="zdnet/gateway-notes.md",
        structured=(),
    )


def test_a_word_of_a_tag_name_link_or_path_matches_it():
    found = _matched(
        {
            "tag_words": "attack",
            "author": "CIMPANU",
            "source": "security",
            "link": "arrests",
            "path": "gateway",
        }
    )
    assert found == ("tags", "author", "source", "link", "path")


def test_a_word_they_do_not_hold_matches_none():
    found = _matched(
        {"tag_words": "gateway", "author": "zdnet", "source": "cimpanu", "link": "notes", "path": "1000"}
    )
    assert found == ()

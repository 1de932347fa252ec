from indexer.index.schema import TEXT_ANALYZER
from indexer.search.results import TermMatcher, best_passages

BODY = """![Image](https://example.org/a.jpg)

The first paragraph says nothing of interest.

## How they got in

The attacker reached a misconfigured GPRS gateway, then moved laterally.

A later paragraph mentions the gateways again, and the hacked servers."""


def matcher(*stems):
    return TermMatcher(TEXT_ANALYZER, stems)


def test_the_passage_with_most_distinct_terms_wins_with_its_line_and_heading():
    (passage,) = best_passages(BODY, 20, matcher("gpr", "gatewai"))
    assert passage.text == "The attacker reached a misconfigured GPRS gateway, then moved laterally."
    assert passage.line == 26
    assert passage.heading == "How they got in"
    assert [passage.text[a:b] for a, b in passage.spans] == ["GPRS", "gateway"]


def test_highlights_the_word_as_written_not_its_stem():
    (passage,) = best_passages(BODY, 1, matcher("hack"))
    assert [passage.text[a:b] for a, b in passage.spans] == ["hacked"]


def test_several_passages_come_in_note_order():
    passages = best_passages(BODY, 1, matcher("gatewai"), count=2)
    assert [p.line for p in passages] == [7, 9]


def test_without_a_match_the_opening_text_stands_in():
    (passage,) = best_passages(BODY, 1, matcher("ransomwar"))
    assert passage.text == "The first paragraph says nothing of interest."
    assert passage.spans == ()


def test_long_lines_are_cut_around_the_match_at_sentence_boundaries():
    body = (
        " ".join(f"Sentence number {n} is filler." for n in range(40))
        + " The GPRS gateway is here. "
        + (" ".join(f"More filler {n}." for n in range(40)))
    )
    (passage,) = best_passages(body, 1, matcher("gpr"), context=120)
    assert passage.text.startswith("The GPRS gateway is here.")
    assert len(passage.text) <= 121
    assert passage.text[slice(*passage.spans[0])] == "GPRS"


def test_cut_inside_a_sentence_is_marked_with_an_ellipsis():
    body = "word " * 100 + "GPRS " + "word " * 100
    (passage,) = best_passages(body, 1, matcher("gpr"), context=80)
    assert passage.text.startswith("…") and passage.text.endswith("…")
    assert passage.text[slice(*passage.spans[0])] == "GPRS"


def test_markdown_links_and_images_show_their_text_only():
    body = "See [the advisory](https://example.org/advisory) about the GPRS flaw."
    (passage,) = best_passages(body, 1, matcher("gpr"))
    assert passage.text == "See the advisory about the GPRS flaw."


def test_accented_words_match_their_folded_terms():
    assert matcher("cafe").spans("Working from a café today") == ((15, 19),)


def test_the_heading_path_starts_at_the_section_and_follows_heading_levels():
    body = (
        "Intro line.\n\n## Background\n\nOld GPRS text.\n\n### Details\n\nDeep GPRS text.\n\n"
        "## Response\n\nNew GPRS text."
    )
    passages = best_passages(body, 1, matcher("gpr"), count=3, section="Article")
    assert [p.heading for p in passages] == [
        "Article › Background",
        "Article › Background › Details",
        "Article › Response",
    ]
    (opening,) = best_passages(body, 1, matcher("zzz"), section="Article")
    assert opening.heading == "Article"


def test_information_list_notes_put_their_body_under_the_article_section():
    from indexer.notes.note import parse_note_text
    from tests.conftest import info_note

    note = parse_note_text(
        info_note("T", "Para one.\n\n#### Tool to test networks made available\n\nGPRS here."), "a.md"
    )
    assert note.section == "Article"
    (passage,) = best_passages(note.body, note.body_line, matcher("gpr"), section=note.section)
    assert passage.heading == "Article › Tool to test networks made available"


def test_passages_of_a_5_mb_line_are_looked_for_in_its_start_only():
    import time

    line = "word " * (1024 * 1024)
    started = time.process_time()  # CPU time: a busy machine does not fail it
    (passage,) = best_passages(line, 1, matcher("word"))
    assert time.process_time() - started < 1  # the whole line took about 2 s
    assert passage.text.startswith("word word") and len(passage.text) <= 230


def _spans_by_tokens(stems, text):
    return tuple(
        (token.startchar, token.endchar)
        for token in TEXT_ANALYZER(text, chars=True, mode="query")
        if token.text in stems
    )


def test_spans_are_those_of_the_matching_tokens_in_ascii_and_other_text():
    """Lines whose words are ASCII (curly quotes and dashes aside) are pre-filtered by
    substrings of the lowercased line, others by the case-blind regex over the folded
    line: both keep every line a term is in."""
    stems = {"gatewai", "cafe", "ransomwar", "hack", "1"}
    texts = [
        "GATEWAYS, gateway; Gateway's gatewayed",
        "The RansomWare hit the CAFE and the Café; hackers HACKED it",
        "Le café “ransomware” — gateway",
        "The “RansomWare” gang’s GATEWAY — hacked… at the cafe",
        "Kelvin \u212aelvin İstanbul ǅungla: the ransom’s gateways",
        "3.5.1 node.js 1 ransom ware",
        "nothing here at all",
        "",
    ]
    found = 0
    for text in texts:
        expected = _spans_by_tokens(stems, text)
        assert matcher(*stems).spans(text) == expected
        found += len(expected)
    assert found >= 16

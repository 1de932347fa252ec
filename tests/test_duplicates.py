import pytest

from indexer.index.near_copies import (
    MAX_DIFFERING,
    compare_texts,
    complete_groups,
    differing_share,
    find_copies,
    paragraph_signature,
)

STORY = """The operators of the ransomware gang published stolen files on their leak site on Monday.

Investigators said the intrusion began with a phishing email sent to a finance employee.

The company has not said whether it paid a ransom, and declined to comment further.

Short line.
"""

# A report template: the same headings and standard sentences every year.
TEMPLATE = """Annual security report

This report summarises the incidents our team handled during the year and what changed.

Incidents

Lessons learned

Every incident is reviewed by two people before it is closed, and the review is kept.
"""


def report(year: int, own: str) -> str:
    return TEMPLATE.replace("Incidents\n", f"Incidents\n\n{own}\n").replace("report\n", f"report {year}\n", 1)


def groups_of(texts: dict[str, str]) -> list[list[str]]:
    signatures = {path: paragraph_signature(text) for path, text in texts.items()}
    return find_copies(signatures, texts.get).groups


def test_signature_ignores_case_and_punctuation_and_counts_words():
    same = paragraph_signature(STORY.upper().replace(",", " ,").replace(".", "!"))
    assert paragraph_signature(STORY) == same
    assert len(paragraph_signature(STORY)) == 4  # every line with words, short ones too


def test_a_real_copy_with_small_edits_is_folded():
    edited = STORY.replace("Monday", "Tuesday").replace("declined to comment", "refused to comment")
    other = "A completely different note about a patch for a printer spooler bug in Windows."
    assert groups_of({"a.md": STORY, "a-edited.md": edited, "b.md": other}) == [["a-edited.md", "a.md"]]


def test_a_story_saved_three_times_is_one_group():
    # Its paragraphs are in three notes, which makes them boilerplate; the whole texts
    # are the same, so the three are still copies.
    texts = {"a.md": STORY, "a--ZDNet.md": STORY, "a-again.md": STORY.replace("Short line.", "Short.")}
    assert groups_of(texts) == [["a--ZDNet.md", "a-again.md", "a.md"]]


def test_template_twins_with_different_own_text_are_not_folded():
    first = report(2020, "A contractor's laptop was stolen from a car; its disk was encrypted.")
    second = report(2021, "A phishing campaign reached forty staff; two entered passwords.")
    verdict = compare_texts(first, second, frozenset())
    assert max(verdict.whole) > MAX_DIFFERING
    assert groups_of({"2020.md": first, "2021.md": second}) == []


def test_boilerplate_paragraphs_shared_by_three_notes_are_not_counted():
    # Three short notes with a long shared footer: on their whole text each differs from
    # the others by less than a fifth, but the footer (in three notes) is boilerplate and
    # their own sentences differ entirely.
    footer = (
        "Subscribe to our weekly newsletter to get the latest security news, research and "
        "analysis delivered to your inbox every Friday morning, free of charge, with no spam."
    )
    own = [
        "Printer driver bug fixed in the June update.",
        "Bank fined for a late breach report.",
        "Browser adds warnings for insecure forms.",
    ]
    texts = {f"n{i}.md": f"{sentence}\n\n{footer}\n\n{footer} Again." for i, sentence in enumerate(own)}
    whole = compare_texts(texts["n0.md"], texts["n1.md"], frozenset()).whole
    assert max(whole) <= MAX_DIFFERING  # the whole texts alone would fold them
    assert groups_of(texts) == []


def paragraphs(words: list[str]) -> str:
    """Ten-word paragraphs, one a line."""
    return "\n\n".join(" ".join(words[i : i + 10]) for i in range(0, len(words), 10))


def test_no_fold_when_the_differing_text_is_more_than_a_fifth_of_either():
    base = [f"word{i}" for i in range(100)]
    # 100 words, and a copy with 30 more words of its own: 30/130 of it differs (> 1/5).
    longer = base + [f"extra{i}" for i in range(30)]
    assert differing_share(longer, base) > MAX_DIFFERING
    assert groups_of({"a.md": paragraphs(base), "b.md": paragraphs(longer)}) == []
    # 20 more words: 20/120 of it differs (<= 1/5), folded.
    shorter = base + [f"extra{i}" for i in range(20)]
    assert groups_of({"a.md": paragraphs(base), "b.md": paragraphs(shorter)}) == [["a.md", "b.md"]]


def test_one_edited_word_costs_one_word_not_a_shingle():
    words = [f"w{i}" for i in range(50)]
    edited = list(words)
    edited[25] = "changed"
    assert differing_share(words, edited) == 1 / 50


def test_a_chain_of_copies_is_not_one_group_when_its_ends_differ_too_much():
    # a~b and b~c are copies, a and c are not: a fold shows one note of a group, so no
    # group may hold both a and c.
    pairs = [(0.15, "a.md", "b.md"), (0.10, "b.md", "c.md")]
    assert complete_groups(pairs) == [["b.md", "c.md"]]
    assert complete_groups([*pairs, (0.18, "a.md", "c.md")]) == [["a.md", "b.md", "c.md"]]


def test_a_note_that_cannot_be_read_again_is_folded_with_nothing():
    texts = {"a.md": STORY, "b.md": STORY}
    signatures = {path: paragraph_signature(text) for path, text in texts.items()}
    assert find_copies(signatures, lambda path: None).groups == []


def test_kept_verdicts_spare_reading_the_notes_again():
    texts = {"a.md": STORY, "b.md": STORY}
    signatures = {path: paragraph_signature(text) for path, text in texts.items()}
    first = find_copies(signatures, texts.get)
    assert first.compared == 1 and first.notes_read == 2

    def unreadable(path: str) -> str:
        raise AssertionError(f"{path} was read again")

    again = find_copies(signatures, unreadable, first.verdicts)
    assert again.groups == first.groups == [["a.md", "b.md"]]
    assert again.compared == 0


def test_boilerplate_in_many_notes_makes_no_groups_and_empty_signatures_none():
    footer = "Subscribe to our newsletter to get the latest security news every week."
    texts = {
        f"n{i}.md": f"{footer}\n\nUnique paragraph number {i} of this particular note." for i in range(60)
    }
    assert groups_of(texts) == []
    assert find_copies({"a.md": frozenset(), "b.md": frozenset()}, lambda path: "").groups == []


def test_short_notes_with_the_same_line_are_not_copies():
    texts = {"a.md": "ransomware gateway", "b.md": "ransomware gateway", "c.md": "See [[Project X]]"}
    texts["d.md"] = texts["c.md"]
    assert groups_of(texts) == []


@pytest.mark.parametrize("procs", [1, 2])
def test_a_build_compares_copies_on_the_texts_it_indexed_without_reading_them_again(
    tmp_path, monkeypatch, procs
):
    import indexer.index.parallel  # binds parse_note for indexing before the patch below
    import indexer.notes.note
    from indexer.index.duplicates import read_duplicate_groups
    from indexer.index.store import IndexOptions, build_index

    corpus = tmp_path / "notes"
    corpus.mkdir()
    (corpus / "a.md").write_text("# A\n\n" + STORY)
    (corpus / "a-again.md").write_text("# A again\n\n" + STORY.replace("Monday", "Tuesday"))
    for number in range(4):
        (corpus / f"other{number}.md").write_text(f"# Other {number}\n\nA different note, number {number}.\n")

    def read_again(*args, **kwargs):
        raise AssertionError("a note was read again to compare copies")

    # The near-copy comparison's reader looks parse_note up when it reads; indexing does not.
    monkeypatch.setattr(indexer.notes.note, "parse_note", read_again)
    report = build_index(corpus, tmp_path / "index", options=IndexOptions(procs=procs))
    assert report.notes == 6 and not report.skipped
    assert read_duplicate_groups(tmp_path / "index") == [["a-again.md", "a.md"]]

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from indexer.index.near_copies import (
    MAX_DIFFERING,
    SHINGLE_WORDS,
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


# The work of finding copies grows with the notes, whatever the groups (operation counts,
# not seconds): pairs compared word by word plus pairs counted paragraph by paragraph.
def story(number: int) -> list[str]:
    """Six twelve-word paragraphs of their own for story `number`."""
    return [" ".join(f"s{number}p{p}w{w}" for w in range(12)) for p in range(6)]


def finding_of(texts: dict[str, str]):
    signatures = {path: paragraph_signature(text) for path, text in texts.items()}
    finding = find_copies(signatures, texts.get)
    return finding, finding.compared + finding.pair_steps


def shuffled_copies(stories: int, copies: int) -> dict[str, str]:
    """`copies` copies of each story with their paragraphs in another order (what the
    scaled benchmark corpus writes)."""
    texts = {}
    for number in range(stories):
        lines = story(number)
        for copy in range(copies):
            turn = copy % len(lines)
            texts[f"s{number:03d}-x{copy:04d}.md"] = "\n\n".join(lines[turn:] + lines[:turn])
    return texts


def test_bigger_groups_of_copies_cost_no_more_work_per_note():
    small, small_work = finding_of(shuffled_copies(20, 5))
    large, large_work = finding_of(shuffled_copies(20, 10))
    assert len(large.groups) == 20 and all(len(group) == 10 for group in large.groups)
    assert len(small.groups) == 20 and all(len(group) == 5 for group in small.groups)
    # Twice the notes, in groups twice as big: pair by pair it was 45/10 = 4.5 times the work.
    assert large_work <= 2.6 * small_work


def test_one_giant_group_of_identical_notes_and_an_edited_copy_is_one_group():
    def giant(size: int) -> dict[str, str]:
        texts = shuffled_copies(10, 1)
        texts |= {f"giant/{copy:04d}.md": "\n\n".join(story(99)) for copy in range(size)}
        edited = story(99)
        edited[0] = edited[0].replace("s99p0w5", "changed")
        texts["giant/edited.md"] = "\n\n".join(edited)
        return texts

    finding, work = finding_of(giant(1000))
    assert finding.groups == [sorted(path for path in giant(1000) if path.startswith("giant/"))]
    assert finding.compared == 2  # two of the 1,000 with each other, one of them with the edited copy
    assert work <= 2.6 * finding_of(giant(500))[1]


def versions(count: int, *, template: bool) -> dict[str, str]:
    """`count` notes filled in from one template with two paragraphs of their own
    (`template`), or `count` versions of one story, each with one word edited."""
    texts = {}
    for number in range(count):
        lines = story(0)
        if template:
            lines += story(1000 + number)[:2]
        else:
            p, w = number % 6, number // 6 % 12
            lines[p] = lines[p].replace(f"s0p{p}w{w}", f"edit{number}")
        texts[f"v{number:04d}.md"] = "\n\n".join(lines)
    return texts


@pytest.mark.parametrize("template", [True, False])
def test_many_notes_from_one_template_or_story_cost_a_bounded_work_per_note(template):
    from indexer.index.near_copies import MAX_PARTNERS, MAX_UNITS_PER_PARAGRAPH

    # Per note: each paragraph counts at most MAX_UNITS_PER_PARAGRAPH - 1 pairs, and each
    # note is compared with at most MAX_PARTNERS others.
    bound = 8 * (MAX_UNITS_PER_PARAGRAPH - 1) + MAX_PARTNERS
    for count in (4, 9, 16, 17, 64, 400):
        finding, work = finding_of(versions(count, template=template))
        assert work <= bound * count, count
        assert finding.compared <= MAX_PARTNERS * count
        if template:  # their own text differs entirely: never folded
            assert finding.groups == []
    # Six versions of a story, each with a word edited in another paragraph, are one group;
    # nine versions are all compared with each other (8 partners each), as before the bound.
    assert finding_of(versions(6, template=False))[0].groups == [sorted(versions(6, template=False))]
    assert finding_of(versions(9, template=False))[0].compared == 9 * 8 // 2


def _differing_share_word_by_word(words, other):
    """What `differing_share` computes, a word at a time (the code it replaced)."""
    if not words:
        return 0.0
    size = min(SHINGLE_WORDS, len(words))
    if len(other) < size:
        return 1.0
    present = {tuple(other[i : i + size]) for i in range(len(other) - size + 1)}
    covered = reach = 0
    for start in range(len(words) - size + 1):
        if tuple(words[start : start + size]) in present:
            end = start + size
            covered += end - max(start, reach)
            reach = end
    return (len(words) - covered) / len(words)


@settings(deadline=None)  # examples: the profile's (tests/conftest.py)
@given(
    st.lists(st.sampled_from("abc"), max_size=40), st.lists(st.sampled_from("abc"), max_size=40)
)  # three words: many shared shingles, runs of them, overlapping and apart
def test_the_differing_share_is_the_share_of_words_no_shared_shingle_covers(words, other):
    assert differing_share(words, other) == _differing_share_word_by_word(words, other)


# Reading the saved groups: a checked file is used as written; anything else as before.
def saved_groups(tmp_path, groups, written=True) -> list[list[str]]:
    """`groups` read back from a file laid out as the build writes it (groups decoded
    alone) or (not `written`) in another layout (decoded whole)."""
    import json

    from indexer.index.duplicates import GROUPS_FILE, read_duplicate_groups

    data = {"version": 2, "max_differing": 0.2, "groups": groups, "verdicts": {"ab": [0.1, 0.0, 0.0, 0.1]}}
    text = json.dumps(data, separators=(",", ":")) if written else json.dumps(dict(reversed(data.items())))
    (tmp_path / GROUPS_FILE).write_text(text)
    return read_duplicate_groups(tmp_path)


@pytest.mark.parametrize(
    ("groups", "read"),
    [
        ([["b.md", "a.md"], ["c.md", "d.md", "e.md"]], [["b.md", "a.md"], ["c.md", "d.md", "e.md"]]),
        ([["a.md", 7], ["c.md", "d.md"]], [["a.md", "7"], ["c.md", "d.md"]]),  # a path not a string
        ([["a.md"], ["c.md", "d.md"]], [["c.md", "d.md"]]),  # a group of one
        ([["a.md", "b.md"], "c.md", {"d": 1}], [["a.md", "b.md"]]),  # a group not a list
        ([["a.md", "b.md"], "cd.md"], [["a.md", "b.md"]]),
        ([], []),
        ("a.md", []),
    ],
)
@pytest.mark.parametrize("written", [True, False])
def test_saved_groups_are_read_as_lists_of_two_paths_or_more(tmp_path, groups, read, written):
    assert saved_groups(tmp_path, groups, written) == read


def test_a_search_reads_the_groups_of_a_built_file_without_its_verdicts(tmp_path):
    from indexer.index.duplicates import GROUPS_FILE, read_duplicate_groups, write_duplicate_groups

    texts = {"a.md": STORY, "b.md": STORY.replace("Monday", "Friday"), "c.md": "Another note altogether."}
    signatures = {path: paragraph_signature(text) for path, text in texts.items()}
    write_duplicate_groups(tmp_path, signatures, texts.get)
    groups = read_duplicate_groups(tmp_path)
    assert groups == [["a.md", "b.md"]]
    # The verdicts are not decoded: a file damaged in them alone still gives its groups;
    # damaged before they end, or in another layout's groups, it gives none.
    text = (tmp_path / GROUPS_FILE).read_text()
    verdicts = text.index(',"verdicts":')
    (tmp_path / GROUPS_FILE).write_text(text[: verdicts + 14] + "not JSON")
    assert read_duplicate_groups(tmp_path) == groups
    for damaged in (
        text[: verdicts - 3],
        text[:verdicts] + "]" + text[verdicts:],
        text[:verdicts] + "}x",
        text.replace('"groups":', '"groups" :')[: verdicts + 14] + "x",
    ):
        (tmp_path / GROUPS_FILE).write_text(damaged)
        assert read_duplicate_groups(tmp_path) == []


def test_copies_read_from_a_checked_file_fold_and_list_the_others(tmp_path):
    from indexer.index.duplicates import Copies

    groups = saved_groups(tmp_path, [["b.md", "a.md"], ["c.md", "d.md", "e.md"], ["f.md", "c.md"]])
    paths = {0: "a.md", 1: "b.md", 2: "c.md", 3: "d.md", 4: "e.md", 5: "f.md", 6: "g.md"}
    copies = Copies(groups, paths.get)
    assert copies.foldable == 6 and copies and not Copies([], paths.get)
    assert copies.others("c.md") == ("f.md",) and copies.others("d.md") == ("c.md", "e.md")
    assert copies.others("g.md") == ()
    ranked = [(9.0, 0), (8.0, 6), (7.0, 1), (6.0, 3), (5.0, 2), (4.0, 4), (3.0, 5)]
    assert copies.fold(ranked) == [(9.0, 0), (8.0, 6), (6.0, 3), (5.0, 2)]
    assert copies.among(docnum for _, docnum in ranked) == 3


# The lookup a groups file carries: each path's group found without decoding the others.
_PATHS = st.text(
    alphabet=st.sampled_from(["a", "b", "é", '"', "\\", ",", "[", "]", "/", " ", "\udcff", "\n", "{", "ü"]),
    min_size=1,
    max_size=6,
)


def _as_dictionary(groups: list[list[str]]) -> dict[str, list[str]]:
    return {path: group for group in groups for path in group}


@given(
    groups=st.lists(st.lists(_PATHS, min_size=2, max_size=5), max_size=12), asked=st.lists(_PATHS, max_size=8)
)
@settings(deadline=None)
def test_a_groups_files_lookup_finds_each_paths_group_as_a_dictionary_of_them_does(groups, asked):
    import json

    from indexer.index.duplicates import GroupLookup, groups_file_text

    verdicts = {"a\u0000b": [0.1, 0.0, 0.0, 0.1]}
    text = groups_file_text(groups, verdicts, MAX_DIFFERING)
    decoded = json.loads(text)
    assert decoded.pop("lookup")
    assert decoded == {"version": 2, "max_differing": MAX_DIFFERING, "groups": groups, "verdicts": verdicts}
    lookup = GroupLookup.read(text.encode("utf-8"))
    expected = _as_dictionary(groups)
    assert lookup is not None and lookup.paths == len(expected)
    for path in [*expected, *asked]:
        assert lookup.group(path) == expected.get(path)


def test_paths_of_the_same_hash_are_each_found_in_their_own_group(monkeypatch):
    from indexer.index import duplicates
    from indexer.index.duplicates import GroupLookup, groups_file_text

    monkeypatch.setattr(duplicates, "path_hash", lambda path: 7 if path != "z.md" else 9)
    groups = [["a.md", "b.md"], ["c.md", "d.md", "e.md"]]
    lookup = GroupLookup.read(groups_file_text(groups, {}, MAX_DIFFERING).encode())
    assert [lookup.group(path) for path in ("e.md", "a.md", "x.md", "z.md")] == [
        groups[1],
        groups[0],
        None,
        None,
    ]


def _copies_both_ways(tmp_path, groups):
    from indexer.index.duplicates import GROUPS_FILE, Copies, groups_file_text

    (tmp_path / GROUPS_FILE).write_text(groups_file_text(groups, {}, MAX_DIFFERING))
    paths = {number: f"{name}.md" for number, name in enumerate("abcdefg")}
    return Copies.load(tmp_path, paths.get), Copies(groups, paths.get), paths


def test_copies_loaded_through_the_lookup_fold_as_copies_of_every_group_do(tmp_path):
    from indexer.index.duplicates import read_duplicate_groups

    groups = [["b.md", "a.md"], ["c.md", "d.md", "e.md"], ["f.md", "c.md"]]
    looked_up, whole, paths = _copies_both_ways(tmp_path, groups)
    assert looked_up._lookup is not None and looked_up._group_of is None  # nothing decoded whole
    assert read_duplicate_groups(tmp_path) == groups  # the groups alone, past the lookup
    ranked = [(9.0, 0), (8.0, 6), (7.0, 1), (6.0, 3), (5.0, 2), (4.0, 4), (3.0, 5)]
    for copies in (looked_up, whole):
        assert copies.foldable == 6 and copies
        assert copies.fold(ranked) == [(9.0, 0), (8.0, 6), (6.0, 3), (5.0, 2)]
        assert copies.fold(ranked, keep=2) == [(9.0, 0), (8.0, 6), *ranked[2:]]
        assert copies.among(docnum for _, docnum in ranked) == 3
        assert [copies.others(path) for path in paths.values()] == [
            ("b.md",),
            ("a.md",),
            ("f.md",),
            ("c.md", "e.md"),
            ("c.md", "d.md"),
            ("c.md",),
            (),
        ]
    assert len(looked_up._lookup._decoded) == 3  # each group decoded once, when asked for


def test_a_damaged_lookup_or_group_gives_way_to_the_file_decoded_whole(tmp_path):
    from indexer.index.duplicates import GROUPS_FILE, Copies, GroupLookup

    groups = [["a.md", "b.md"], ["c.md", "d.md"]]
    _copies_both_ways(tmp_path, groups)
    file = tmp_path / GROUPS_FILE
    text = file.read_text()
    start = text.index('"lookup":"') + len('"lookup":"')
    paths = {0: "a.md", 1: "b.md", 2: "c.md", 3: "d.md"}
    for damaged in (
        text[:start] + "!" + text[start + 1 :],  # not base64
        text[:start] + "AAAA" + text[start + 4 :],  # not its tag
        text[:start] + text[start + 8 :],  # cut short
        text.replace('"lookup":"', '"lookup": "'),
    ):
        assert GroupLookup.read(damaged.encode()) is None
        file.write_text(damaged)
        copies = Copies.load(tmp_path, paths.get)
        assert copies._lookup is None and copies.fold([(2.0, 0), (1.0, 1)]) == [(2.0, 0)]
    # A group whose JSON is damaged, found through a sound lookup: the file decoded whole,
    # as `read_duplicate_groups` reads it (a path that is not a string made one).
    file.write_text(text.replace('["c.md","d.md"]', '["c.md",7.0000]'))
    copies = Copies.load(tmp_path, paths.get)
    assert copies._lookup is not None
    assert copies.others("c.md") == ("7.0",) and copies.others("a.md") == ("b.md",)
    assert copies._lookup is None

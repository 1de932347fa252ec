from indexer.index.duplicates import DEFAULT_THRESHOLD, duplicate_groups, paragraph_signature, similarity

STORY = """The operators of the ransomware gang published stolen files on their leak site on Monday.

Investigators said the intrusion began with a phishing email sent to a finance employee.

The company has not said whether it paid a ransom, and declined to comment further.

Short line.
"""


def test_signature_ignores_short_lines_case_and_punctuation():
    same = paragraph_signature(STORY.upper().replace(",", " ,").replace(".", "!"))
    assert paragraph_signature(STORY) == same
    assert len(paragraph_signature(STORY)) == 3


def test_a_story_saved_twice_with_an_edit_is_one_group():
    edited = STORY.replace("declined to comment further", "said it would restore systems by Friday")
    other = "A completely different note about a patch for a printer spooler bug in Windows."
    groups = duplicate_groups(
        {
            "a.md": paragraph_signature(STORY),
            "a--ZDNet.md": paragraph_signature(STORY),
            "a-updated.md": paragraph_signature(edited),
            "b.md": paragraph_signature(other),
        }
    )
    assert groups == [["a--ZDNet.md", "a-updated.md", "a.md"]]


def test_notes_sharing_one_paragraph_of_three_are_not_duplicates():
    first, second, third = [p for p in STORY.split("\n\n")[:3]]
    a = paragraph_signature(f"{first}\n\n{second}")
    b = paragraph_signature(f"{first}\n\n{third}\n\nAnother long paragraph that only this note has in it.")
    assert similarity(a, b) < DEFAULT_THRESHOLD
    assert duplicate_groups({"a.md": a, "b.md": b}) == []


def test_boilerplate_paragraphs_in_many_notes_do_not_make_groups():
    footer = "Subscribe to our newsletter to get the latest security news every week."
    notes = {
        f"n{i}.md": paragraph_signature(f"{footer}\n\nUnique long paragraph number {i} of this note.")
        for i in range(60)
    }
    assert duplicate_groups(notes) == []


def test_empty_signatures_are_never_duplicates():
    assert similarity(frozenset(), frozenset()) == 0.0
    assert duplicate_groups({"a.md": frozenset(), "b.md": frozenset()}) == []

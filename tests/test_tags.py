import pytest

from indexer.notes.tags import (
    clean_tag,
    parse_wiki_tags,
    split_structured,
    split_tag_list,
    structured_field_name,
)


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("T-Mobile", "T-Mobile"),
        ("devices,", "devices"),
        ("‘dark", "dark"),
        ("“The", "The"),
        ("(cvss", "cvss"),
        ("Explorer.", "Explorer"),
        ("  The   Record ", "The Record"),
        ("it’s", "it’s"),
        ("C++", "C++"),
        ("[HKEY_LOCAL_MACHINE\\SOFTWARE", "HKEY_LOCAL_MACHINE\\SOFTWARE"),
        ("--", ""),
        ("", ""),
    ],
)
def test_clean_tag_trims_stray_punctuation_but_keeps_the_text(raw, clean):
    assert clean_tag(raw) == clean


def test_structured_tags_split_into_key_and_value():
    assert split_structured("victim.country.name=Ukraine") == ("victim.country.name", "Ukraine")
    assert split_structured("victim.city.name=") == ("victim.city.name", "")
    assert split_structured("The Record") is None
    assert split_structured('"1001"=dword:00000003') is None


@pytest.mark.parametrize(
    ("key", "name"),
    [
        ("action.malware.name", "malware"),
        ("threatactor.name", "threatactor"),
        ("victim.country.name", "country"),
        ("victim.industry.name", "industry"),
        ("tool", "tool"),
    ],
)
def test_structured_field_names_are_the_meaningful_part_of_the_key(key, name):
    assert structured_field_name(key) == name


def test_wiki_tags_keep_order_drop_duplicates_and_empty_structured_values():
    plain, structured = parse_wiki_tags(
        ["Ransomware", "ransomware", "", "devices,", "victim.city.name=", "victim.country.name=Haiti",
         "victim.country.name=Haiti", "action.malware.name=Conti"]
    )  # fmt: skip
    assert plain == ("Ransomware", "devices")
    assert structured == (("victim.country.name", "Haiti"), ("action.malware.name", "Conti"))


def test_front_matter_tags_come_as_a_list_or_a_comma_string():
    assert split_tag_list(["a", "b c", None]) == ["a", "b c"]
    assert [tag.strip() for tag in split_tag_list("phishing, email security, MFA")] == [
        "phishing",
        "email security",
        "MFA",
    ]
    assert split_tag_list(None) == []
    assert split_tag_list(42) == ["42"]

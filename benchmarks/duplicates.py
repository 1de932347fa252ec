"""Precision and recall of the near-copy fold on a real corpus, and what it costs.

    .venv/bin/python benchmarks/duplicates.py                      # ../shared/corpus/news
    .venv/bin/python benchmarks/duplicates.py --corpus ../shared/corpus/frontmatter
    .venv/bin/python benchmarks/duplicates.py --json folds.json    # every figure, to compare runs

Positives are the pairs of notes saved from the same link (the `link` field): on the news
corpus, one article saved twice. Every fold is listed with the shares of text that
differ (own text, boilerplate left out, and whole text, for each note), and the folds
among notes with different links are listed apart, to be read and judged by a person
(docs/duplicates.md has the judged list). It also times the signatures (what indexing
pays for each note) and the search for copies (what each commit pays), in CPU seconds.
Nothing is written into the corpus.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
import time
from collections import defaultdict
from pathlib import Path

from indexer.index.near_copies import compare_texts, find_copies, paragraph_signature
from indexer.index.schema import indexed_body
from indexer.notes.note import parse_note

DEFAULT_CORPUS = Path(__file__).resolve().parents[1] / ".." / "shared" / "corpus" / "news"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--json", type=Path, help="also write every figure to this file")
    args = parser.parse_args(argv)
    root = args.corpus.resolve()
    if not root.is_dir():
        print(f"duplicates: no corpus at {root}", file=sys.stderr)
        return 2

    texts, links, titles = {}, {}, {}
    for path in sorted(root.rglob("*.md")):
        rel = path.relative_to(root).as_posix()
        try:
            note = parse_note(path, root)
        except Exception as exc:  # a note the indexer would skip
            print(f"skipped {rel}: {exc}", file=sys.stderr)
            continue
        texts[rel], links[rel], titles[rel] = indexed_body(note), note.link.strip(), note.title

    started = time.process_time()
    signatures = {rel: paragraph_signature(text) for rel, text in texts.items()}
    signature_seconds = time.process_time() - started
    started = time.process_time()
    finding = find_copies(signatures, texts.get)
    finding_seconds = time.process_time() - started

    by_link = defaultdict(list)
    for rel, link in links.items():
        if link:
            by_link[link].append(rel)
    positives = {pair for paths in by_link.values() for pair in itertools.combinations(sorted(paths), 2)}
    folded = {pair for group in finding.groups for pair in itertools.combinations(group, 2)}
    found = positives & folded
    boilerplate = _boilerplate(signatures)

    def described(pair: tuple[str, str]) -> dict:
        verdict = compare_texts(texts[pair[0]], texts[pair[1]], boilerplate)
        return {
            "paths": list(pair),
            "titles": [titles[pair[0]], titles[pair[1]]],
            "same_link": links[pair[0]] == links[pair[1]] != "",
            "differing_own": [round(share, 3) for share in verdict.own],
            "differing_whole": [round(share, 3) for share in verdict.whole],
        }

    report = {
        "corpus": str(root),
        "notes": len(texts),
        "groups": len(finding.groups),
        "folded_pairs": len(folded),
        "positives": len(positives),
        "positives_folded": len(found),
        "recall": round(len(found) / len(positives), 3) if positives else None,
        "folds_with_same_link": len(folded & positives),
        "folds_with_different_links": len(folded - positives),
        "notes_read_to_compare": finding.notes_read,
        "pairs_compared": finding.compared,
        "signature_cpu_seconds": round(signature_seconds, 3),
        "finding_cpu_seconds": round(finding_seconds, 3),
        "missed_positives": [described(pair) for pair in sorted(positives - folded)],
        "compared_not_folded": [described(pair) for pair in sorted(set(finding.figures) - folded)],
        "folds": [described(pair) for pair in sorted(folded)],
    }
    _print_report(report)
    if args.json:
        args.json.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return 0


def _boilerplate(signatures: dict[str, frozenset[int]]) -> set[int]:
    from indexer.index.near_copies import BOILERPLATE_NOTES

    holders: dict[int, int] = defaultdict(int)
    for keys in signatures.values():
        for key in keys:
            holders[key] += 1
    return {key for key, count in holders.items() if count >= BOILERPLATE_NOTES}


def _print_report(report: dict) -> None:
    print(f"corpus {report['corpus']}: {report['notes']} notes")
    print(
        f"groups {report['groups']}, folded pairs {report['folded_pairs']} "
        f"({report['folds_with_same_link']} same link, "
        f"{report['folds_with_different_links']} different links)"
    )
    print(
        f"positives (same link) {report['positives']}, folded {report['positives_folded']}, "
        f"recall {report['recall']}"
    )
    print(
        f"CPU: signatures {report['signature_cpu_seconds']} s, finding {report['finding_cpu_seconds']} s "
        f"({report['pairs_compared']} pairs compared, {report['notes_read_to_compare']} notes read)"
    )
    for title, rows in (
        ("missed positives", report["missed_positives"]),
        ("compared but not folded", report["compared_not_folded"]),
        ("folds", report["folds"]),
    ):
        print(f"\n{title}: own / whole share differing of each note")
        for row in rows:
            own, whole = row["differing_own"], row["differing_whole"]
            mark = "same-link" if row["same_link"] else "DIFF-LINK"
            print(f"  {mark} own {own[0]:.3f}/{own[1]:.3f} whole {whole[0]:.3f}/{whole[1]:.3f}")
            for path in row["paths"]:
                print(f"      {path}")


if __name__ == "__main__":
    sys.exit(main())

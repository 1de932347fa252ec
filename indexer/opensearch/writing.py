"""Building and updating the notes index on a cluster: bulk requests, retried with a
bounded backoff, and the same change detection as the Whoosh index.

Each note's `_id` is its path, so a rerun after a failure (a node lost mid-build)
writes every note once: nothing twice, nothing lost.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from indexer.errors import NoteParseError
from indexer.index.store import IndexOptions, IndexReport, diff_manifest
from indexer.notes.corpus import scan_corpus
from indexer.notes.note import parse_note
from indexer.opensearch.connection import ClusterError, ClusterSettings, cluster_error, connect
from indexer.opensearch.mapping import MAPPING_VERSION, index_body, note_document

ProgressCallback = Callable[[int, int], None]

# Notes a bulk request carries; ~2 KB each on the news corpus, so about a megabyte.
BULK_NOTES = 500
# Item and request statuses worth another try: rejected (a full write queue), unavailable
# (a shard's primary is moving to another node).
RETRYABLE_STATUSES = frozenset({429, 502, 503, 504})
DEFAULT_OPTIONS = IndexOptions()


@dataclass(frozen=True, slots=True)
class Backoff:
    """How often and how long to wait before sending rejected notes again (bounded)."""

    attempts: int = 6
    first_seconds: float = 0.5
    max_seconds: float = 8.0

    def delays(self) -> Iterator[float]:
        delay = self.first_seconds
        for _ in range(self.attempts - 1):
            yield delay
            delay = min(delay * 2, self.max_seconds)


def build_cluster_index(
    corpus: Path,
    cluster: ClusterSettings,
    *,
    options: IndexOptions = DEFAULT_OPTIONS,
    progress: ProgressCallback | None = None,
    backoff: Backoff = Backoff(),
    shards: int | None = None,
    replicas: int | None = None,
) -> IndexReport:
    """Index every note of `corpus` into a new `cluster.index_name` (an old one is dropped)."""
    started = time.perf_counter()
    scan = scan_corpus(Path(corpus), follow_symlinks=options.follow_symlinks, ignore=options.ignore)
    report = IndexReport(rebuilt=True, skipped=list(scan.skipped))
    client = connect(cluster)  # first: without the client, its one-line error (connection.py)
    from opensearchpy.exceptions import OpenSearchException

    try:
        client.indices.delete(index=cluster.index_name, ignore_unavailable=True)
        sizes = {"shards": shards, "replicas": replicas}
        client.indices.create(
            index=cluster.index_name, body=index_body(**{k: v for k, v in sizes.items() if v is not None})
        )
        # `timeout` alone would be the client's own request timeout.
        client.cluster.health(
            index=cluster.index_name, wait_for_status="yellow", params={"timeout": "30s"}, request_timeout=60
        )
        paths = sorted(scan.files)
        report.added = len(_index_notes(client, cluster, scan, paths, options, report, progress, backoff))
        client.indices.refresh(index=cluster.index_name)
        report.notes = client.count(index=cluster.index_name)["count"]
    except OpenSearchException as exc:
        raise cluster_error(cluster, exc) from None
    finally:
        client.close()
    report.seconds = time.perf_counter() - started
    return report


def update_cluster_index(
    corpus: Path,
    cluster: ClusterSettings,
    *,
    options: IndexOptions = DEFAULT_OPTIONS,
    progress: ProgressCallback | None = None,
    backoff: Backoff = Backoff(),
) -> IndexReport:
    """Apply new, changed and deleted notes (found by file size and time, as for Whoosh)."""
    started = time.perf_counter()
    client = connect(cluster)  # first: without the client, its one-line error (connection.py)
    from opensearchpy.exceptions import OpenSearchException

    try:
        if not _current_index_exists(client, cluster):
            client.close()
            return build_cluster_index(corpus, cluster, options=options, progress=progress, backoff=backoff)
        scan = scan_corpus(Path(corpus), follow_symlinks=options.follow_symlinks, ignore=options.ignore)
        changes = diff_manifest(cluster_manifest(client, cluster), scan)
        report = IndexReport(skipped=list(scan.skipped))
        changed = set(changes.changed)
        paths = sorted(changes.added + changes.changed)
        indexed = _index_notes(client, cluster, scan, paths, options, report, progress, backoff, changed)
        report.changed = sum(1 for rel in indexed if rel in changed)
        report.added = len(indexed) - report.changed
        report.removed = _delete_notes(client, cluster, changes.removed, backoff)
        client.indices.refresh(index=cluster.index_name)
        report.notes = client.count(index=cluster.index_name)["count"]
    except OpenSearchException as exc:
        raise cluster_error(cluster, exc) from None
    finally:
        client.close()
    report.seconds = time.perf_counter() - started
    return report


def cluster_manifest(client, cluster: ClusterSettings) -> dict[str, list[int]]:
    """Path -> [mtime_ns, size] of every note in the index, read a page at a time."""
    manifest: dict[str, list[int]] = {}
    after = None
    while True:
        body: dict = {
            "size": 5000,
            "query": {"match_all": {}},
            "sort": [{"path_id": "asc"}],
            "_source": ["mtime_ns", "size"],
        }
        if after is not None:
            body["search_after"] = after
        hits = client.search(index=cluster.index_name, body=body)["hits"]["hits"]
        for hit in hits:
            source = hit["_source"]
            manifest[hit["_id"]] = [source.get("mtime_ns", 0), source.get("size", 0)]
        if len(hits) < body["size"]:
            return manifest
        after = hits[-1]["sort"]


def _current_index_exists(client, cluster: ClusterSettings) -> bool:
    if not client.indices.exists(index=cluster.index_name):
        return False
    mapping = client.indices.get_mapping(index=cluster.index_name)
    meta = next(iter(mapping.values()))["mappings"].get("_meta", {})
    return meta.get("notes_mapping_version") == MAPPING_VERSION


def _index_notes(
    client,
    cluster: ClusterSettings,
    scan,
    paths: list[str],
    options: IndexOptions,
    report: IndexReport,
    progress: ProgressCallback | None,
    backoff: Backoff,
    changed: Iterable[str] = (),
) -> list[str]:
    """Read and send `paths` in bulk requests; the paths indexed (skipped notes are reported)."""
    indexed: list[str] = []
    batch: list[tuple[str, dict]] = []
    for done, rel in enumerate(paths, 1):
        try:
            note = parse_note(scan.root / rel, scan.root, max_bytes=options.max_note_bytes)
        except NoteParseError as exc:
            report.skipped.append((rel, exc.reason))
        else:
            report.warnings.extend((rel, warning) for warning in note.warnings)
            signature = scan.files[rel]
            batch.append((rel, note_document(note, mtime_ns=signature[0], size=signature[1])))
        if len(batch) >= BULK_NOTES:
            indexed.extend(_send(client, cluster, batch, backoff, report))
            batch = []
        if progress is not None:
            progress(done, len(paths))
    if batch:
        indexed.extend(_send(client, cluster, batch, backoff, report))
    return indexed


def _send(
    client, cluster: ClusterSettings, batch: list[tuple[str, dict]], backoff: Backoff, report: IndexReport
) -> list[str]:
    """Index `batch` (path, document), sending rejected notes again after a pause; notes
    the cluster refuses for good are reported as skipped."""
    index = cluster.index_name
    actions = {rel: [{"index": {"_index": index, "_id": rel}}, document] for rel, document in batch}
    done, refused = _bulk(client, cluster, actions, backoff)
    report.skipped.extend(refused)
    return done


def _delete_notes(client, cluster: ClusterSettings, paths: Iterable[str], backoff: Backoff) -> int:
    actions = {rel: [{"delete": {"_index": cluster.index_name, "_id": rel}}] for rel in paths}
    if not actions:
        return 0
    done, refused = _bulk(client, cluster, actions, backoff, missing_ok=True)
    if refused:
        raise ClusterError(f"cannot delete {refused[0][0]} from the index: {refused[0][1]}")
    return len(done)


def _bulk(
    client, cluster, actions: dict[str, list[dict]], backoff: Backoff, *, missing_ok: bool = False
) -> tuple[list[str], list[tuple[str, str]]]:
    """Send bulk `actions` (path -> action lines) until each is done, refused for good
    (path, reason), or the backoff runs out (a `ClusterError`)."""
    from opensearchpy.exceptions import ConnectionError, TransportError

    pending = dict(actions)
    done: list[str] = []
    refused: list[tuple[str, str]] = []
    delays = backoff.delays()
    while True:
        failure = ""
        try:
            body = [line for lines in pending.values() for line in lines]
            response = client.bulk(body=body)
        except (ConnectionError, TransportError) as exc:
            status = getattr(exc, "status_code", None)
            if not isinstance(exc, ConnectionError) and status not in RETRYABLE_STATUSES:
                raise
            failure = str(cluster_error(cluster, exc))
        else:
            retry: dict[str, list[dict]] = {}
            for item in response["items"]:
                (outcome,) = item.values()
                rel, status = outcome["_id"], outcome.get("status", 500)
                if status < 300 or (missing_ok and status == 404):
                    done.append(rel)
                elif status in RETRYABLE_STATUSES:
                    retry[rel] = pending[rel]
                    failure = _item_reason(outcome)
                else:
                    refused.append((rel, "the cluster refused the note: " + _item_reason(outcome)))
            pending = retry
        if not pending:
            return done, refused
        delay = next(delays, None)
        if delay is None:
            raise ClusterError(
                f"{len(pending)} notes were still refused after {backoff.attempts} tries: {failure}",
                hint="run the same command again; notes already indexed are not sent twice",
            )
        time.sleep(delay)


def _item_reason(outcome: dict) -> str:
    error = outcome.get("error")
    if isinstance(error, dict):
        return f"{outcome.get('status')} {error.get('type', '')}: {error.get('reason', '')}"[:200]
    return f"{outcome.get('status')} {error or ''}"[:200]

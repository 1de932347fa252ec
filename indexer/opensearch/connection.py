"""Connecting to a cluster: the URL, TLS verification and credentials, and one-line errors."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from urllib.parse import urlsplit

from indexer.errors import NotesError

# Credentials come from the environment (or the user's own notes.toml), never from the
# notes.toml of a corpus folder, which may be shared with the notes.
USER_ENV = "NOTES_OPENSEARCH_USER"
PASSWORD_ENV = "NOTES_OPENSEARCH_PASSWORD"
DEFAULT_INDEX_NAME = "notes"
REQUEST_TIMEOUT_SECONDS = 30


class ClusterError(NotesError):
    """The cluster cannot be reached or refused a request."""


@dataclass(frozen=True, slots=True)
class ClusterSettings:
    """Where the notes live on a cluster and how to talk to it."""

    url: str
    index_name: str = DEFAULT_INDEX_NAME
    verify_tls: bool = True
    user: str = ""
    password: str = ""

    @classmethod
    def from_environment(
        cls, url: str, index_name: str = DEFAULT_INDEX_NAME, *, verify_tls: bool = True, environ=os.environ
    ) -> ClusterSettings:
        return cls(
            url=check_url(url),
            index_name=check_index_name(index_name),
            verify_tls=verify_tls,
            user=environ.get(USER_ENV, ""),
            password=environ.get(PASSWORD_ENV, ""),
        )


def check_url(url: str) -> str:
    """The cluster URL, or a `ClusterError` saying what is wrong with it."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ClusterError(
            f"bad cluster URL {url!r}", hint="give one such as http://localhost:9200 (--url or NOTES_URL)"
        )
    if parts.username or parts.password:
        raise ClusterError(
            f"the cluster URL {parts.hostname} carries credentials",
            hint=f"put them in {USER_ENV} and {PASSWORD_ENV} instead",
        )
    return url.strip().rstrip("/")


def check_index_name(name: str) -> str:
    """OpenSearch's rules for index names, checked before any request is sent."""
    bad = set('\\/*?"<>| ,#:') & set(name)
    if not name or name != name.lower() or name[0] in "-_+" or bad or name in (".", ".."):
        raise ClusterError(
            f"bad index name {name!r}", hint="use lowercase letters, digits, '-' and '_' (e.g. notes)"
        )
    return name


def connect(settings: ClusterSettings):
    """An `opensearchpy.OpenSearch` client for `settings` (no request is made yet)."""
    try:
        from opensearchpy import OpenSearch
    except ImportError:
        raise ClusterError(
            "the OpenSearch engine needs the opensearch-py package",
            hint="pip install 'notes-indexer[opensearch]'",
        ) from None
    # The client logs each failed try with its traceback; the one-line error says it all.
    logging.getLogger("opensearch").addHandler(logging.NullHandler())
    logging.getLogger("opensearch").propagate = False
    auth = (settings.user, settings.password) if settings.user else None
    return OpenSearch(
        hosts=[settings.url],
        http_auth=auth,
        verify_certs=settings.verify_tls,
        ssl_show_warn=settings.verify_tls,
        timeout=REQUEST_TIMEOUT_SECONDS,
        max_retries=2,
        retry_on_timeout=True,
    )


def cluster_error(settings: ClusterSettings, exc: Exception) -> ClusterError:
    """A one-line error for a failed request, naming the cluster URL."""
    from opensearchpy.exceptions import AuthenticationException, ConnectionError, TransportError

    if isinstance(exc, ConnectionError):
        return ClusterError(
            f"cannot reach the OpenSearch cluster at {settings.url}",
            hint="is it running? check --url / NOTES_URL",
        )
    if isinstance(exc, AuthenticationException):
        return ClusterError(
            f"the OpenSearch cluster at {settings.url} refused the credentials",
            hint=f"set {USER_ENV} and {PASSWORD_ENV}",
        )
    if isinstance(exc, TransportError):
        reason = _reason(exc)
        return ClusterError(f"the OpenSearch cluster at {settings.url} answered {exc.status_code}: {reason}")
    return ClusterError(f"the OpenSearch cluster at {settings.url} failed: {exc}")


def _reason(exc) -> str:
    info = exc.info if isinstance(exc.info, dict) else {}
    error = info.get("error")
    if isinstance(error, dict):
        return str(error.get("reason") or error.get("type") or exc.error)[:200]
    return str(exc.error)[:200]

"""The OpenSearch engine: the same notes, query language and results on a cluster.

Needs the optional `opensearch-py` client (`pip install 'notes-indexer[opensearch]'`);
nothing here is imported unless `engine = "opensearch"` is asked for.
"""

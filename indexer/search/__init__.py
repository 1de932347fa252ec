"""From query text to ranked hits: query parsing, searching, ranking, ties, spelling,
explain, facets, timeline counts, saved searches, batch, results and passages.
"""

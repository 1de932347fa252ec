"""From query text to ranked hits: parsing, searching, ranking, ties, spelling, explain, facets, timeline counts, saved searches, batch, results and passages."""

"""Reading a note file into a `Note`: formats, markdown, dates, tags, the corpus walk.

No Whoosh here: the change check and the parsing workers import this package cheaply.
"""

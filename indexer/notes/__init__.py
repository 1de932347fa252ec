"""Reading a note file into a `Note`: formats, markdown, dates, tags, the corpus walk. No Whoosh."""

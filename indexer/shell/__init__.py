"""The interactive search shell (`search` with no query on a terminal, or `search --shell`).

`app` holds the state and the per-line handler, `commands` the `:command` registry,
`suggest` says what kind of word fits at the cursor, `completer` supplies the words,
`lexer` colours the line being typed, `loop` feeds lines to `app`. Only `loop.run_shell` is
used from outside.
"""

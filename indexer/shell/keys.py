"""Key bindings added to prompt_toolkit's Emacs set (which already has Ctrl-R history search,
Right arrow / Ctrl-E to take the grey suggestion from history, Ctrl-C and Ctrl-D)."""

from __future__ import annotations

from prompt_toolkit.filters import completion_is_selected
from prompt_toolkit.key_binding import KeyBindings, KeyPressEvent


def shell_key_bindings() -> KeyBindings:
    bindings = KeyBindings()

    @bindings.add("enter", filter=completion_is_selected)
    def _take_completion(event: KeyPressEvent) -> None:
        """Enter on a highlighted completion takes it and keeps editing (as in pgcli)."""
        event.current_buffer.complete_state = None

    @bindings.add("c-space")
    def _complete(event: KeyPressEvent) -> None:
        """Ctrl-Space opens the completion menu, or moves to the next entry."""
        buffer = event.current_buffer
        if buffer.complete_state:
            buffer.complete_next()
        else:
            buffer.start_completion(select_first=False)

    return bindings

"""What people and scripts read: text and JSON rendering, safe text, colour policy, console messages, the editor and pager children."""

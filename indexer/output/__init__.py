"""What people and scripts read: text and JSON rendering, safe text, colour policy,
console messages and progress, the editor and pager children.
"""

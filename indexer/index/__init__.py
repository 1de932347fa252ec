"""The index on disk: schema, build and update, change detection, locking, recovery,
duplicates, watch mode, stats.
"""

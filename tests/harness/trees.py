"""Walking a directory tree a test built, to prove that a failed or check-mode call changed nothing: each
caller turns the entries into the fingerprint its assertions read."""

import os


def walk(root):
    """(full path, path relative to ``root``, lstat result) of everything under ``root``; links not followed."""
    root = str(root)
    for top, dirs, files in os.walk(root):
        for name in dirs + files:
            full = os.path.join(top, name)
            yield full, os.path.relpath(full, root), os.lstat(full)

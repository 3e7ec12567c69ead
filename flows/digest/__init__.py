"""Digests: select what is new, render it (HTML and text), mail it, and the digest flow."""

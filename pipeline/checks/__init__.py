"""Checks over loaded content that are not about review: markup, the library, the evidence."""

"""From a checked project to a published site: staging, the generated listings, the audit and
the atomic swap.
"""

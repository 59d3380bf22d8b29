"""The review workflow and what makes an approval trustworthy: the rules, signed approvals and
the statements they sign, the roster's own signatures, the commands' core, status and history.
"""

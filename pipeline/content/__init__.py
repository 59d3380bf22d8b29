"""Reading the repository's files into the project's data: articles, the roster, the
library, the disclaimer.
"""

"""Citations: finding them in an article, numbering them, and formatting the references."""

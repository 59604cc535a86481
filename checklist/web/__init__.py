"""HTML pages: one blueprint per URL area, forms, and the helpers that answer with files or refusals."""

"""The national enforcement documents of an inspection: their content read from the data (build), as Word
files (word); the HTML print pages are templates/documents/. Only this package handles Word files."""

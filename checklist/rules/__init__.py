"""Rules: verb-named functions that check access, write history, flush and raise Refused; never commit."""

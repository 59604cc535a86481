"""Read-only queries for pages, reports and exports; they never flush."""

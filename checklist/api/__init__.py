"""The JSON API for the phone (/api/v1): routes, bearer tokens, errors and the OpenAPI document."""

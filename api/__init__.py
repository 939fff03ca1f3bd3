"""The REST API door (`/api/v1`): `framework` holds what every resource shares (API key
authentication, idempotency, the list language and cursors, errors, parsers, the schema);
`resources` holds one module per resource, each parsing input, calling the services of the
domain apps and presenting the result."""

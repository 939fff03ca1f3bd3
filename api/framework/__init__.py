"""The machinery every resource of the API shares; nothing here knows a resource."""

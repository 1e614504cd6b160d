"""The office service: accounts and roles, filings, the hash-chained audit log.

Everything here is stored in the registry (compliance/registry/tables.py) and used by the web
app and the CLI alike; nothing here knows about Flask."""

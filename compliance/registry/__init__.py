"""The verdict registry: every check, stored with its inputs' hashes, rule-set version and as-of date.

tables.py  the schema (SQLAlchemy Core; SQLite by default, any SQLAlchemy URL by option)
store.py   Registry: record a check or an error in one transaction, look checks up
diff.py    what changed between two checks of a submission (fixed, new, changed findings)
signoff.py reviewers' sign-offs of a check, the stored verdict with them, the reviewer's queue

A check is identified by its key: the hash of its inputs (submission.yaml and every IFC file
in the folder), the rule-set version, the as-of date asked for and the tool version. The key is
unique in the database, so a rerun never stores the same check twice.
"""

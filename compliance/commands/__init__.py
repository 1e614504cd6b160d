"""The commands of `compliance` other than check, extract and ids (compliance/cli.py): one module per
group, each a click command the CLI adds to its group."""

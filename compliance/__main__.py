"""`python -m compliance`: the same command as `compliance` (compliance/cli.py)."""

from compliance.cli import main

if __name__ == "__main__":
    main()

"""The repository's launcher: `python cli.py check FOLDER ...` runs the `compliance` command from this
checkout, with the checkout's rules/ and features/. The command itself is compliance/cli.py
(installed: `compliance`, or `python -m compliance`); this file is not part of the wheel.
"""

from compliance.cli import main

if __name__ == "__main__":
    main()

"""District progress toward the plan's targets (digest section C), added up from the registry.

targets.py  rules/district/targets.yaml -> Targets (policy staff edit it; no Python)
records.py  the frozen DistrictReport every district renderer reads
progress.py approved verdicts + targets -> DistrictReport (pure; no database, no files)
wording.py  the bases, conditions and reasons in words (use classes by name)
render/     one module per output format (json, pdf), registered in render.FORMATS
"""

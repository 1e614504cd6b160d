"""Carbon-peak compliance checker for building submissions (Yangpu District, 杨府发〔2022〕13号).

Pipeline, one sub-package per stage, each depending only on those before it:
    read      IFC models + submission.yaml  -> records with provenance
    derive    records                       -> metrics with provenance
    ruleset   rules/*.yaml                  -> validated rule objects (data only)
    evaluate  rules + metrics               -> frozen result records (durable-rules engine)
    report    results                       -> text / json / pdf (one module per format)
"""

__version__ = "0.1.0"

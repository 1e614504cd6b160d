"""Realistic exports: real public IFC models (../shared/ifc) with PV panels, roofs, chargers and
parking added the way Revit, ArchiCAD and Chinese design institutes export them, each built at
test time into a submission folder with its expected outcome worked out by hand (README.md)."""

from .variants import VARIANTS, Variant

__all__ = ["VARIANTS", "Variant"]

"""Building-level figures: use, gross floor area, storeys, site location (docs/ifc-conventions.md)."""

from __future__ import annotations

from .areas import pick
from .ifcfile import IfcIndex
from .records import BuildingRecord, Figure, Note, NoteTaker

GFA_NAMES = ("GrossFloorArea",)


class BuildingReader(NoteTaker):
    def __init__(self, index: IfcIndex, notes: list[Note], conventions) -> None:
        self.index = index
        self.notes = notes
        self.file = index.info.file
        self.concept = conventions["building"]

    def buildings(self) -> list[BuildingRecord]:
        return [self._building(b) for b in self.index.file.by_type("IfcBuilding")]

    def _building(self, building) -> BuildingRecord:
        storeys = self._children(building, "IfcBuildingStorey")
        fields = dict(occupancy_type=self._text(building, "use"),
                      gross_floor_area=self._gfa(building, storeys))
        fields.update(self._storeys(building, storeys))
        fields.update(self._site(building))
        return BuildingRecord(global_id=building.GlobalId, ifc_class=building.is_a(), name=building.Name,
                              file=self.file, matched_by="IfcBuilding", **fields)

    def _children(self, parent, ifc_class: str) -> list:
        out = []
        for rel in getattr(parent, "IsDecomposedBy", None) or ():
            for obj in rel.RelatedObjects or ():
                if obj.is_a(ifc_class):
                    out.append(obj)
        return out

    def _text(self, element, role: str) -> Figure | None:
        prop = self.index.first_prop(element, self.concept.props(role))
        if prop is None or prop.value in (None, ""):
            return None
        return Figure(value=str(prop.value), source=prop.source)

    def _gfa(self, building, storeys: list) -> Figure | None:
        own = pick(self.index.area_quantities(building), GFA_NAMES)
        if own is not None:
            return Figure(value=round(own.value_m2, 4), unit="m²", source=f"IfcBuilding {own.qset}.{own.name}")
        per_storey = [q for s in storeys if (q := pick(self.index.area_quantities(s), GFA_NAMES)) is not None]
        if storeys and len(per_storey) == len(storeys):       # every storey has one
            return Figure(value=round(sum(q.value_m2 for q in per_storey), 4), unit="m²", method="derived",
                          source=f"sum of {len(storeys)} storeys' {per_storey[0].qset}.GrossFloorArea")
        spaces = [sp for s in storeys for sp in self._children(s, "IfcSpace")] + self._children(building, "IfcSpace")
        per_space = [q for sp in spaces if (q := pick(self.index.area_quantities(sp), GFA_NAMES)) is not None]
        if spaces and len(per_space) == len(spaces):          # every space has one
            self.note("gfa.from_spaces", f"IfcBuilding {building.GlobalId}: gross floor area summed from "
                      f"{len(spaces)} spaces; spaces exclude walls, so this underestimates it",
                      f"IfcBuilding {building.GlobalId}：总建筑面积由 {len(spaces)} 个空间面积累加得出；"
                      "空间面积不含墙体，结果偏小", (building.GlobalId,))
            return Figure(value=round(sum(q.value_m2 for q in per_space), 4), unit="m²", method="derived",
                          source=f"sum of {len(spaces)} spaces' GrossFloorArea (underestimate)")
        planned = self.index.first_prop(building, self.concept.props("planned_area"))
        if planned is not None and isinstance(planned.value, (int, float)) and not isinstance(planned.value, bool):
            scale = planned.own_scale or self.index.info.area_unit_m2
            return Figure(value=round(float(planned.value) * scale, 4), unit="m²",
                          source=f"{planned.source} (planned figure)")
        return None

    def _storeys(self, building, storeys: list) -> dict:
        out = {}
        scale = self.index.info.length_unit_m
        above = [s for s in storeys if (s.Elevation or 0.0) * scale >= -0.01]
        below = [s for s in storeys if (s.Elevation or 0.0) * scale < -0.01]
        if storeys:
            out["storeys_above_ground"] = Figure(value=len(above), source="IfcBuildingStorey with Elevation ≥ 0",
                                                 method="derived")
            out["storeys_below_ground"] = Figure(value=len(below), source="IfcBuildingStorey with Elevation < 0",
                                                 method="derived")
        declared = self.index.first_prop(building, self.concept.props("storeys"))
        value = declared.value if declared is not None else None
        if declared is not None and isinstance(value, (int, float)) and not isinstance(value, bool) \
                and float(value).is_integer():
            value = int(value)            # IfcInteger (IFC2X3/IFC4) or IfcCountMeasure (IFC4X3)
            out["declared_storeys"] = Figure(value=value, source=declared.source)
            if storeys and value not in (len(storeys), len(above)):
                self.note("storeys.mismatch", f"IfcBuilding {building.GlobalId}: {declared.source} = "
                          f"{value} but the model has {len(storeys)} storeys ({len(above)} above ground)",
                          f"IfcBuilding {building.GlobalId}：{declared.source} = {value}，但模型中有 "
                          f"{len(storeys)} 个楼层（地上 {len(above)} 层）", (building.GlobalId,))
        return out

    def _site(self, building) -> dict:
        import ifcopenshell.util.geolocation as geolocation

        parent = next((p for p in self.index.ancestors(building) if p.is_a("IfcSite")), None)
        if parent is None or parent.RefLatitude is None or parent.RefLongitude is None:
            return {}
        try:
            lat, lon = (float(geolocation.dms2dd(*v)) for v in (parent.RefLatitude, parent.RefLongitude))
        except Exception:  # malformed compound angles: reported, not fatal
            self.note("site.location_invalid", f"IfcSite {parent.GlobalId}: RefLatitude/RefLongitude cannot be read",
                      f"IfcSite {parent.GlobalId}：RefLatitude/RefLongitude 无法读取", (parent.GlobalId,))
            return {}
        if lat == 0 and lon == 0:
            return {}
        src = f"IfcSite {parent.GlobalId}"
        return {"latitude": Figure(value=round(lat, 6), unit="°", source=f"{src} RefLatitude"),
                "longitude": Figure(value=round(lon, 6), unit="°", source=f"{src} RefLongitude")}


def read_buildings(index: IfcIndex, notes: list[Note], conventions) -> list[BuildingRecord]:
    return BuildingReader(index, notes, conventions).buildings()

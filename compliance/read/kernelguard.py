"""What the geometry kernel must not be given: a broken or hostile element graph.

The kernel follows an element's placement and representation wherever they point and trusts
every value to be of its schema type. Given a loop (a placement relative to its own child) it
recurses until the process segfaults; given a text where a point belongs, or a list where a
number belongs (what a fuzzer makes of a real model), it crashes in native code (both measured
with ifcopenshell 0.9). So before the kernel sees an element, the entities its placement and
representation reach are walked once: no loop, and every attribute of the kind its schema says
(ifcopenshell.validate's per-attribute check). Our own readers stop at a loop by themselves.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal, cast

if TYPE_CHECKING:
    from ifcopenshell import ifcopenshell_wrapper


class Guard:
    """The walk for one model; `checked` holds the ids of entities already found sound (shared
    parts, like a type's geometry, are walked once per model)."""

    def __init__(self, schema_name: str) -> None:
        self.schema_name = schema_name
        self.checked: set[int] = set()
        # the schema's definition once looked up; False: this ifcopenshell has none (loops only)
        self._schema: ifcopenshell_wrapper.schema_definition | Literal[False] | None = None

    def problem(self, element) -> str | None:
        """Why the kernel must not see `element`, or None."""
        for root in (element.ObjectPlacement, element.Representation):
            if root is None or root.id() in self.checked:
                continue
            if (bad := self._invalid(root)) is not None:
                return bad
            on_path, stack = {root.id()}, [(root, _refs(root))]
            while stack:
                entity, refs = stack[-1]
                child = next(refs, None)
                if child is None:
                    stack.pop()
                    on_path.discard(entity.id())
                    self.checked.add(entity.id())
                elif child.id() in on_path:
                    return f"its placement or geometry refers back to itself ({child.is_a()} #{child.id()})"
                elif child.id() not in self.checked:
                    if (bad := self._invalid(child)) is not None:
                        return bad
                    on_path.add(child.id())
                    stack.append((child, _refs(child)))
        return None

    def _invalid(self, entity) -> str | None:
        """'#12 IfcCartesianPoint, attribute Coordinates: not valid' when a value breaks the schema."""
        import ifcopenshell.validate as validate
        from ifcopenshell import ifcopenshell_wrapper

        if self._schema is None:
            try:
                self._schema = ifcopenshell_wrapper.schema_by_name(self.schema_name)
            except Exception:        # a schema this ifcopenshell has no definition of: loops only
                self._schema = False
        if self._schema is False:
            return None
        try:
            declared, attributes = validate.get_entity_attributes(self._schema, entity.is_a())
        except Exception:           # not an entity of this schema at all
            return f"#{entity.id()} {entity.is_a()} is not an entity of {self.schema_name}"
        if len(entity) != len(attributes):
            return f"#{entity.id()} {entity.is_a()} has {len(entity)} attributes, its schema {len(attributes)}"
        derived = declared.derived()
        for i, attribute in enumerate(attributes):
            try:
                value = entity[i]
                # cast: the stubs say parameter_type; the wrapper returns the concrete kind assert_valid takes
                ok = derived[i] or (attribute.optional() if value is None else validate.assert_valid(
                    cast("validate.attribute_types", attribute.type_of_attribute()), value, self._schema,
                    no_throw=True))
            except Exception:        # a value the check itself cannot read is not valid either
                ok = False
            if not ok:
                return f"#{entity.id()} {entity.is_a()}, attribute {attribute.name()}: not of its schema type"
        return None


def _refs(entity):
    """The entities `entity`'s attributes name (in lists too; coordinate lists are not walked)."""
    for i in range(len(entity)):
        value = entity[i]
        if hasattr(value, "id"):
            if value.id():
                yield value
        elif isinstance(value, tuple) and value and not isinstance(value[0], (int, float, str)):
            for item in value:
                if hasattr(item, "id") and item.id():
                    yield item
                elif isinstance(item, tuple):
                    yield from (x for x in item if hasattr(x, "id") and x.id())

"""Reference loops in an element's placement or geometry: a broken or hostile file.

The geometry kernel follows such a loop until it crashes the process (measured: a placement
relative to its own child segfaults `ifcopenshell.geom.iterator`), so an element is checked
before the kernel sees it. Our own readers stop at a loop by themselves (a depth bound).
"""

from __future__ import annotations


def loop_in(element, acyclic: set):
    """The first entity found on a loop of references from the element's ObjectPlacement or
    Representation, or None. Depth-first, without recursion; `acyclic` holds the ids of entities
    already proven free of loops (shared parts, like a type's geometry, are walked once per model)."""
    for root in (element.ObjectPlacement, element.Representation):
        if root is None or root.id() in acyclic:
            continue
        on_path, stack = {root.id()}, [(root, _refs(root))]
        while stack:
            entity, refs = stack[-1]
            child = next(refs, None)
            if child is None:
                stack.pop()
                on_path.discard(entity.id())
                acyclic.add(entity.id())
            elif child.id() in on_path:
                return child
            elif child.id() not in acyclic:
                on_path.add(child.id())
                stack.append((child, _refs(child)))
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

"""`compliance extract --format table`: what the checker sees in a model, with provenance.

Names, file names and the authoring application come from the model: the console reads no rich
markup or emoji codes ('[bold]x[/]' and '[link=file:///etc]' print as written, '[/x]' cannot break
the table) and control characters are shown as [U+001B] and the like, never sent to the terminal.
"""

from __future__ import annotations

import io
import shutil

from .labels import visible_controls


def _s(value) -> str:
    """A cell or line as shown: text, its control characters made visible."""
    return visible_controls(value if isinstance(value, str) else str(value))


def _add_row(table, *cells) -> None:
    table.add_row(*(_s(c) for c in cells))


def _num(value, digits: int = 2) -> str:
    return "—" if value is None else f"{value:,.{digits}f}"


def _area(fig, basis: str) -> str:
    value = fig.area(basis)
    return "—" if value is None else f"{value:,.2f}\n[{fig.method(basis)}]"


def _element_cols(table) -> None:
    for col in ("GlobalId", "class", "name", "storey"):
        table.add_column(col, overflow="fold")


def _element_row(rec) -> list[str]:
    return [rec.global_id, rec.ifc_class, rec.name or "", rec.storey or ""]


def render_facts(all_facts) -> bytes:
    from rich.console import Console
    from rich.table import Table

    width = shutil.get_terminal_size((160, 24)).columns      # COLUMNS, the terminal, else 160 (piped)
    out = io.StringIO()
    console = Console(file=out, width=max(width, 100), force_terminal=False, color_system=None,
                      markup=False, emoji=False, highlight=False)
    for facts in all_facts:
        info = facts.info
        console.rule(_s(info.file))
        console.print(_s(f"schema {info.schema_name} · {info.application or 'unknown application'} · "
                         f"{info.entity_count:,} entities · length unit {info.length_unit_m:g} m · "
                         f"area unit {info.area_unit_m2:g} m² · power unit {info.power_unit_w:g} W"))
        _areas(console, Table, "Roofs (m²)", facts.roofs, pv=False)
        _areas(console, Table, "PV panels (m², kW)", facts.pv_panels, pv=True)
        _records(console, Table, facts)
        _buildings(console, Table, facts.buildings)
        if facts.notes:
            table = Table(title="Notes", title_justify="left", show_lines=False)
            for col in ("code", "severity", "message", "elements"):
                table.add_column(col, overflow="fold")
            for n in facts.notes:
                _add_row(table, n.code, n.severity, n.message, ", ".join(n.global_ids[:5]))
            console.print(table)
    return visible_controls(out.getvalue()).encode("utf-8")


def _areas(console, Table, title: str, figures, pv: bool) -> None:
    if not figures:
        console.print(f"{title}: none found")
        return
    table = Table(title=f"{title}: {len(figures)}", title_justify="left")
    _element_cols(table)
    for col in ("projected", "surface", "sources", "matched by"):
        table.add_column(col, overflow="fold")
    if pv:
        table.add_column("peak kW")
    total: dict[str, float | None] = {"projected": 0.0, "surface": 0.0}     # None: a figure has no such area
    for f in figures:
        sources = f"{f.projected_source or '—'} / {f.surface_source or '—'}"
        row = _element_row(f) + [_area(f, "projected"), _area(f, "surface"), sources, f.matched_by]
        if pv:
            row.append(_num(f.peak_power_kw, 3))
        _add_row(table, *row)
        for basis in total:
            total[basis] = None if total[basis] is None or f.area(basis) is None else total[basis] + f.area(basis)
    _add_row(table, "total", "", "", "", _num(total["projected"]), _num(total["surface"]), "", "",
                  *([_num(sum(f.peak_power_kw or 0 for f in figures), 3)] if pv else []))
    console.print(table)


def _records(console, Table, facts) -> None:
    specs = (
        ("Renewable / heat-recovery systems", facts.systems,
         ("kind", "medium"), lambda s: [s.kind, s.source_medium or ""]),
        ("EV charging points", facts.chargers,
         ("kW", "AC/DC"), lambda c: [_num(c.power_kw, 1), c.current or "—"]),
        ("Parking spaces", facts.parking,
         ("units", "m²", "charger ready"), lambda p: [str(p.units), _num(p.area_m2),
                                                      {True: "yes", False: "no", None: "—"}[p.charger_ready]]),
        ("Suspects (not counted; the rules they could change go to review)", facts.suspects,
         ("could be", "m² (projected)"), lambda s: [s.concept, _num(s.projected_m2)]),
        ("Excluded (matched, then ruled out)", facts.excluded, ("was", ), lambda s: [s.concept]),
    )
    for title, records, extra, cells in specs:
        if not records:
            console.print(f"{title}: none found")
            continue
        table = Table(title=f"{title}: {len(records)}", title_justify="left")
        _element_cols(table)
        for col in (*extra, "matched by"):
            table.add_column(col, overflow="fold")
        for r in records:
            _add_row(table, *_element_row(r), *cells(r), r.matched_by)
        console.print(table)


def _buildings(console, Table, buildings) -> None:
    if not buildings:
        console.print("Buildings: none found")
        return
    table = Table(title=f"Buildings: {len(buildings)}", title_justify="left")
    for col in ("GlobalId", "name", "figure", "value", "source"):
        table.add_column(col, overflow="fold")
    for b in buildings:
        for label in ("occupancy_type", "gross_floor_area", "storeys_above_ground", "storeys_below_ground",
                      "declared_storeys", "latitude", "longitude"):
            fig = getattr(b, label)
            if fig is not None:
                value = f"{fig.value}{' ' + fig.unit if fig.unit else ''}"
                _add_row(table, b.global_id, b.name or "", label, value, f"{fig.source} [{fig.method}]")
    console.print(table)

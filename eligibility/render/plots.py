"""Pictures of populations (matplotlib, from the optional `research` extra):
`compare --plot` (gains and losses, law-enforcement dependency of both rule sets) and
`timeline` (the shares per provision at every amendment date, as step charts).

Every picture is drawn off screen (the Agg and SVG back ends, no window) and written
atomically like every other output. Text is never placed by hand where it could meet
other text: amendment labels that would touch go on separate rows.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import output
from ..errors import UsageError
from .common import provision_name

if TYPE_CHECKING:
    from ..population.timeline import Timeline

FORMATS = ("svg", "png")
MISSING = (
    "drawing pictures needs matplotlib, which is in the optional `research` extra: "
    "pip install 'eligibility[research]' (or pip install matplotlib)"
)
# one colour per provision, the same in every picture (matplotlib's tab10, which stays
# distinguishable for the common forms of colour blindness when paired with line styles)
COLOURS = (
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#7f7f7f",
    "#bcbd22",
    "#17becf",
)
LEVEL_LABELS = {
    "relies_on": "met through law enforcement",
    "gated": "gated (law enforcement is all that is missing)",
    "possibly_gated": "possibly gated",
}


def check_plot_target(path: str) -> str:
    """The format of `path` (svg or png); refuses anything else, or a missing
    matplotlib, before any work is done."""
    suffix = Path(path).suffix.lower().lstrip(".")
    if suffix not in FORMATS:
        raise UsageError(
            f"{path}: a picture is written as .svg or .png, got "
            f"{('.' + suffix) if suffix else 'no extension'}"
        )
    directory = Path(path).parent
    if str(directory) and not directory.is_dir():
        raise UsageError(f"{path}: the directory {directory} does not exist")
    _pyplot()
    return suffix


def _pyplot() -> Any:
    try:
        import matplotlib

        matplotlib.use("Agg")  # never a window, whatever the environment says
        import matplotlib.pyplot as plt
    except ImportError:
        raise UsageError(MISSING) from None
    plt.rcParams.update(
        {
            "svg.fonttype": "none",  # text stays text: searchable, small
            "svg.hashsalt": "eligibility",  # the same picture gives the same file
            "font.size": 9,
            "axes.spines.top": False,
            "axes.spines.right": False,
        }
    )
    return plt


def _save(figure: Any, path: str) -> None:
    plt = _pyplot()
    buffer = io.BytesIO()
    suffix = Path(path).suffix.lower().lstrip(".")
    metadata = {"Date": None} if suffix == "svg" else {}  # reproducible files
    # "tight": the saved area grows to hold legends and titles outside the axes
    figure.savefig(buffer, format=suffix, dpi=150, metadata=metadata, bbox_inches="tight")
    plt.close(figure)
    output.write_private_bytes(path, buffer.getvalue())


def figure_bytes(figure: Any, fmt: str = "svg") -> bytes:
    """A figure as SVG or PNG bytes (for the HTML handout and the handbook)."""
    plt = _pyplot()
    buffer = io.BytesIO()
    metadata = {"Date": None} if fmt == "svg" else {}
    figure.savefig(buffer, format=fmt, dpi=150, metadata=metadata, bbox_inches="tight")
    plt.close(figure)
    return buffer.getvalue()


# ------------------------------------------------------------------ compare --plot


def comparison_figure(doc: dict[str, Any]) -> Any:
    """Two panels: who gains and loses each provision going from A to B, and the
    law-enforcement dependency shares of each provision under A and under B."""
    plt = _pyplot()
    pids = list(doc["provisions"])
    names = [provision_name(pid, doc["provisions"][pid].get("title", "")) for pid in pids]
    a, b = doc["a"]["rule_set"], doc["b"]["rule_set"]
    height = 1.2 + 0.42 * len(pids)
    figure, (left, right) = plt.subplots(
        1, 2, figsize=(12, height + 1.4), sharey=True, gridspec_kw={"width_ratios": (1, 1.4)}
    )
    rows = list(range(len(pids)))
    gained = [doc["provisions"][p]["gained"]["percent"] for p in pids]
    lost = [-doc["provisions"][p]["lost"]["percent"] for p in pids]
    left.barh(rows, gained, color="#2ca02c", label="gain it (met under B only)")
    left.barh(rows, lost, color="#d62728", label="lose it (met under A only)")
    left.axvline(0, color="black", linewidth=0.8)
    left.set_yticks(rows, names)
    left.invert_yaxis()
    left.set_xlabel("% of cases")
    left.set_title(f"Gains and losses: {a} → {b}", loc="left", fontsize=10)
    limit = max([abs(v) for v in gained + lost] + [1.0]) * 1.25
    left.set_xlim(-limit, limit)
    for row, (up, down) in enumerate(zip(gained, lost, strict=True)):
        if up:
            left.text(up, row, f" +{up:.1f}", va="center", ha="left", fontsize=8)
        if down:
            left.text(down, row, f"{down:.1f} ", va="center", ha="right", fontsize=8)
    left.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=1, frameon=False)

    levels = list(LEVEL_LABELS)
    shades = {"relies_on": "#1f77b4", "gated": "#d62728", "possibly_gated": "#ff9896"}
    bar = 0.38
    for offset, side, hatch in ((-bar / 2, "a", ""), (bar / 2, "b", "//")):
        left_edge = [0.0] * len(pids)
        for level in levels:
            values = [
                doc["provisions"][p].get("law_enforcement", {}).get(side, {}).get(level, {})
                for p in pids
            ]
            widths = [v.get("percent", 0.0) if v else 0.0 for v in values]
            right.barh(
                [r + offset for r in rows],
                widths,
                height=bar,
                left=left_edge,
                color=shades[level],
                hatch=hatch,
                edgecolor="white",
                linewidth=0.5,
                label=f"{LEVEL_LABELS[level]}" if side == "a" else None,
            )
            left_edge = [x + w for x, w in zip(left_edge, widths, strict=True)]
        for row, total in enumerate(left_edge):
            right.text(
                total,
                row + offset,
                f" {side.upper()} {total:.1f}%",
                va="center",
                ha="left",
                fontsize=7,
            )
    right.set_xlabel("% of cases whose outcome depends on law enforcement")
    right.set_title(
        f"Law-enforcement dependency\nA = {a} (plain bars), B = {b} (hatched bars)",
        loc="left",
        fontsize=10,
    )
    widest = max([1.0] + [sum(_levels(doc, p, s)) for p in pids for s in "ab"])
    right.set_xlim(0, widest * 1.3)
    right.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=1, frameon=False)
    population = doc["population"]
    figure.suptitle(
        f"{a} vs {b} over {population['scenarios']:,} cases "
        f"({population['source']}); engine {doc['engine']}",
        x=0.01,
        ha="left",
        fontsize=11,
    )
    figure.tight_layout()
    return figure


def _levels(doc: dict[str, Any], pid: str, side: str) -> list[float]:
    found = doc["provisions"][pid].get("law_enforcement", {}).get(side, {})
    return [found.get(level, {}).get("percent", 0.0) for level in LEVEL_LABELS]


def plot_comparison(doc: dict[str, Any], path: str) -> None:
    """`compare --plot FILE`: the comparison figure as SVG or PNG."""
    check_plot_target(path)
    _save(comparison_figure(doc), path)


# ------------------------------------------------------------------ timeline


PANELS = (
    ("met", "met (% of cases)"),
    ("gated", "law-enforcement gated\n(% of cases)"),
    ("relies_on", "met through law\nenforcement (% of cases)"),
)


def _label_rows(dates: list[dt.date], start: dt.date, end: dt.date, gap: float) -> list[int]:
    """A row for each date's label such that two labels on one row are at least `gap`
    (a fraction of the period) apart: the lowest free row, left to right."""
    span = max((end - start).days, 1)
    last: list[float] = []  # per row, the position of its rightmost label
    rows = []
    for date in dates:
        where = (date - start).days / span
        for row, taken in enumerate(last):
            if where - taken >= gap:
                last[row] = where
                rows.append(row)
                break
        else:
            last.append(where)
            rows.append(len(last) - 1)
    return rows


def timeline_figure(data: Timeline) -> Any:
    """Step charts of the shares per provision at every date the law changed: met,
    law-enforcement gated, met through law enforcement. Each amendment date is a dotted
    line with a number; the key below the chart names what took effect."""
    plt = _pyplot()
    dates = data.dates
    marked = [d for d in dates if data.changes_on(d)]
    label_rows = _label_rows(marked, data.start, data.end, gap=0.028)
    levels = max(label_rows, default=0) + 1
    key_lines = _key_lines(data, marked)
    key_height = 0.16 * (len(key_lines) + 1)
    panel_height = 2.3
    top = 0.35 + 0.2 * levels
    height = top + panel_height * len(PANELS) + 0.9 + key_height
    figure = plt.figure(figsize=(12, height))
    grid = figure.add_gridspec(
        len(PANELS),
        1,
        left=0.07,
        right=0.77,
        top=1 - (top + 0.3) / height,
        bottom=(key_height + 0.7) / height,
        hspace=0.12,
    )
    axes = [figure.add_subplot(grid[i]) for i in range(len(PANELS))]
    for ax in axes[1:]:
        ax.sharex(axes[0])
    end = data.end
    styles = ("-", "--")
    spread = max(len(data.provisions) - 1, 1)
    for panel, (key, label) in zip(axes, PANELS, strict=True):
        for number, rule_set in enumerate(data.rule_sets):
            for k, pid in enumerate(data.provisions):
                if pid not in data.counts[rule_set][dates[0]]:
                    continue
                values = [data.share(rule_set, d, pid, key) for d in dates]
                panel.step(
                    [*dates, end],
                    [*values, values[-1]],
                    where="post",
                    color=COLOURS[k % len(COLOURS)],
                    linestyle=styles[number],
                    # later provisions thinner: a line drawn over an equal one leaves
                    # the one below visible on both sides
                    linewidth=1.2 + 1.8 * (len(data.provisions) - 1 - k) / spread,
                    label=provision_name(pid, data.titles.get(pid, ""))
                    + (f" ({rule_set})" if len(data.rule_sets) > 1 else ""),
                )
        panel.set_ylabel(label)
        panel.set_ylim(bottom=0)
        panel.grid(axis="y", color="#dddddd", linewidth=0.6)
        for date in marked:
            panel.axvline(date, color="#999999", linestyle=":", linewidth=0.8, zorder=0)
    axes[0].set_xlim(data.start, end)
    for ax in axes[:-1]:
        ax.tick_params(labelbottom=False)
    axes[-1].set_xlabel("date on which the law is applied (the law in force that day)")
    # amendment numbers above the top panel, on as many rows as needed
    for number, (date, row) in enumerate(zip(marked, label_rows, strict=True), start=1):
        axes[0].annotate(
            str(number),
            xy=(date, 1.0),
            xycoords=("data", "axes fraction"),
            xytext=(0, 4 + 12 * row),
            textcoords="offset points",
            ha="center",
            va="bottom",
            fontsize=8,
            fontweight="bold",
            color="#444444",
        )
    handles, names = axes[0].get_legend_handles_labels()
    figure.legend(
        handles,
        names,
        loc="upper left",
        bbox_to_anchor=(0.785, 1 - (top + 0.3) / height),
        frameon=False,
        title="provision",
        alignment="left",
    )
    population = data.population
    where = (
        f"{population['cases']:,} generated cases (distribution {population['distribution']}, "
        f"seed {population['seed']})"
        if population["source"] == "generated"
        else f"{population['cases']:,} cases"
        + (f", weighted by {population['weights']['column']}" if "weights" in population else "")
    )
    figure.text(
        0.01,
        1 - 0.12 / height,
        f"{' vs '.join(data.rule_sets)}, {data.start.isoformat()} to {end.isoformat()}: {where}",
        ha="left",
        va="top",
        fontsize=11,
        fontweight="bold",
    )
    # the key: one line per amendment date, in columns placed by position (SVG viewers
    # collapse runs of spaces, so text is never aligned with them)
    line = 0.16 / height
    top_of_key = (key_height + 0.1) / height
    figure.text(0.01, top_of_key, key_lines[0][2], ha="left", va="top", fontsize=8)
    for row, (label, day, what) in enumerate(key_lines[1:], start=1):
        y = top_of_key - row * line
        figure.text(0.025, y, label, ha="right", va="top", fontsize=8, fontweight="bold")
        figure.text(0.032, y, day, ha="left", va="top", fontsize=8)
        figure.text(0.105, y, what, ha="left", va="top", fontsize=8)
    return figure


def _key_lines(data: Timeline, marked: list[dt.date]) -> list[tuple[str, str, str]]:
    """(number, date, what took effect), one per amendment date, after a heading."""
    lines = [("", "", "Amendments (numbered above the chart): what took effect, and where")]
    for number, date in enumerate(marked, start=1):
        seen: dict[str, list[str]] = {}
        for change in data.changes_on(date):
            name = change.short + (f" [{change.rule_set}]" if len(data.rule_sets) > 1 else "")
            seen.setdefault(name, []).append(
                provision_name(change.provision, data.titles.get(change.provision, ""))
            )
        what = "; ".join(f"{name}: {', '.join(pids)}" for name, pids in seen.items())
        lines.append((str(number), date.isoformat(), what))
    return lines


def plot_timeline(data: Timeline, path: str) -> None:
    """`timeline --plot FILE`: the timeline figure as SVG or PNG."""
    check_plot_target(path)
    _save(timeline_figure(data), path)

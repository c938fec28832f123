"""`explain --export FILE.html`: the report as a printable handout.

The same content as the screen (the same report model), laid out as a document: a
title, the case header, the summary, one section per protection, where the outcome
depends on law enforcement, next steps, questions and open points of law. It prints in
black and white: statuses are words and symbols, never colour alone. Every text from a
rule or scenario file is escaped.
"""

from __future__ import annotations

from html import escape
from typing import Any

from .common import STATUS_LABEL, STATUS_SYMBOL, provision_name
from .report import LEVEL_LABEL, LEVEL_MARK, critique_words, dependency_entries

STYLE = """
body { font-family: Georgia, 'Times New Roman', serif; max-width: 46em; margin: 2em auto;
       padding: 0 1em; line-height: 1.4; color: #111; }
h1 { font-size: 1.5em; margin-bottom: .2em; }
h2 { font-size: 1.2em; border-bottom: 1px solid #444; margin-top: 1.6em; }
h3 { font-size: 1.05em; margin: 1.2em 0 .3em; }
.meta { color: #444; margin-top: 0; }
table.summary { border-collapse: collapse; width: 100%; }
table.summary th, table.summary td { border-bottom: 1px solid #999; padding: .25em .5em;
       text-align: left; vertical-align: top; }
ul.checklist { list-style: none; padding-left: 0; columns: 2; }
.status { font-weight: bold; }
.le { font-weight: bold; }
.critique { font-style: italic; border-left: 3px solid #888; padding-left: .8em; }
.note { color: #333; font-size: .92em; }
.cite { color: #444; font-size: .9em; }
@media print {
  body { margin: 0; max-width: none; font-size: 11pt; }
  h2 { page-break-after: avoid; }
  h3 { page-break-after: avoid; }
  a { color: inherit; text-decoration: none; }
}
"""


def _status(p: dict[str, Any], *, mark: bool = True) -> str:
    if not p["applicable"]:
        return "– not applicable" if mark else "not applicable"
    return f"{STATUS_SYMBOL[p['status']]} {STATUS_LABEL[p['status']]}"


def _level(p: dict[str, Any]) -> str:
    level = p["law_enforcement"]
    if not p["applicable"] or level == "independent":
        return ""
    return f"{LEVEL_MARK[level]} {LEVEL_LABEL[level]}"


def _list(items: list[str], cls: str = "") -> str:
    if not items:
        return ""
    attribute = f' class="{cls}"' if cls else ""
    return f"<ul{attribute}>" + "".join(f"<li>{item}</li>" for item in items) + "</ul>"


def handout_html(report: dict[str, Any], *, full: bool = False) -> str:
    title = report.get("title") or report["scenario"] or "Case"
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{escape(title)} — eligibility report</title>",
        f"<style>{STYLE}</style></head><body>",
        f"<h1>{escape(title)}</h1>",
        f'<p class="meta">{escape(report["rule_set_title"])}, as in force on '
        f"{escape(report['as_of'])}. A teaching aid, not legal advice.</p>",
    ]
    if report.get("description"):
        parts.append(f"<p>{escape(report['description'])}</p>")
    rows = "".join(
        f"<tr><td>{escape(provision_name(pid, p['title']))}</td>"
        f'<td class="status">{escape(_status(p))}</td><td class="le">{escape(_level(p))}</td></tr>'
        for pid, p in report["provisions"].items()
    )
    parts.append(
        '<h2>Summary</h2><table class="summary"><thead><tr><th>Protection</th><th>Result</th>'
        f"<th>Law enforcement</th></tr></thead><tbody>{rows}</tbody></table>"
    )
    derived = [d for d in report.get("derived", []) if full or not d.get("triage")]
    if derived:  # legal facts an interview derived from concrete answers
        parts.append(
            "<h2>From the answers</h2>"
            + _list([escape(f"{d['text']}: from {'; '.join(d['from'])}") for d in derived])
        )
    parts.append("<h2>Each protection</h2>")
    for pid, p in report["provisions"].items():
        parts.append(_provision(pid, p))
    dependency = _dependency(report)
    if dependency:
        parts.append("<h2>Where the outcome depends on law enforcement</h2>" + dependency)
    steps = [s for s in report["next_steps"] if s["kind"] != "lawyer"]
    if steps:
        parts.append(
            "<h2>Next steps</h2>"
            + _list(
                [
                    f"{escape(s['text'])} "
                    f'<span class="cite">({escape(provision_name(s["provision"]))}; '
                    f"{escape(s['citation'])})</span>"
                    for s in steps
                ]
            )
        )
    if report["questions"]:
        parts.append(
            "<h2>Questions to ask</h2>"
            + _list(
                [
                    f"{escape(q['question'])}"
                    + (f'<br><span class="note">{escape(q["help"])}</span>' if q["help"] else "")
                    for q in report["questions"]
                ]
            )
        )
    points = {
        point["title"]: point for p in report["provisions"].values() for point in p["open_points"]
    }
    lawyer = [s for s in report["next_steps"] if s["kind"] == "lawyer"]
    if points or lawyer:
        items = [
            escape(point["title"])
            + (
                f' <span class="note">It matters only if: {escape("; ".join(point["matters_if"]))}.'
                "</span>"
                if point["matters_if"]
                else ""
            )
            for point in points.values()
        ] + [escape(s["text"]) for s in lawyer]
        parts.append("<h2>For a lawyer: open points of law</h2>" + _list(items))
    if report["readings"]:
        parts.append("<h2>Readings of the law behind these results</h2>")
        for reading in report["readings"]:
            tag = " [U] unverified" if reading["verification"] == "U" else ""
            parts.append(
                f"<h3>{escape(reading['title'])}{escape(tag)}</h3>"
                f"<p>{escape(reading['explanation'])}</p>"
                f"<p><em>This tool:</em> {escape(reading['adopted'])}</p>"
                f'<p class="cite">{escape(", ".join(reading["citations"]))}</p>'
            )
    if full and report.get("notes"):
        parts.append("<h2>Notes from the interview</h2>")
        parts.append(_list([escape(f"{n['label']}: {n['note']}") for n in report["notes"]]))
    if full:
        parts.append("<h2>Facts as stated</h2>")
        parts.append(_list([escape(fact["text"]) for fact in report["facts_stated"]]))
    parts.append("</body></html>\n")
    return "\n".join(parts)


def _provision(pid: str, p: dict[str, Any]) -> str:
    name = provision_name(pid, p["title"])
    out = [
        '<section class="provision">',
        f"<h3>{escape(name)} — {escape(_status(p, mark=False))}"
        + (f" — {escape(_level(p))}" if _level(p) else "")
        + "</h3>",
        f'<p class="cite">{escape(p["title"])}; {escape(p["citation"])}</p>',
    ]
    if not p["applicable"]:
        out.append(f"<p>{escape(p['not_applicable_reason'] or '')}</p></section>")
        return "".join(out)
    if p["elements"]:
        out.append(
            _list(
                [
                    f"{STATUS_SYMBOL[e['status']]} {escape(e['short'])} "
                    f'<span class="note">({escape(STATUS_LABEL[e["status"]])})</span>'
                    for e in p["elements"]
                ],
                "checklist",
            )
        )
    if p["status"] != "undetermined":
        out.append(f"<p><strong>Why:</strong> {escape(p['reason'])}</p>")
    if p["questions"]:
        out.append(
            "<p><strong>Still to find out:</strong> "
            + escape(", ".join(q["label"] for q in p["questions"]))
            + "</p>"
        )
    forms = [s for s in p["next_steps"] if s["kind"] in ("form", "services")]
    if forms:
        out.append(
            "<p><strong>Next:</strong></p>"
            + _list(
                [
                    f'{escape(s["text"])} <span class="cite">({escape(s["citation"])})</span>'
                    for s in forms
                ]
            )
        )
    notes = p.get("notes") or []
    if notes:
        out.append(_list([f'<span class="note">{escape(n)}</span>' for n in notes]))
    out.append("</section>")
    return "".join(out)


def _dependency(report: dict[str, Any]) -> str:
    out = []
    for entry in dependency_entries(report):
        out.append(f"<h3>{entry['mark']} {escape(entry['name'])}</h3>")
        out.append(f"<p>{escape(entry['name'])} {escape(entry['sentence'])}</p>")
        if "then" not in entry:
            continue
        if entry["then"]:
            out.append(f"<p>Then still to find out: {escape(', '.join(entry['then']))}.</p>")
        for step in entry["alternatives"]:
            out.append(f"<p><strong>Instead:</strong> {escape(step['text'])}</p>")
        critique = entry["critique"] or entry["speculative_critique"]
        if critique:
            head, body = critique_words(critique, full=True)
            out.append(f'<p class="critique">{escape(head)}{escape(body)}</p>')
    return "".join(out)

"""The information note for the head of the authority (Vladimir 4: "информационная справка" to the Minister):
the period's key figures, signals and conclusions in plain sentences, read from the stored document."""

from __future__ import annotations

from datetime import date

from flask_babel import format_date
from flask_babel import gettext as _

from ..results.document import Document
from ..results.figures import as_fraction, figure
from ..results.shapes import is_hidden, is_number
from ..vocabulary import ROMAN


def period_title(name: str) -> str:
    """`2025-Q1` -> "I квартал 2025 г." (in the current locale): how a note names its period."""
    from ..periods import BadPeriod, parse_period

    try:
        p = parse_period(name)
    except BadPeriod:
        return name
    y = p.start.year
    if p.cadence == "month":
        return _("%(month)s %(year)s", month=format_date(p.start, "LLLL"), year=y)
    if p.cadence == "quarter":
        return _("quarter %(n)s of %(year)s", n=ROMAN[(p.start.month - 1) // 3 + 1], year=y)
    if p.cadence == "half_year":
        return _("half-year %(n)s of %(year)s", n=ROMAN[(p.start.month - 1) // 6 + 1], year=y)
    return _("year %(year)s", year=y)


def format_iso_date(text) -> str:
    try:
        return format_date(date.fromisoformat(str(text)), "dd.MM.yyyy")
    except (TypeError, ValueError):
        return "—"


def _top(d: Document, key: str, n=3) -> list[tuple[str, int, object]]:
    """(label, count, share) of the largest shown cells of a breakdown or rows of a list metric."""
    shape = d.shape(key)
    if shape is None:
        return []
    if hasattr(shape, "items"):
        codes = getattr(shape, "codes", "value")
        pairs = [(str(c.get("title") or d.label(codes, code)), c) for code, c in d.cells(key) if not is_hidden(c)]
    else:
        pairs = [(str(r.get("theme") or r.get("title") or ""), r) for r in d.rows(key) if not is_hidden(r)]
    out = [(label, c["count"], c.get("share")) for label, c in pairs if is_number(c.get("count"))]
    return sorted(out, key=lambda r: -r[1])[:n]


def summary(d: Document) -> list[str]:
    """Sentences on the period's key figures; a figure the document lacks is left out, not invented."""
    doc = d.raw
    out = []
    if doc.get("period_start"):
        out.append(_("Period: %(start)s to %(end)s.", start=format_iso_date(doc.get("period_start")),
                     end=format_iso_date(doc.get("period_end"))))
    total = d.count("total")
    if total is not None:
        out.append(_("Appeals and complaints registered: %(n)s.", n=figure(total, "int")))
    channels = _top(d, "by_channel", 1)
    if channels:
        channel, count, share = channels[0]
        if d.kind == "appeals":
            out.append(_("The most used channel: «%(channel)s», %(count)s (%(share)s).",
                         channel=channel, count=figure(count, "int"), share=figure(share, "share")))
        else:
            out.append(_("Most answers came through «%(channel)s»: %(count)s (%(share)s).",
                         channel=channel, count=figure(count, "int"), share=figure(share, "share")))
    reasons = _top(d, "reasons", 3)
    if reasons:
        out.append(_("Main reasons for appeals: %(list)s.",
                     list="; ".join(f"{r} ({figure(c, 'int')})" for r, c, _s in reasons)))
    topics = _top(d, "by_topic", 3)
    if topics:
        out.append(_("Topics with the most appeals: %(list)s.",
                     list="; ".join(f"{t} ({figure(c, 'int')})" for t, c, _s in topics)))
    w = d.record("waiting_days")
    if w.get("answered"):
        out.append(_("Answered: %(n)s; waiting time for an answer: mean %(mean)s days, median %(median)s, "
                     "90th percentile %(p90)s; answered within 30 days: %(share)s.",
                     n=figure(w.get("answered"), "int"), mean=figure(w.get("mean")), median=figure(w.get("median")),
                     p90=figure(w.get("p90")), share=figure(w.get("within_30_share"), "share")))
    elif w:
        out.append(_("No appeal of the period has been answered yet."))
    c = d.record("complaints")
    if c:
        if c.get("total"):
            out.append(_("Complaints: %(total)s; satisfied %(s)s (%(ss)s), unsatisfied %(u)s (%(us)s).",
                         total=figure(c.get("total"), "int"), s=figure(c.get("satisfied"), "int"),
                         ss=figure(c.get("satisfied_share"), "share"), u=figure(c.get("unsatisfied"), "int"),
                         us=figure(c.get("unsatisfied_share"), "share")))
        else:
            out.append(_("No complaints were registered in the period."))
    r = d.record("redirected")
    if r.get("count") is not None:
        out.append(_("Redirected to the competent body: %(n)s (%(share)s).", n=figure(r.get("count"), "int"),
                     share=figure(r.get("share"), "share")))
    responses = d.count("responses")
    if responses is not None:
        out.append(_("Survey responses: %(n)s.", n=figure(responses, "int")))
    overall = d.overall_csat()
    if overall is not None:
        out.append(_("Overall satisfaction: %(mean)s of 5.", mean=figure(overall)))
    low = _lowest_parameter(d)
    if low is not None:
        out.append(_("The lowest rated parameter: «%(title)s», %(mean)s of 5.", title=low[0], mean=figure(low[1])))
    negative = d.record("negative").get("share")
    if is_number(negative):
        out.append(_("Negative answers (1 and 2 of 5): %(share)s.", share=figure(negative, "share")))
    informed = d.record("informed").get("share")
    if is_number(informed):
        out.append(_("Share of respondents informed: %(share)s.", share=figure(informed, "share")))
    problems = [p for p in d.rows("prevalence") if p.get("percent") is not None][:3]
    if problems:
        out.append(_("Most prevalent problems: %(list)s.", list="; ".join(
            f"{p.get('title') or p.get('option')} ({p['percent']} %)" for p in problems)))
    themes = _top(d, "themes", 3)
    if themes:
        out.append(_("Main themes of open answers: %(list)s.",
                     list="; ".join(f"{t} ({figure(c, 'int')})" for t, c, _s in themes)))
    return out


def _lowest_parameter(d: Document):
    params = d.stats("parameters")
    rated = [(str(p.get("title") or k), p["mean"]) for k, p in params.items()
             if isinstance(p, dict) and isinstance(p.get("mean"), int | float)]
    return min(rated, key=lambda r: r[1]) if len(rated) > 1 else None


def conclusions(d: Document) -> list[str]:
    """What the figures call for: the document's own conclusions first, then rules of thumb on the figures."""
    doc = d.raw
    out: list[str] = []
    own = doc.get("conclusions")
    if isinstance(own, str) and own.strip():
        out.append(own.strip())
    elif isinstance(own, list):
        out += [str(x) for x in own if str(x).strip()]
    within = as_fraction(d.record("waiting_days").get("within_30_share"))
    if within is not None and within < 1:
        out.append(_("%(share)s of the answered appeals waited longer than 30 days: check that each extension "
                     "of the deadline was made and reasoned (59-FZ, art. 12).", share=figure(1 - within, "share")))
    c = d.record("complaints")
    if c.get("total"):
        s, u = as_fraction(c.get("satisfied_share")) or 0, as_fraction(c.get("unsatisfied_share")) or 0
        if u > s:
            out.append(_("Unsatisfied complaints outnumber satisfied ones: review the grounds of refusals "
                         "and the pain map of the processes concerned."))
    channels = _top(d, "by_channel", 1) if d.kind == "appeals" else []
    if channels and (as_fraction(channels[0][2]) or 0) >= 0.5:
        out.append(_("More than half of the appeals arrive through «%(channel)s»: keep this channel staffed "
                     "and its answers on time.", channel=channels[0][0]))
    low = _lowest_parameter(d)
    if low is not None and low[1] < 4:
        out.append(_("«%(title)s» is rated lowest (%(mean)s of 5): look into this part of the process first.",
                     title=low[0], mean=figure(low[1])))
    pains = [p for p in d.rows("prevalence") if p.get("level") in ("high", "medium")][:5]
    if pains:
        out.append(_("Problems of high or medium prevalence, for the pain map: %(list)s.", list="; ".join(
            f"{p.get('title') or p.get('option')} ({p.get('percent')} %)" for p in pains)))
    signals = d.signals()
    if signals:
        out.append(_("Signals raised: %(n)s; see the signals section for the recommended additional collection.",
                     n=len(signals)))
    if not out and doc:
        out.append(_("The figures of the period stay within the deadlines and thresholds of the act; "
                     "no additional measures are proposed."))
    return out


def report_tables(tenant, analysis) -> list:
    """The tables other capabilities add to an analysis's reports (the pain map of its period), through the
    `capabilities.add_report_section` registry: reports import none of them."""
    from ..capabilities import REPORT_SECTIONS

    return [t for t in (s.table(tenant, analysis) for s in REPORT_SECTIONS) if t is not None]

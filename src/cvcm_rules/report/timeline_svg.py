"""Draw a project's timeline as an inline SVG: one row per event on a shared time axis.

The axis spans the procedural events (and the assessment date); a crediting period that runs past
it is cut at the edge with an arrow, its end date still written in the row label, so that a
four-week publicity window stays visible beside a thirty-year crediting period. Everything is
text and shapes with fixed coordinates: the same events draw the same bytes.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from html import escape

from cvcm_rules.report.timeline import TimelineEvent

__all__ = ["render_timeline_svg"]

_WIDTH, _X0, _X1 = 1000.0, 270.0, 985.0
_AXIS_Y, _ROW0, _ROW_H = 30.0, 40.0, 32.0
_WORDS = {
    "zh": {"title": "项目时间线", "as_of": "评估日", "holiday": "节假日（工作日休息）",
           "deadline": "工作日期限", "fail": "不通过", "warn": "警示", "due": "应届满",
           "from": "自", "wd": "个工作日", "clipped": "延续至"},
    "en": {"title": "Project timeline", "as_of": "as of", "holiday": "holiday (weekday off)",
           "deadline": "working-day deadline", "fail": "fails", "warn": "warns", "due": "due",
           "from": "from", "wd": "working days", "clipped": "runs to"},
}
_LEGEND = ("construction", "crediting", "publicity", "validation", "registration", "monitoring",
           "verification", "issuance")
_LEGEND_WORDS = {
    "zh": {"construction": "建设/开始", "crediting": "计入期", "publicity": "公示",
           "validation": "审定", "registration": "登记", "monitoring": "监测期",
           "verification": "核查", "issuance": "登记与签发"},
    "en": {"construction": "construction / start", "crediting": "crediting",
           "publicity": "publicity", "validation": "validation", "registration": "registration",
           "monitoring": "monitoring", "verification": "verification",
           "issuance": "registration / issuance"},
}


def _f(value: float) -> str:
    return f"{value:.1f}"


class _Axis:
    """Map dates to x positions between whole years around the events."""

    def __init__(self, events: Sequence[TimelineEvent], as_of: date | None) -> None:
        firsts = [e.start for e in events]
        lasts = [e.start if e.kind == "crediting" else e.last for e in events]
        if as_of is not None:
            lasts.append(as_of)
        self.lo = date(min(firsts).year, 1, 1)
        self.hi = date(max([*lasts, min(firsts)]).year + 1, 1, 1)
        self.days = (self.hi - self.lo).days

    def x(self, day: date) -> float:
        share = (day - self.lo).days / self.days
        return _X0 + (_X1 - _X0) * min(1.0, max(0.0, share))

    def years(self) -> list[int]:
        step = 1 if self.hi.year - self.lo.year <= 14 else 5
        return [y for y in range(self.lo.year, self.hi.year + 1) if y % step == 0 or step == 1]


def _dates_text(event: TimelineEvent) -> str:
    if event.end is None:
        return event.start.isoformat()
    return f"{event.start.isoformat()} → {event.end.isoformat()}"


def _tooltip(event: TimelineEvent, lang: str) -> str:
    words = _WORDS[lang]
    parts = [f"{event.label[lang]}: {_dates_text(event)}"]
    parts += [f"{words['deadline']}: {d.working_days} {words['wd']} {words['from']} "
              f"{d.start.isoformat()}, {words['due']} {d.due.isoformat()} ({d.rule_id})"
              for d in event.deadlines]
    parts += [f"{words[o]}: {rule}" for rule, o in event.flagged.items()]
    return "; ".join(parts)


def _shape(event: TimelineEvent, axis: _Axis, mid: float) -> list[str]:
    x0 = axis.x(event.start)
    if event.end is None:
        return [f'<path class="mark" d="M{_f(x0)} {_f(mid - 7)}l7 7-7 7-7-7z"/>']
    x1 = axis.x(event.end)
    out = [f'<rect class="bar" x="{_f(x0)}" y="{_f(mid - 6)}" width="{_f(max(x1 - x0, 3.0))}" '
           f'height="12" rx="2"/>']
    if event.end > axis.hi:
        out.append(f'<path class="clip" d="M{_f(_X1 - 1)} {_f(mid - 9)}l9 9-9 9z"/>')
    return out


def _marks(event: TimelineEvent, axis: _Axis, mid: float, lang: str) -> list[str]:
    words = _WORDS[lang]
    out = []
    for day in event.holidays:
        x = _f(axis.x(day.date))
        name = day.name_zh if lang == "zh" else day.name_en
        out.append(f'<line class="holiday" x1="{x}" x2="{x}" y1="{_f(mid - 10)}" '
                   f'y2="{_f(mid + 10)}"><title>{escape(day.date.isoformat())} '
                   f'{escape(name)}</title></line>')
    for deadline in event.deadlines:
        x = _f(axis.x(deadline.due))
        out.append(f'<path class="deadline" d="M{x} {_f(mid - 13)}v26m0-26h7l-2 3 2 3h-7">'
                   f'<title>{escape(words["due"])} {deadline.due.isoformat()} '
                   f'({deadline.working_days} {escape(words["wd"])}, '
                   f'{escape(deadline.rule_id)})</title></path>')
    if event.outcome is not None:
        x = _f(min(axis.x(event.end or event.start) + 12, _X1 - 6))
        out.append(f'<g class="flag"><circle cx="{x}" cy="{_f(mid)}" r="7"/>'
                   f'<text x="{x}" y="{_f(mid + 4)}" text-anchor="middle">!</text></g>')
    return out


def _row(event: TimelineEvent, index: int, axis: _Axis, lang: str) -> str:
    top = _ROW0 + index * _ROW_H
    mid = top + _ROW_H / 2
    state = {"fail": " failing", "warn": " warning", None: ""}[event.outcome]
    dates = _dates_text(event)
    if event.end is not None and event.end > axis.hi:
        dates += f" ({_WORDS[lang]['clipped']} {event.end.isoformat()})"
    parts = [
        f'<g class="event kind-{event.kind}{state}" data-key="{escape(event.key)}" '
        f'data-start="{event.start.isoformat()}" '
        f'data-end="{event.end.isoformat() if event.end else ""}">',
        f"<title>{escape(_tooltip(event, lang))}</title>",
        f'<text class="label" x="8" y="{_f(mid - 2)}">{escape(event.label[lang])}</text>',
        f'<text class="dates" x="8" y="{_f(mid + 11)}">{escape(dates)}</text>',
        *_shape(event, axis, mid),
        *_marks(event, axis, mid, lang),
        "</g>",
    ]
    return "".join(parts)


def _grid(axis: _Axis, bottom: float, as_of: date | None, lang: str) -> list[str]:
    out = []
    for year in axis.years():
        x = _f(axis.x(date(year, 1, 1)))
        out.append(f'<line class="tick" x1="{x}" x2="{x}" y1="{_f(_AXIS_Y)}" '
                   f'y2="{_f(bottom)}"/>')
        if year < axis.hi.year:
            out.append(f'<text class="year" x="{x}" y="{_f(_AXIS_Y - 8)}">{year}</text>')
    if as_of is not None and axis.lo <= as_of <= axis.hi:
        x = _f(axis.x(as_of))
        out.append(f'<g class="as-of"><line x1="{x}" x2="{x}" y1="{_f(_AXIS_Y - 4)}" '
                   f'y2="{_f(bottom)}"/><text x="{x}" y="{_f(_AXIS_Y - 20)}" '
                   f'text-anchor="end">{escape(_WORDS[lang]["as_of"])} '
                   f'{as_of.isoformat()}</text></g>')
    return out


def _advance(text: str, lang: str) -> float:
    """Rough width of a legend text at 11px (CJK glyphs are about twice as wide)."""
    return 6.5 * len(text) * (2 if lang == "zh" else 1)


def _legend(top: float, lang: str) -> list[str]:
    words, names = _WORDS[lang], _LEGEND_WORDS[lang]
    out = [f'<g class="legend" transform="translate(8 {_f(top)})">']
    x = 0.0
    for kind in _LEGEND:
        out.append(f'<g class="kind-{kind}"><rect class="bar" x="{_f(x)}" y="0" width="14" '
                   f'height="10" rx="2"/><text x="{_f(x + 18)}" y="9">'
                   f"{escape(names[kind])}</text></g>")
        x += 34 + _advance(names[kind], lang)
    x = 0.0
    out.append(f'<line class="holiday" x1="{_f(x + 4)}" x2="{_f(x + 4)}" y1="18" y2="32"/>'
               f'<text x="{_f(x + 12)}" y="29">{escape(words["holiday"])}</text>')
    x += 30 + _advance(words["holiday"], lang)
    out.append(f'<path class="deadline" d="M{_f(x)} 18v14m0-14h7l-2 3 2 3h-7"/>'
               f'<text x="{_f(x + 12)}" y="29">{escape(words["deadline"])}</text>')
    x += 30 + _advance(words["deadline"], lang)
    out.append(f'<g class="flag"><circle cx="{_f(x + 6)}" cy="25" r="7"/>'
               f'<text x="{_f(x + 6)}" y="29" text-anchor="middle">!</text></g>'
               f'<text x="{_f(x + 18)}" y="29">{escape(words["fail"])} / '
               f'{escape(words["warn"])}</text>')
    x += 40 + _advance(words["fail"] + words["warn"], lang)
    out.append(f'<g class="as-of"><line x1="{_f(x + 4)}" x2="{_f(x + 4)}" y1="18" y2="32"/>'
               f'</g><text x="{_f(x + 12)}" y="29">{escape(words["as_of"])}</text>')
    out.append("</g>")
    return out


def render_timeline_svg(events: Sequence[TimelineEvent], *, lang: str = "en",
                        as_of: date | None = None) -> str:
    """The timeline as one ``<svg>`` element (empty string when there is no event).

    Each event is a ``<g class="event kind-...">`` (with ``failing`` or ``warning`` when a
    finding flags it), so a reader, a printer and a test see the same structure.
    """
    if not events:
        return ""
    axis = _Axis(events, as_of)
    bottom = _ROW0 + len(events) * _ROW_H
    height = bottom + 62
    title = escape(_WORDS[lang]["title"])
    parts = [
        f'<svg class="timeline" xmlns="http://www.w3.org/2000/svg" role="img" '
        f'viewBox="0 0 {_f(_WIDTH)} {_f(height)}" width="{_f(_WIDTH)}" height="{_f(height)}" '
        f'aria-label="{title}">',
        f"<title>{title}</title>",
        *(f'<rect class="row{" alt" if i % 2 else ""}" x="0" y="{_f(_ROW0 + i * _ROW_H)}" '
          f'width="{_f(_WIDTH)}" height="{_f(_ROW_H)}"/>' for i in range(len(events))),
        *_grid(axis, bottom, as_of, lang),
        *(_row(event, i, axis, lang) for i, event in enumerate(events)),
        *_legend(bottom + 18, lang),
        "</svg>",
    ]
    return "\n".join(parts)

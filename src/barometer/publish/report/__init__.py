"""The annual report: 'Integrationsbarometer <year> — <municipality>' as PDF or HTML.

* ``render_report(store, area, year, lang, fmt, out)`` — one report;
* ``render_all(store, year, lang, fmt, out_dir, progress)`` — Denmark and all 98 municipalities.

Content (docs/report.md): front page with data vintage and the synthetic-data notice,
summary (needles, goals with traffic lights and target status, sentences from the figures),
one chapter per area with charts, tables and definitions, the housing areas with criteria and
early warning, and the method with footnotes for suppressed cells.
"""

from barometer.publish.report.render import FORMATS, render_all, render_html, render_report

__all__ = ["FORMATS", "render_all", "render_html", "render_report"]

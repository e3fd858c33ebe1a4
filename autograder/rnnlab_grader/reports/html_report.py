"""The item-analysis report as one self-contained HTML page.

Input is the plain dict of analysis.item_analysis; output is the page's text. Plots are
drawn by matplotlib's Agg renderer (no display, no global pyplot state) and embedded as
base64 PNG images, and the styles are inline: the page opens from disk, with no server and
no network. Every plot is an <img class="plot">; a few lines of script count, once the page
has loaded, the plots a browser could decode and write that count into the page
(<body data-plots-loaded>, beside data-plots, the number of plots), so a headless browser
can check that they all rendered.
"""
import base64
import html
import io

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

COLOURS = {"full": "#2b8a3e", "partial": "#f0a202", "zero": "#c92a2a"}  # legible in print and for most colour blindness
BAR = "#4263eb"
TOP_MISTAKES = 25
SLOWEST = 10

STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2em auto; max-width: 70em;
       padding: 0 1em; color: #212529; line-height: 1.4; }
h1 { font-size: 1.6em; } h2 { margin-top: 2em; border-bottom: 1px solid #dee2e6; }
table { border-collapse: collapse; margin: 0.5em 0 1em; font-size: 0.92em; }
th, td { border: 1px solid #dee2e6; padding: 0.25em 0.6em; text-align: left; vertical-align: top; }
th { background: #f1f3f5; } td.n { text-align: right; font-variant-numeric: tabular-nums; }
table.wide { width: 100%; } td { overflow-wrap: anywhere; }
img.plot { display: block; max-width: 100%; height: auto; margin: 0.5em 0; }
.note { color: #495057; font-size: 0.92em; } .full { color: #2b8a3e; } .zero { color: #c92a2a; }
code { font-size: 0.95em; }
.side { display: grid; grid-template-columns: 1fr 1fr; gap: 0.5em; }
.side pre { overflow-x: auto; font-size: 0.8em; background: #f8f9fa; padding: 0.5em; margin: 0; }
mark { background: #ffe066; }
"""

# Counts the plots the browser decoded (naturalWidth > 0) once everything has loaded.
CHECK_SCRIPT = """
window.addEventListener("load", function () {
  var plots = document.querySelectorAll("img.plot"), loaded = 0;
  for (var i = 0; i < plots.length; i++) { if (plots[i].complete && plots[i].naturalWidth > 0) loaded++; }
  document.body.setAttribute("data-plots-loaded", loaded);
  document.getElementById("plot-check").textContent = loaded + " of " + plots.length + " plots rendered.";
});
"""


# ---------------------------------------------------------------------------
# Plots


def _figure(width, height):
    figure = Figure(figsize=(width, height), dpi=100, layout="constrained")
    FigureCanvasAgg(figure)
    return figure


def plot_img(figure, alt):
    """An <img class="plot"> holding the figure as a base64 PNG."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", metadata={"Software": None})  # no version stamp: same page, same bytes
    data = base64.b64encode(buffer.getvalue()).decode()
    return f'<img class="plot" alt="{html.escape(alt)}" src="data:image/png;base64,{data}">'


def _histogram(axes, distribution, colour=BAR):
    """Scores from 0 to the maximum in 20 bins, the median marked."""
    most = distribution["max_score"] or 1
    axes.hist(distribution["values"], bins=[most * i / 20 for i in range(21)], color=colour, edgecolor="white")
    if distribution["count"]:
        axes.axvline(distribution["median"], color="#212529", linestyle="--", linewidth=1,
                     label=f"median {distribution['median']:g}")
        axes.legend(loc="upper left", frameon=False, fontsize=8)
    axes.set_xlim(0, most)
    axes.set_ylabel("submissions")


def score_histogram(distribution):
    figure = _figure(8, 3)
    axes = figure.add_subplot()
    _histogram(axes, distribution)
    axes.set_xlabel(f"total score (of {distribution['max_score']:g})")
    return plot_img(figure, "histogram of total scores")


def session_histograms(sessions):
    """One small histogram a session, side by side."""
    figure = _figure(max(4, 3 * len(sessions)), 2.8)
    for index, session in enumerate(sessions):
        axes = figure.add_subplot(1, len(sessions), index + 1)
        _histogram(axes, session["scores"])
        axes.set_title(_session_label(session), fontsize=9)
        axes.set_xlabel(f"points (of {session['scores']['max_score']:g})", fontsize=8)
        if index:
            axes.set_ylabel("")
    return plot_img(figure, "histograms of scores per session")


def marks_bars(rows, label):
    """Horizontal bars, one a row, split into the shares with full, partial and zero marks."""
    figure = _figure(8, 0.6 + 0.24 * len(rows))
    axes = figure.add_subplot()
    names = [row[label] for row in rows]
    positions = range(len(rows))
    left = [0.0] * len(rows)
    for kind in ("full", "partial", "zero"):
        shares = [100 * row[kind] for row in rows]
        axes.barh(positions, shares, left=left, color=COLOURS[kind], label=kind, height=0.75)
        left = [a + b for a, b in zip(left, shares)]
    axes.set_yticks(list(positions), names, fontsize=8)
    axes.invert_yaxis()  # the first row on top, as in the tables
    axes.set_xlim(0, 100)
    axes.set_xlabel("% of graded submissions")
    axes.legend(ncols=3, loc="lower center", bbox_to_anchor=(0.5, 1.0), frameon=False, fontsize=8)
    return plot_img(figure, f"full, partial and zero marks per {label}")


def time_histogram(timing):
    """Grading times; outliers beyond 3x the median (timed-out runs) are left to the table."""
    limit = 3 * timing["median"]
    shown = [row["seconds"] for row in timing["seconds"] if row["seconds"] <= limit]
    figure = _figure(8, 2.6)
    axes = figure.add_subplot()
    axes.hist(shown, bins=30, color=BAR, edgecolor="white")
    axes.set_xlabel("grading time per submission (s)")
    axes.set_ylabel("submissions")
    return plot_img(figure, "histogram of grading times"), len(timing["seconds"]) - len(shown), limit


# ---------------------------------------------------------------------------
# Tables


def _percent(share):
    return f"{100 * share:.0f}%"


def _session_label(session):
    return f"Session {session['number']}: {session['title']}" if session["number"] is not None else session["title"]


def table(headers, rows, numeric=(), wide=False):
    """An HTML table; every cell is escaped; columns whose index is in `numeric` align right;
    a `wide` one spans the page (long text wraps less)."""
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f'<td{" class=n" if i in numeric else ""}>{html.escape(str(cell))}</td>'
                                    for i, cell in enumerate(row)) + "</tr>" for row in rows)
    return f"<table{' class=wide' if wide else ''}><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _distribution_row(label, d):
    if not d["count"]:
        return [label, f"{d['max_score']:g}", 0, "", "", "", "", "", ""]
    return [label, f"{d['max_score']:g}", d["count"], f"{d['mean']:.1f}", f"{d['min']:g}", f"{d['q1']:g}",
            f"{d['median']:g}", f"{d['q3']:g}", f"{d['max']:g}"]


def scores_section(analysis):
    headers = ["", "max", "submissions", "mean", "min", "25%", "median", "75%", "max"]
    rows = [_distribution_row("total", analysis["scores"])]
    rows += [_distribution_row(_session_label(s), s["scores"]) for s in analysis["sessions"]]
    parts = ["<h2 id=scores>Scores</h2>", table(headers, rows, numeric=range(1, 9)),
             score_histogram(analysis["scores"])]
    if analysis["sessions"]:
        parts += ["<h3>Per session</h3>", session_histograms(analysis["sessions"])]
    return "\n".join(parts)


def _marks_row(row, label):
    return [label, f"{row['max_score']:g}", _percent(row["mean"]), _percent(row["full"]),
            _percent(row["partial"]), _percent(row["zero"])]


def questions_section(analysis):
    """Weakest questions first, then bars per session and per module, and the full table."""
    questions, sessions = analysis["questions"], analysis["sessions"]
    headers = ["question", "points", "mean", "full", "partial", "zero"]
    weakest = sorted(questions, key=lambda q: (q["mean"], q["full"], q["group"]))[:10]
    parts = ["<h2 id=questions>Questions</h2>",
             f'<p class=note>A question is a graded function (a test group). Shares are of the '
             f'{analysis["graded"]} submissions that could be graded; <span class=full>full</span>, partial '
             f'and <span class=zero>zero</span> marks.</p>',
             "<h3>The 10 weakest (lowest mean share of points)</h3>",
             table(headers, [_marks_row(q, q["group"]) for q in weakest], numeric=range(1, 6))]
    for session in sessions:
        rows = [q for q in questions if q["group"] in session["groups"]]
        parts += [f"<h3>{html.escape(_session_label(session))}</h3>", marks_bars(rows, "group")]
    parts += ["<h3>Per module</h3>", marks_bars(analysis["modules"], "module"),
              "<details><summary>All questions as a table</summary>",
              table(["question", "session", "path", "points", "mean", "full", "partial", "zero"],
                    [[q["group"], q["session"] or "", q["path"], *_marks_row(q, "")[1:]] for q in questions],
                    numeric=range(3, 8)),
              "</details>"]
    return "\n".join(parts)


def mistakes_section(analysis):
    mistakes = analysis["mistakes"]
    parts = ["<h2 id=mistakes>Most common diagnosed mistakes</h2>"]
    if not mistakes:
        parts.append("<p class=note>No test carried a diagnosis (extra_data.diagnosis).</p>")
        return "\n".join(parts)
    parts.append(f"<p class=note>Each mistake counted once per submission; {len(mistakes)} different "
                 f"mistakes in all{f', the {TOP_MISTAKES} most common shown' if len(mistakes) > TOP_MISTAKES else ''}."
                 f"</p>")
    rows = [[m["count"], _percent(m["share"]), m["id"], m["title"], ", ".join(m["groups"])]
            for m in mistakes[:TOP_MISTAKES]]
    parts.append(table(["submissions", "share", "mistake", "what it is", "questions it cost"], rows, numeric=(0, 1),
                       wide=True))
    return "\n".join(parts)


def problems_section(analysis):
    problems = analysis["problems"]
    parts = ["<h2 id=problems>Crashed or timed-out submissions</h2>"]
    if not problems:
        parts.append("<p class=note>None: every submission was graded, and no call of student code crashed "
                     "or hung.</p>")
        return "\n".join(parts)
    parts.append("<p class=note>Scope <i>submission</i>: grading failed as a whole and every test scored "
                 "zero. Scope <i>tests</i>: a call of the student's code crashed or hung in that many tests.</p>")
    rows = [[p["name"], p["scope"], p["kind"], p["tests"], p["detail"]] for p in problems]
    parts.append(table(["submission", "scope", "what", "tests", "message (the first)"], rows, numeric=(3,),
                       wide=True))
    return "\n".join(parts)


def timing_section(analysis):
    timing = analysis["timing"]
    parts = ["<h2 id=timing>Grading time</h2>"]
    if not timing["count"]:
        parts.append("<p class=note>No grading times recorded (.rnnlab-keys/&lt;name&gt;.seconds).</p>")
        return "\n".join(parts)
    parts.append(table(["submissions timed", "min", "median", "mean", "max", "total"],
                       [[timing["count"], *(f"{timing[k]:.1f} s" for k in ("min", "median", "mean", "max")),
                         f"{timing['total'] / 60:.1f} min"]], numeric=range(6)))
    plot, left_off, limit = time_histogram(timing)
    parts.append(plot)
    if left_off:
        parts.append(f"<p class=note>{left_off} slower than {limit:.0f} s (3 times the median) are left off the plot.</p>")
    slowest = sorted(timing["seconds"], key=lambda row: (-row["seconds"], row["name"]))[:SLOWEST]
    parts += [f"<h3>The {len(slowest)} slowest</h3>",
              table(["submission", "seconds"], [[row["name"], f"{row['seconds']:.1f}"] for row in slowest],
                    numeric=(1,))]
    return "\n".join(parts)


def render(analysis):
    """The whole page, as text, for an analysis.item_analysis dict."""
    body = "\n".join([
        f"<h1>rnnlab item analysis: {analysis['submissions']} submissions</h1>",
        f"<p>{analysis['graded']} graded, {analysis['submissions'] - analysis['graded']} could not be graded; "
        f"full marks are {analysis['max_score']:g} points. "
        '<a href="#scores">Scores</a> · <a href="#questions">Questions</a> · '
        '<a href="#mistakes">Mistakes</a> · <a href="#problems">Problems</a> · <a href="#timing">Grading time</a>'
        + (' · <a href="#similarity">Similar code</a>' if analysis.get("similarity") else "") + "</p>",
        '<p id="plot-check" class=note>Plots not checked (scripts are off).</p>',
        scores_section(analysis), questions_section(analysis), mistakes_section(analysis),
        problems_section(analysis), timing_section(analysis),
        *([similarity_section(analysis["similarity"])] if analysis.get("similarity") else []),
    ])
    plots = body.count('<img class="plot"')
    return (f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            f"<title>rnnlab item analysis</title>\n<style>{STYLE}</style>\n</head>\n"
            f'<body data-plots="{plots}">\n{body}\n<script>{CHECK_SCRIPT}</script>\n</body>\n</html>\n')


def similarity_section(similarity):
    """The most similar pairs of submissions, by the code they wrote; the first ones side by side."""
    parts = ["<h2 id=similarity>Similar code</h2>",
             f"<p class=note>{similarity['pairs']} pairs of {similarity['submissions']} submissions compared by "
             "winnowed fingerprints of the code they wrote (the stubs' code and docstrings left out; names and "
             "strings do not count). Similarity: the larger of the two shares of written code found in the "
             "other. A high share is a reason to look, not a finding: short functions written the natural way "
             "look alike.</p>"]
    rows = [[index + 1, f"{row['first']} · {row['second']}", _percent(row["similarity"]),
             f"{_percent(row['shares'][0])} / {_percent(row['shares'][1])}",
             ", ".join(f"{module} ({tokens})" for module, tokens in row["modules"][:4])]
            for index, row in enumerate(similarity["top"])]
    parts.append(table(["rank", "pair", "similarity", "shares (first / second)", "modules (shared tokens)"], rows,
                       numeric=(0, 2), wide=True))
    for index, row in enumerate(r for r in similarity["top"] if "highlights" in r):
        parts.append(f"<details{' open' if index == 0 else ''}><summary>{html.escape(row['first'])} and "
                     f"{html.escape(row['second'])}: {_percent(row['similarity'])}</summary>")
        for module, first, second in row["highlights"]:
            parts += [f"<h4><code>{html.escape(module)}</code></h4>", "<div class=side>",
                      f"<pre>{first}</pre>", f"<pre>{second}</pre>", "</div>"]  # escaped by highlight_overlap
        parts.append("</details>")
    return "\n".join(parts)

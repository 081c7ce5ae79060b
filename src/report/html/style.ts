/** The audit page's stylesheet, inlined into its <style>: the page loads nothing. */
export const STYLE = `
:root{--fg:#1f2430;--muted:#5f6b7a;--line:#dfe3ea;--bg:#fff;--panel:#f6f8fb;--err:#c62828;--err-bg:#fdecea;--warn:#b26a00;--warn-bg:#fff4e0;--note:#1565c0;--note-bg:#e8f0fe;--ok:#2e7d32;--ok-bg:#e8f5e9}
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Liberation Sans",sans-serif;color:var(--fg);background:var(--bg)}
header{padding:20px 28px 12px;border-bottom:1px solid var(--line);background:var(--panel)}
h1{margin:0 0 4px;font-size:24px}
h2{margin:28px 0 10px;font-size:19px;border-bottom:1px solid var(--line);padding-bottom:4px}
h3{margin:18px 0 6px;font-size:15px}
.label{margin:0;font-weight:600}
.meta{margin:2px 0 8px;color:var(--muted)}
nav a{margin-right:14px;color:var(--note);text-decoration:none}
main{padding:0 28px 24px}
footer{padding:12px 28px 28px;color:var(--muted);font-size:12px;border-top:1px solid var(--line)}
code{font:12px ui-monospace,SFMono-Regular,Menlo,Consolas,"Liberation Mono",monospace}
.cards{display:flex;flex-wrap:wrap;gap:12px}
.card{min-width:130px;padding:12px 16px;border:1px solid var(--line);border-radius:8px;background:var(--panel)}
.card .big{font-size:30px;font-weight:700;line-height:1.1}
.card .small{color:var(--muted);font-size:12px}
.card.score{min-width:220px}
.card.score.good .big{color:var(--ok)}.card.score.fair .big{color:var(--warn)}.card.score.poor .big{color:var(--err)}
.card.sev-error .big{color:var(--err)}.card.sev-warning .big{color:var(--warn)}.card.sev-note .big{color:var(--note)}.card.suppressed .big{color:var(--muted)}
.trend{font-size:12px;margin-top:4px}.trend.up{color:var(--ok)}.trend.down{color:var(--err)}.trend.same{color:var(--muted)}
.note{color:var(--muted)}
.empty{color:var(--muted)}
.gap{color:var(--err);font-weight:600}
.scroll{overflow-x:auto}
table{border-collapse:collapse;margin:6px 0 12px;width:100%}
th,td{border:1px solid var(--line);padding:4px 8px;text-align:left;vertical-align:top}
thead th{background:var(--panel);position:sticky;top:0}
tbody tr:nth-child(even){background:#fafbfc}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
td.has-error{color:var(--err);font-weight:600}td.has-warning{color:var(--warn);font-weight:600}td.has-note{color:var(--note)}
td.repo,.repo,td.loc,td.rule{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"Liberation Mono",monospace;font-size:12px}
td.loc,table.findings td.repo,td.rule{white-space:nowrap}
tr.status-error td.status{color:var(--err);font-weight:600}tr.status-warning td.status{color:var(--warn)}tr.status-clean td.status{color:var(--ok)}
.pill{display:inline-block;padding:0 7px;border-radius:9px;font-size:11px;font-weight:600}
.pill.sev-error{background:var(--err-bg);color:var(--err)}.pill.sev-warning{background:var(--warn-bg);color:var(--warn)}.pill.sev-note{background:var(--note-bg);color:var(--note)}
table.matrix{width:auto}
table.matrix th[scope=row]{font:12px ui-monospace,SFMono-Regular,Menlo,Consolas,"Liberation Mono",monospace;font-weight:400;white-space:nowrap}
.cov{text-align:center;white-space:nowrap;font-size:12px;padding:2px 8px;border-radius:3px}
span.cov{display:inline-block;margin:1px 0}
.cov.ok{background:var(--ok-bg);color:var(--ok)}
.cov.missing,.cov.no-pipeline{background:var(--err-bg);color:var(--err);font-weight:600}
.cov.not-gating{background:#ffe0cc;color:#a33d00;font-weight:600}
.cov.non-blocking{background:var(--warn-bg);color:var(--warn)}
.cov.not-required,.cov.unchecked{background:#f3f4f6;color:#8a94a6}
.cov.suppressed{opacity:.6;font-style:italic}
td.total{font-size:12px;text-align:center}
.graph{border:1px solid var(--line);border-radius:6px;background:#fcfcfd;margin:8px 0}
svg.wave-graph{display:block;font:11px system-ui,-apple-system,"Segoe UI",Roboto,"Liberation Sans",sans-serif}
svg .wave-label{font-weight:700;fill:var(--muted)}
svg .edge{fill:none;stroke:#8a94a6;stroke-opacity:.3;stroke-width:1}
svg .edge.violation{stroke:var(--err);stroke-opacity:.95;stroke-width:2.2}
svg .node rect{fill:#eef2f7;stroke:#9aa5b5}
svg .node.flagged rect{fill:var(--err-bg);stroke:var(--err);stroke-width:1.5}
svg .node text{fill:var(--fg);font:10px "DejaVu Sans Mono","Liberation Mono",Menlo,Consolas,monospace}
table.waves tr.flagged td{background:#fff7f6}
.dep{white-space:nowrap}.dep.violation{color:var(--err);font-weight:600}
.problem{font-size:12px}.problem.sev-error{color:var(--err)}.problem.sev-warning{color:var(--warn)}.problem.suppressed{color:var(--muted);font-style:italic}
td .origin,td .related{margin-top:2px;color:var(--muted);font:12px ui-monospace,SFMono-Regular,Menlo,Consolas,"Liberation Mono",monospace;overflow-wrap:anywhere}
td.loc a,td .origin a,td .related a{color:inherit}
details{border:1px solid var(--line);border-radius:6px;margin:6px 0;padding:4px 10px}
details summary{cursor:pointer;padding:2px 0}
details table{margin-top:6px}
@media print{nav{display:none}details{border:none}thead th{position:static}}
`;

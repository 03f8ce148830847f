/** The page's one inline stylesheet (the page loads nothing). */
export const CSS = `
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0; background: #f4f6f9; color: #1f2937; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
main { max-width: 1220px; margin: 0 auto; padding: 20px 24px 40px; }
h1 { font-size: 15px; font-weight: 600; color: #6b7280; margin: 0 0 10px; letter-spacing: .02em; }
h2 { font-size: 20px; margin: 0; }
h3 { font-size: 15px; margin: 18px 0 4px; }
code, pre { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "DejaVu Sans Mono", monospace; font-size: 12.5px; }
pre { white-space: pre-wrap; word-break: break-word; }
a { color: #1d4ed8; text-decoration: none; }
a:hover { text-decoration: underline; }
.muted { color: #6b7280; }
.small { font-size: 12px; }
.gate { border-radius: 10px; padding: 14px 18px; margin-bottom: 18px; color: #fff; }
.gate.pass { background: #15803d; }
.gate.fail { background: #b91c1c; }
.gate.none { background: #4b5563; }
.gate-left { margin-top: 8px; font-size: 13px; }
.gate-left ul { margin: 4px 0 0; padding-left: 20px; }
.gate-row { display: flex; flex-wrap: wrap; align-items: baseline; gap: 8px 20px; }
.gate-verdict { font-size: 26px; font-weight: 700; }
.gate-summary { font-size: 15px; opacity: .95; }
.gate-reasons { margin: 8px 0 0; padding-left: 20px; font-size: 13px; }
.gate-reasons li { margin: 3px 0; }
section { background: #fff; border: 1px solid #e5e7eb; border-radius: 10px; padding: 16px 18px; margin-bottom: 18px; }
section.scenario.fail { border-left: 6px solid #dc2626; }
section.scenario.error { border-left: 6px solid #a21caf; }
section.scenario.pass { border-left: 6px solid #16a34a; }
.overview h2, .findings h2 { margin-bottom: 10px; }
.scenario-head { display: flex; align-items: center; gap: 10px; }
.meta { color: #4b5563; margin: 4px 0; font-size: 13px; }
.badge { display: inline-block; font-weight: 700; font-size: 12px; letter-spacing: .05em; padding: 3px 9px; border-radius: 5px; color: #fff; }
.badge.pass { background: #16a34a; }
.badge.fail { background: #dc2626; }
.badge.error { background: #a21caf; }
.pill { display: inline-block; font-size: 11.5px; padding: 1px 7px; border-radius: 999px; border: 1px solid transparent; white-space: nowrap; }
.pill.fail { background: #fee2e2; color: #991b1b; border-color: #fecaca; }
.pill.warn { background: #ffedd5; color: #9a3412; }
.pill.plateau { background: #ede9fe; color: #5b21b6; }
.pill.ok { background: #dcfce7; color: #166534; }
.pill.muted { background: #f3f4f6; color: #4b5563; }
.pill.own { background: #dbeafe; color: #1e40af; }
.headline { margin: 10px 0 6px; font-size: 16px; padding: 8px 12px; border-radius: 8px; background: #f0fdf4; }
.headline.fail { background: #fef2f2; }
.headline strong { font-size: 20px; }
.headline .label { color: #6b7280; font-size: 13px; text-transform: uppercase; letter-spacing: .05em; margin-right: 4px; }
.headline .sep { color: #9ca3af; margin: 0 8px; }
.reasons { margin: 6px 0; padding-left: 20px; color: #991b1b; font-size: 13px; }
.notes { margin: 6px 0; padding-left: 20px; color: #92400e; font-size: 13px; }
.charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(520px, 1fr)); gap: 14px; margin: 12px 0; }
.chart-card { margin: 0; border: 1px solid #e5e7eb; border-radius: 8px; padding: 10px 12px; background: #fcfcfd; min-width: 0; }
.chart-card.over { border-color: #fca5a5; }
.chart-card figcaption { display: flex; align-items: center; gap: 8px; margin-bottom: 4px; }
.metric-name { font-weight: 600; }
.chart-card .slope { margin-left: auto; font-weight: 600; font-variant-numeric: tabular-nums; }
svg.chart { width: 100%; height: auto; display: block; }
.legend { display: flex; flex-wrap: wrap; gap: 4px 14px; font-size: 12px; color: #374151; margin-top: 4px; }
.legend span { display: inline-flex; align-items: center; gap: 5px; }
.facts { margin: 4px 0 0; font-size: 12px; color: #4b5563; }
.metric-reason { margin: 4px 0 0; font-size: 12px; color: #991b1b; }
.grid-table { border-collapse: collapse; width: 100%; }
.grid-table th { text-align: left; font-size: 12px; text-transform: uppercase; letter-spacing: .04em; color: #6b7280; font-weight: 600; border-bottom: 2px solid #e5e7eb; padding: 6px 8px; }
.grid-table td { border-bottom: 1px solid #f0f1f3; padding: 7px 8px; vertical-align: top; }
.grid-table.compact td { padding: 4px 8px; }
.grid-table .num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.overview tr.fail td { background: #fffafa; }
.overview .error-text { color: #86198f; }
.code-mini { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12px; color: #374151; background: #f3f4f6; border-radius: 4px; padding: 1px 6px; margin-top: 3px; white-space: pre-wrap; word-break: break-word; }
details { margin: 8px 0; }
details > summary { cursor: pointer; color: #1d4ed8; }
.metrics-table { font-size: 13px; }
.sites-table .rank { color: #9ca3af; width: 24px; }
.sites-table tr.lib .path { color: #4b5563; }
.sites-table tr.own .path { font-weight: 600; }
.held-by { margin: 16px 0; }
.holders { margin: 6px 0; padding-left: 22px; }
.holders li { margin: 0 0 10px; }
.holder-path { font-weight: 600; }
.holders .growth { margin: 2px 0; }
.explained { margin: 8px 0; padding: 6px 10px; border-radius: 6px; background: #f3f4f6; }
.explained.native { background: #ffedd5; color: #9a3412; }
.code-line { margin: 4px 0 2px; background: #1f2937; color: #f9fafb; padding: 6px 10px; border-radius: 6px; }
.traceback { margin: 2px 0; font-size: 12.5px; }
.traceback ol { margin: 4px 0; padding-left: 26px; }
.traceback li { color: #6b7280; }
.traceback li.own { color: #1f2937; font-weight: 600; }
.bar { height: 5px; background: #f3f4f6; border-radius: 3px; margin-top: 4px; width: 120px; margin-left: auto; }
.bar span { display: block; height: 5px; background: #ef4444; border-radius: 3px; }
.error-head { font-weight: 600; color: #86198f; margin: 10px 0 4px; }
pre.error-text { background: #1f2937; color: #f3f4f6; padding: 10px 12px; border-radius: 6px; max-height: 360px; overflow: auto; }
.sev { display: inline-block; font-size: 11.5px; font-weight: 700; padding: 1px 7px; border-radius: 4px; }
.sev.critical { background: #701a75; color: #fff; }
.sev.high { background: #dc2626; color: #fff; }
.sev.medium { background: #f59e0b; color: #1f2937; }
.sev.low { background: #e0f2fe; color: #075985; }
.findings-table tr.confirmed td { background: #fff7f7; }
.fix { margin-top: 4px; color: #374151; font-size: 13px; }
.fix-label { font-size: 11px; font-weight: 700; text-transform: uppercase; color: #15803d; margin-right: 4px; }
.count { display: inline-block; background: #e5e7eb; color: #374151; border-radius: 999px; padding: 0 9px; font-size: 13px; vertical-align: middle; }
footer { color: #9ca3af; font-size: 12px; text-align: center; }
@media print { body { background: #fff; } section { break-inside: avoid; } }
`;

// The page's look: readable on a laptop (the comparison fits 1366 px: short
// cells, headers that wrap; other wide tables scroll on their own, charts two
// abreast), printable, no web fonts (nothing to fetch).

export const STYLES = `
:root { --ink: #1d232b; --muted: #5b6673; --line: #d9dee4; --soft: #f4f6f8; --good: #1e7b34; --bad: #b3261e; --mid: #8a5a00; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: #fff; }
main { max-width: 1440px; margin: 0 auto; padding: 16px 24px 48px; }
h1 { font-size: 22px; margin: 8px 0 4px; }
h2 { font-size: 18px; margin: 32px 0 8px; padding-top: 8px; border-top: 1px solid var(--line); }
h3 { font-size: 16px; margin: 24px 0 8px; }
p, li { max-width: 110ch; }
.muted { color: var(--muted); }
nav { position: sticky; top: 0; background: #fff; border-bottom: 1px solid var(--line); padding: 6px 0; z-index: 2; }
nav a { margin-right: 14px; color: #2c6fbb; text-decoration: none; white-space: nowrap; }
section { scroll-margin-top: 40px; }
.banner { border-left: 4px solid var(--mid); background: #fff8e6; padding: 8px 12px; margin: 12px 0; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; margin: 8px 0; font-size: 13px; }
th, td { border-bottom: 1px solid var(--line); padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: var(--soft); font-weight: 600; vertical-align: bottom; }
td.num, th.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
th.num { white-space: normal; width: 6.5em; vertical-align: bottom; }
td.best { font-weight: 700; color: var(--good); }
td .note { font-size: 11px; line-height: 1.25; font-weight: 400; color: var(--muted); white-space: normal; min-width: 7em; margin-top: 1px; }
table.comparison th, table.comparison td { padding: 4px 6px; }
table.comparison th.num { width: auto; min-width: 4.5em; }
td.bad { color: var(--bad); }
.verdict { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 12px; font-weight: 600; white-space: nowrap; }
.verdict.holds { background: #e3f4e7; color: var(--good); }
.verdict.does-not-hold { background: #fbe5e3; color: var(--bad); }
.verdict.depends { background: #fff1d6; color: var(--mid); }
.verdict.not-measured { background: var(--soft); color: var(--muted); }
.claim-text { color: var(--muted); font-size: 12px; }
.charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(460px, 1fr)); gap: 12px 20px; }
.chart { min-width: 0; }
.shares { display: grid; grid-template-columns: max-content 1fr max-content; gap: 3px 10px; align-items: center; max-width: 520px; }
.bar { height: 12px; background: #0072B2; border-radius: 2px; }
.legend-markers span { margin-right: 14px; }
.fault { color: #c0392b; } .control { color: #2c6fbb; } .skipped { color: #888; }
pre { background: var(--soft); padding: 8px; overflow-x: auto; font-size: 12px; }
details { margin: 8px 0; }
@media print { nav { position: static; } .charts { grid-template-columns: 1fr 1fr; } }
`;

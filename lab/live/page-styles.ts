// What the live page adds to the report's styles: the status line, the health
// badges of the nodes and the panel's buttons.
export const LIVE_STYLES = `
.live-status { font-size: 15px; font-weight: 600; margin: 4px 0; font-variant-numeric: tabular-nums; }
.health { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 12px; font-weight: 600; }
.health.up { background: #e3f4e7; color: var(--good); }
.health.down { background: #fbe5e3; color: var(--bad); }
.health.draining, .health.disabled { background: #fff1d6; color: var(--mid); }
.step-fired, .step-done { color: var(--ink); }
.step-failed { color: var(--bad); }
.step-skipped, .step-pending { color: var(--muted); }
button { font: inherit; font-size: 12px; padding: 1px 8px; margin: 0 2px 2px 0; border: 1px solid var(--line); border-radius: 4px; background: var(--soft); cursor: pointer; }
button:disabled { opacity: 0.5; cursor: wait; }
#admin-result[data-state="failed"] { color: var(--bad); }
.strategy.finished h3::after { content: " (finished)"; color: var(--muted); font-weight: 400; }
.strategy.running h3::after { content: " (running)"; color: var(--good); font-weight: 400; }
`;

/**
 * The page's "Held by" block, shown above a scenario's leak sites: each container that grew during the
 * attribution pass with its path from a root, its growth per iteration, the line of the user's code that
 * puts entries in and the findings it confirms; then how much of the growth that explains, or that the
 * growth is outside the Python heap (docs/held-by.md). Only drawing: every figure is the report's.
 */
import type { Explained, HeldBy, ScenarioReport } from '../../model/report.js';
import { explainedLine, holderFindings, holderGrowth, holderName } from '../held-by.js';
import { e, num } from './format.js';

function renderHolder(h: HeldBy): string {
  const findings = holderFindings(h);
  const tie = h.findings
    ? h.findings.length
      ? `<span class="pill fail">${e(findings)}</span>`
      : `<span class="pill warn">${e(findings)}</span>`
    : '';
  const at = h.addedAt
    ? `<div class="added">added by ${h.ownCode ? '<span class="pill own">your code</span>' : 'library code'} at <code class="path">${e(h.addedAt)}</code></div>${
        h.code ? `<pre class="code-line">${e(h.code)}</pre>` : ''
      }`
    : '<div class="muted">where entries are added is unknown</div>';
  const what = `${e(h.type)}${h.entryType ? ` of ${e(h.entryType)}` : ''}, ${e(num(h.entries).toLocaleString('en-US'))} entries`;
  return [
    `<li class="holder${h.ownCode ? ' own' : ''}">`,
    `<div><code class="path holder-path">${e(holderName(h))}</code> <span class="muted">${what}</span> ${tie}</div>`,
    `<div class="growth"><strong>${e(holderGrowth(h))}</strong></div>`,
    at,
    '</li>',
  ].join('\n');
}

function renderExplained(x: Explained): string {
  const kind = x.outsidePythonHeap ? 'native' : x.share >= 0.5 ? 'most' : 'part';
  return `<p class="explained ${kind}">${e(explainedLine(x))}</p>`;
}

/** The block, or '' when the held-by search did not run and nothing was explained. */
export function renderHeldBy(s: ScenarioReport): string {
  const holders = Array.isArray(s.heldBy) ? s.heldBy : [];
  if (!s.holdersSearch && !holders.length && !s.explained) return '';
  const out = ['<div class="held-by">', '<h3>Held by</h3>'];
  if (holders.length) {
    out.push(
      '<p class="muted">Containers that grew with the iterations of the attribution pass, what each keeps per iteration, and the line that puts entries in.</p>',
      `<ol class="holders">\n${holders.map(renderHolder).join('\n')}\n</ol>`,
    );
  } else if (s.holdersSearch) {
    out.push('<p class="muted">No container grew with the iterations.</p>');
  }
  if (s.holdersSearch?.gaveUp)
    out.push(`<p class="muted">The search stopped early: ${e(s.holdersSearch.gaveUp)}</p>`);
  if (s.explained) out.push(renderExplained(s.explained));
  out.push('</div>');
  return out.join('\n');
}

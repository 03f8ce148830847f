/** SARIF 2.1.0: one run, heapgate's rules with their help text, one result per finding. */
import { createHash } from 'node:crypto';
import type { Severity } from '../model/static.js';
import type { Rule } from '../static/rule.js';
import { ALL_RULES } from '../static/rules/index.js';
import type { Report } from '../model/report.js';
import { holderLine } from './held-by.js';

const LEVELS: Record<Severity, 'error' | 'warning' | 'note'> = {
  CRITICAL: 'error',
  HIGH: 'error',
  MEDIUM: 'warning',
  LOW: 'note',
};

/** GitHub code scanning sorts by this 0–10 score. */
const SECURITY_SEVERITY: Record<Severity, string> = {
  CRITICAL: '9.0',
  HIGH: '7.0',
  MEDIUM: '5.0',
  LOW: '2.0',
};

export function renderSarif(report: Report): string {
  const reported = new Set(report.static?.rules ?? ALL_RULES.map((r) => r.meta.id));
  for (const f of report.findings) reported.add(f.rule);
  const rules = ALL_RULES.filter((r) => reported.has(r.meta.id));
  const index = new Map(rules.map((r, i) => [r.meta.id, i]));

  const results = report.findings.map((f) => ({
    ruleId: f.rule,
    ruleIndex: index.get(f.rule),
    level: LEVELS[f.severity],
    message: { text: `${f.message} Fix: ${f.fix}` },
    locations: [
      {
        physicalLocation: {
          artifactLocation: { uri: encodeURI(f.file), uriBaseId: '%SRCROOT%' },
          region: {
            startLine: f.line,
            startColumn: f.column,
            endLine: f.endLine,
            endColumn: f.endColumn,
          },
        },
        ...(f.function ? { logicalLocations: [{ fullyQualifiedName: f.function, kind: 'function' }] } : {}),
      },
    ],
    partialFingerprints: {
      'heapgate/v1': createHash('sha1')
        .update([f.rule, f.file, f.function ?? '', f.message].join('\0'))
        .digest('hex'),
    },
    properties: { severity: f.severity, confidence: f.confidence, dynamic: f.dynamic, shortId: f.shortId },
  }));

  // Confirmed leak sites of failing scenarios: where the run saw memory grow, in the project's own files.
  const leakResults = report.scenarios
    .filter((scenario) => scenario.verdict === 'fail')
    .flatMap((scenario) =>
      scenario.leakSites
        .filter((site) => !site.file.startsWith('/') && !site.file.startsWith('<'))
        .slice(0, 5)
        .map((site) => ({
          ruleId: LEAK_SITE_RULE.id,
          ruleIndex: rules.length,
          level: 'error' as const,
          message: {
            text:
              `Scenario '${scenario.name}' failed its memory budget; allocations here grew ${site.sizeDiffBytes} bytes ` +
              `(${site.countDiff} blocks) over ${scenario.attributionIterations ?? 'the'} iterations of the leak-site pass` +
              (site.code ? `: ${site.code}` : '.'),
          },
          locations: [
            {
              physicalLocation: {
                artifactLocation: { uri: encodeURI(site.file), uriBaseId: '%SRCROOT%' },
                region: { startLine: Math.max(1, site.line) },
              },
            },
          ],
          partialFingerprints: {
            'heapgate/v1': createHash('sha1')
              .update(['leak', scenario.name, site.file, site.line].join('\0'))
              .digest('hex'),
          },
          properties: { scenario: scenario.name, traceback: site.traceback },
        })),
    );

  // What keeps the memory alive, at the project's own line that puts entries in.
  const heldResults = report.scenarios
    .filter((scenario) => scenario.verdict === 'fail')
    .flatMap((scenario) =>
      (scenario.heldBy ?? [])
        .filter((h) => h.ownCode && h.addedAt && !h.addedAt.startsWith('/') && !h.addedAt.startsWith('<'))
        .map((h) => {
          const at = h.addedAt!.lastIndexOf(':');
          const file = h.addedAt!.slice(0, at);
          const line = Number(h.addedAt!.slice(at + 1));
          return {
            ruleId: HELD_BY_RULE.id,
            ruleIndex: rules.length + 1,
            level: 'error' as const,
            message: { text: `Scenario '${scenario.name}' failed its memory budget: ${holderLine(h)}` },
            locations: [
              {
                physicalLocation: {
                  artifactLocation: { uri: encodeURI(file), uriBaseId: '%SRCROOT%' },
                  region: { startLine: Math.max(1, line) },
                },
              },
            ],
            partialFingerprints: {
              'heapgate/v1': createHash('sha1')
                .update(['held', scenario.name, h.path ?? h.type, file, line].join('\0'))
                .digest('hex'),
            },
            properties: {
              scenario: scenario.name,
              path: h.path,
              entriesPerIteration: h.entriesPerIteration,
              bytesPerIteration: h.bytesPerIteration,
              ...(h.findings ? { findings: h.findings } : {}),
            },
          };
        }),
    );

  const sarif = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'heapgate',
            version: report.tool.version,
            semanticVersion: report.tool.version,
            informationUri: 'https://github.com/heapgate/heapgate',
            rules: [...rules.map(sarifRule), LEAK_SITE_RULE, HELD_BY_RULE],
          },
        },
        ...(report.static
          ? { originalUriBaseIds: { '%SRCROOT%': { uri: toFileUri(report.static.root) } } }
          : {}),
        results: [...results, ...leakResults, ...heldResults],
        ...(report.gate.summary
          ? { properties: { gate: report.gate.summary, coverage: report.gate.coverage ?? null } }
          : {}),
        invocations: [
          {
            executionSuccessful: true,
            toolExecutionNotifications: (report.problems ?? []).map((p) => ({
              level: 'warning',
              message: { text: `${p.kind}: ${p.message}` },
              locations: [
                {
                  physicalLocation: {
                    artifactLocation: { uri: encodeURI(p.file), uriBaseId: '%SRCROOT%' },
                    ...(p.line ? { region: { startLine: p.line } } : {}),
                  },
                },
              ],
            })),
          },
        ],
      },
    ],
  };
  return `${JSON.stringify(sarif, null, 2)}\n`;
}

/** The rule every confirmed leak site is reported under. */
const LEAK_SITE_RULE = {
  id: 'HEAPGATE_LEAK_SITE',
  name: 'leak-site',
  shortDescription: { text: 'Memory allocated here kept growing while a scenario drove the service.' },
  fullDescription: {
    text:
      'A scenario failed its memory budget and tracemalloc attributed the growth to this line of the ' +
      "project's own code (the innermost frame of the allocation's traceback in the project).",
  },
  help: {
    text:
      'Find what keeps the objects allocated here alive across requests (a module-level container, a cache ' +
      'without a bound, a registry, a closure) and bound it or release the objects when the request ends.',
    markdown:
      'Find what keeps the objects allocated here alive across requests (a module-level container, a cache ' +
      'without a bound, a registry, a closure) and bound it or release the objects when the request ends. ' +
      'The HTML report shows the growth chart and the full traceback.',
  },
  defaultConfiguration: { level: 'error' },
  properties: { tags: ['memory', 'leak', 'dynamic'], precision: 'high', 'security-severity': '7.0' },
};

function sarifRule(rule: Rule) {
  const { meta } = rule;
  const text = [meta.docs.what, '', `Why it hurts: ${meta.docs.why}`, '', `Fix: ${meta.docs.fix}`].join('\n');
  const markdown = [
    `**${meta.shortId} ${meta.id}** — ${meta.summary}`,
    '',
    `### What it finds`,
    meta.docs.what,
    '',
    '### Why it hurts a long-running service',
    meta.docs.why,
    '',
    '### Example',
    '```python',
    meta.docs.example,
    '```',
    '',
    '### Fix',
    meta.docs.fix,
    '```python',
    meta.docs.fixedExample,
    '```',
  ].join('\n');
  return {
    id: meta.id,
    name: meta.name,
    shortDescription: { text: meta.summary },
    fullDescription: { text: meta.docs.what },
    help: { text, markdown },
    defaultConfiguration: { level: LEVELS[meta.severity] },
    properties: {
      shortId: meta.shortId,
      tags: ['memory', 'reliability', meta.shortId],
      precision: meta.confidence === 'high' ? 'high' : meta.confidence === 'medium' ? 'medium' : 'low',
      'security-severity': SECURITY_SEVERITY[meta.severity],
    },
  };
}

function toFileUri(absPath: string): string {
  const withSlash = absPath.endsWith('/') ? absPath : `${absPath}/`;
  return `file://${encodeURI(withSlash.replace(/\\/g, '/'))}`;
}

/** The rule every holder is reported under, at the project's line that puts entries in (docs/held-by.md). */
const HELD_BY_RULE = {
  id: 'HEAPGATE_HELD_BY',
  name: 'held-by',
  shortDescription: { text: 'A container grew by entries added here while a scenario drove the service.' },
  fullDescription: {
    text:
      'A scenario failed its memory budget, and a dict, list, set, deque, registry or traceback chain grew ' +
      "with the iterations; this is the project's own line that puts entries in, and the message names the " +
      'container by its path from a module, class or function.',
  },
  help: {
    text:
      'Bound the container (a maximum size, an LRU, a TTL), remove entries when the request ends, or stop ' +
      'creating a new key per request (a logger or metric label per id, a kept exception re-raised).',
    markdown:
      'Bound the container (a maximum size, an LRU, a TTL), remove entries when the request ends, or stop ' +
      'creating a new key per request (a logger or metric label per id, a kept exception re-raised). See ' +
      '[held by](https://github.com/heapgate/heapgate/blob/main/docs/held-by.md).',
  },
  defaultConfiguration: { level: 'error' },
  properties: { tags: ['memory', 'leak', 'dynamic'] },
};

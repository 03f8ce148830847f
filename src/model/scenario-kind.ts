/**
 * What one iteration of a scenario is, by the scenario's kind: an HTTP request, an in-process call, a
 * WebSocket connection. Every text that counts iterations in people's terms ("MB per million
 * connections") takes its noun from here, so the verdict's reasons and every report format agree.
 */
export const SCENARIO_KINDS = ['request', 'call', 'websocket'] as const;
export type ScenarioKind = (typeof SCENARIO_KINDS)[number];

export interface IterationNoun {
  one: string;
  many: string;
}

const NOUNS: Record<ScenarioKind, IterationNoun> = {
  request: { one: 'request', many: 'requests' },
  call: { one: 'call', many: 'calls' },
  websocket: { one: 'connection', many: 'connections' },
};

/** The noun for one iteration of this kind; requests when the kind is unknown (reports that predate it). */
export function iterationNoun(kind: ScenarioKind | undefined): IterationNoun {
  return NOUNS[kind ?? 'request'];
}

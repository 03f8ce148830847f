/**
 * The gate against a real FastAPI service whose flagged route takes a pydantic model and a required
 * query parameter: the generated scenario must send what the handler declares. A request FastAPI
 * rejects (422) never reaches the handler, so a leak confirmed at the handler's own line shows the
 * generated requests were accepted.
 */
import { describe, expect, it } from 'vitest';
import { gate } from '../helpers/gate.js';
import { DEBIAN_PYTHON } from '../helpers/soak.js';

/** The line of `ORDERS.append(...)` in the fixture's create_order. */
const STORE_LINE = 27;

describe('analyze --enable-memory-budget-gate, request body from the handler', () => {
  it('FastAPI + pydantic model: the generated scenario sends the model, the gate fails, the leak is confirmed', async () => {
    const { exitCode, report } = await gate('fastapi-model', [
      '--iterations',
      '1500',
      '--target',
      `${DEBIAN_PYTHON} -m uvicorn app:app --port {port}`,
    ]);

    // The static phase read the model: one key per field, the nested model as an object.
    const route = report.routes?.find((r) => r.method === 'POST' && r.path === '/orders');
    expect(route?.request?.query.map((q) => q.name)).toEqual(['channel']);
    const body = route?.request?.body?.value;
    expect(body?.kind === 'object' && body.fields.map((f) => [f.name, f.value.kind, f.required])).toEqual([
      ['customer', 'str', true],
      ['total', 'float', true],
      ['primary', 'object', true],
      ['lines', 'list', false],
      ['note', 'str', false],
    ]);

    expect(exitCode).toBe(1);
    expect(report.findings).toHaveLength(1);
    expect(report.findings[0]).toMatchObject({
      rule: 'RELIABILITY_UNBOUNDED_GLOBAL',
      function: 'create_order',
      line: STORE_LINE,
      dynamic: 'confirmed',
    });
    const [scenario, ...swept] = report.scenarios;
    expect(swept.every((s) => s.phase === 'sweep')).toBe(true);
    expect(scenario).toMatchObject({ generated: true, verdict: 'fail' });
    // Only a request FastAPI accepted runs the handler's line.
    expect(scenario.leakSites.some((s) => s.file === 'app.py' && s.line === STORE_LINE)).toBe(true);
  });
});

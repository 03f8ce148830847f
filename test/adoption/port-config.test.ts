/** Issue 16, item 4: `--port N` and `port` in [tool.heapgate] — the port a service of its own choosing uses. */
import { describe, expect, it } from 'vitest';
import { resolveDynamicOptions } from '../../src/config/dynamic.js';
import { UsageError } from '../../src/errors.js';

const config = (table: Record<string, unknown>) => ({ file: 'pyproject.toml', table });

describe('the port option', () => {
  it('is null unless given: heapgate then gives a free port, or finds the one the service opens', () => {
    expect(resolveDynamicOptions({}, null, '/tmp').port).toBeNull();
  });

  it('is read from the flag, and from the config (a number or a string)', () => {
    expect(resolveDynamicOptions({ port: '8080' }, null, '/tmp').port).toBe(8080);
    expect(resolveDynamicOptions({}, config({ port: 8081 }), '/tmp').port).toBe(8081);
    expect(resolveDynamicOptions({}, config({ port: '8082' }), '/tmp').port).toBe(8082);
    expect(resolveDynamicOptions({ port: '9000' }, config({ port: 8081 }), '/tmp').port).toBe(9000);
  });

  it('refuses what is not a TCP port, naming the flag or the key', () => {
    for (const bad of ['0', '65536', 'http', '-1', '80.5']) {
      expect(() => resolveDynamicOptions({ port: bad }, null, '/tmp')).toThrow(
        new UsageError(`--port: expected a TCP port from 1 to 65535, got '${bad}'`),
      );
    }
    expect(() => resolveDynamicOptions({}, config({ port: 70000 }), '/tmp')).toThrow(
      "pyproject.toml: [tool.heapgate] port: expected a TCP port from 1 to 65535, got '70000'",
    );
  });
});

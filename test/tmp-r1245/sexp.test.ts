import { it } from 'vitest';
import { pythonParser, parsePython } from '../../src/static/parse.js';
it('dump', async () => {
  const p = await pythonParser();
  const code = `X: dict[str, int] = {}
A = B = []
@functools.lru_cache(maxsize=None)
def f(x): del X[k], Y[1]
global_thing = lambda e: EVENTS.append(e)
def g():
    global X
    X |= {1}
    X = X + [1]
    if not logger.handlers: pass
`;
  const t = parsePython(p, code);
  console.log(t.rootNode.toString());
});

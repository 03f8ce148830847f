/**
 * R6 app-registry: a collection that lives as long as the service without being a module-level name —
 * in application state (`request.app["websockets"]`, `app.state.events`) or on a long-lived instance
 * (`manager = ConnectionManager()` whose `self.active` grows) — grows per request and is never shrunk,
 * or shrunk only when nothing raised first. The analysis is semantics/registries.
 */
import { qualifiedName, type Node } from '../pyast.js';
import type { Rule, RuleMeta, ScanFacts } from '../rule.js';
import { appRegistries, growthVerdict, instanceRegistries, type Registry } from '../semantics/registries.js';
import { importTimeReason } from '../semantics/run-once.js';

/** What the rule reports, why, and what confirms it when the service runs (docs/rules.md is built from it). */
const meta: RuleMeta = {
  id: 'RELIABILITY_APP_REGISTRY',
  shortId: 'R6',
  name: 'app-registry',
  severity: 'HIGH',
  confidence: 'high',
  summary:
    'A collection in application state or on a long-lived object grows per request and is not shrunk on every path.',
  fix: 'Remove the entry in a `finally` block of the function that adds it, or bound the collection.',
  docs: {
    what:
      'Collections that live as long as the app but are not module-level names (R1 covers those): ' +
      'entries of the application state — `app["websockets"]`, `request.app["clients"]`, ' +
      '`self.request.app[...]`, `request.config_dict[...]`, `app[ws_key]` under a module-level key ' +
      "(aiohttp's `web.AppKey`), `app.state.events`, `request.app.state.x` — " +
      'and collection attributes (`self.active = []` in `__init__`) of a class the module instantiates ' +
      'once at module level (`manager = ConnectionManager()`) or stores on the app. Reported when a ' +
      'function grows one (`.add/.append/.update/...`, `x[k] = v`, `x[k][j] = v`) and either nothing in ' +
      'the file removes entries except shutdown code (`on_shutdown`, `cleanup`, `close`), or the only ' +
      'removal is later in the same function, outside `finally`, after the function waits (`async for ' +
      'msg in ws`, an `await`): an exception or a cancellation while it waits skips it (medium ' +
      'confidence). Fixed keys (`app["ready"] = True`, `app["hits"] += 1`) and growth at import or ' +
      'start-up are left alone.',
    why:
      'Application state and a module-level manager object live as long as the process, exactly like a ' +
      'global. A websocket handler that adds its connection to `app["websockets"]` and removes it only ' +
      'when the message loop ends normally keeps every connection whose handler raised or was cancelled ' +
      '(a client that vanished, a malformed message): the socket, its buffers and everything the ' +
      'handler captured stay reachable, and broadcasts keep writing to dead peers.',
    example: [
      'from aiohttp import web',
      '',
      'async def ws_handler(request):',
      '    ws = web.WebSocketResponse()',
      '    await ws.prepare(request)',
      '    request.app["websockets"].add(ws)',
      '    async for msg in ws:',
      '        await broadcast(request.app, msg.json())',
      '    request.app["websockets"].discard(ws)   # skipped when the loop raises',
      '    return ws',
    ].join('\n'),
    knownProblems:
      'A removal in another function (a `disconnect()` method, an `on_close` callback) counts as a bound ' +
      'even when it is called only on some paths; growth through a local alias (`clients = ' +
      'request.app["clients"]; clients.add(ws)`) and instances kept anywhere but at module level or on ' +
      'the app are not followed; a registry keyed by a small fixed set of values (rooms from a ' +
      'configuration) is reported although it stays small.',
    fixedExample: [
      'from aiohttp import web',
      '',
      'async def ws_handler(request):',
      '    ws = web.WebSocketResponse()',
      '    await ws.prepare(request)',
      '    request.app["websockets"].add(ws)',
      '    try:',
      '        async for msg in ws:',
      '            await broadcast(request.app, msg.json())',
      '    finally:',
      '        request.app["websockets"].discard(ws)',
      '    return ws',
    ].join('\n'),
    fix:
      'Remove the entry in a `finally` block around the code that waits (or use a `WeakSet` for ' +
      'connections), and give registries keyed by user input a bound or an expiry.',
    references: [
      {
        title: 'aiohttp docs, graceful shutdown: keep websockets in app state, remove them in finally',
        url: 'https://docs.aiohttp.org/en/stable/web_advanced.html#graceful-shutdown',
      },
      {
        title:
          'FastAPI docs, WebSockets: a ConnectionManager whose active_connections lose a client on disconnect',
        url: 'https://fastapi.tiangolo.com/advanced/websockets/#handling-disconnections-and-multiple-clients',
      },
      {
        title:
          'aiohttp #2309: handler cancelled when the client disconnects, code after the await never runs',
        url: 'https://github.com/aio-libs/aiohttp/issues/2309',
      },
    ],
  },
  dynamic: { metrics: ['heap'], reproduce: 'repeated-calls' },
};

/** Text a statement must hold to grow or shrink an app registry. */
const APP_STATE = /\bapp\s*(?:\[|\.\s*state\b)|\bconfig_dict\s*\[/;
/** A class that sets up a collection attribute (`self.active = []`, `self.seen = set()`). */
const SELF_COLLECTION =
  /\bself\s*\.\s*\w+\s*(?::[^=\n]*)?=(?!=)\s*(?:[[{]|(?:[\w.]+\.)?(?:dict|list|set|defaultdict|OrderedDict|deque|Counter)\s*\()/;
const CLASS_NAME = /^[ \t]*(?:@[^\n]*\n[ \t]*)*class[ \t]+([A-Za-z_]\w*)/m;

/**
 * The classes that set up a collection attribute, and the module-level names their instances are
 * bound to: the statements naming them hold the class, its instance and uses through the instance.
 */
function instanceWords(facts: ScanFacts): string[] {
  const classes: string[] = [];
  for (const block of facts.blocks) {
    if (block.head !== 'class' && block.head !== '@') continue;
    const text = facts.source.slice(block.start, block.end);
    const name = CLASS_NAME.exec(text)?.[1];
    if (name && SELF_COLLECTION.test(text)) classes.push(name);
  }
  if (classes.length === 0) return [];
  const words = [...classes];
  const instance = new RegExp(
    `^([A-Za-z_]\\w*)[ \\t]*(?::[^=\\n]*)?=[ \\t]*(?:${classes.join('|')})[ \\t]*\\(`,
    'gm',
  );
  for (const match of facts.source.matchAll(instance)) words.push(match[1]);
  return words;
}

function label(scope: Node): string {
  return scope.type === 'lambda' ? 'a lambda' : `${qualifiedName(scope)}()`;
}

export const appRegistry: Rule = {
  meta,
  trigger: { test: (text) => APP_STATE.test(text), fileWords: instanceWords },
  check(context) {
    const registries: Registry[] = [
      ...appRegistries(context.root, context.imports),
      ...instanceRegistries(context.root, context.imports),
    ];
    for (const registry of registries) {
      const reported = new Set<number>();
      for (const grow of registry.grows) {
        if (reported.has(grow.scope.id)) continue;
        if (importTimeReason(grow.scope, grow.site, context.source, context.imports)) continue;
        const verdict = growthVerdict(registry, grow);
        if (!verdict) continue;
        reported.add(grow.scope.id);
        const start = `${registry.label} grows in ${label(grow.scope)} via \`${grow.what ?? 'an insertion'}\``;
        context.report(grow.site, {
          message:
            verdict.kind === 'never'
              ? `${start} and nothing but shutdown code removes entries: it lives as long as the app.`
              : `${start} and is shrunk at line ${verdict.shrink.startPosition.row + 1} only when the ` +
                'function gets there: an exception or a cancellation while it waits skips it.',
          confidence: verdict.kind === 'never' ? 'high' : 'medium',
        });
      }
    }
  },
};

/**
 * Entry points: the functions a framework, a worker or a loop runs again and again (a route, a
 * websocket handler, a task-queue job, a scheduler job, a signal receiver, a bot command, an event
 * handler method, the body of a `while True` loop), and those it runs once (start-up hooks, CLI and
 * management commands, migrations). Read from decorators, class bases, method names and the call a
 * function is handed to, as the source spells them.
 */
import { ONCE_NAMES } from '../semantics/run-once.js';
import { blockEnd, codeOf, decoratorsOf, qualifiedNameOf, textOf, type Outline } from './outline.js';

export interface EntryPoint {
  frequency: 'repeated' | 'once' | 'test';
  /** How a report names it: `task send_report (@shared_task)`, `start-up hook init_db (@app.on_event)`. */
  label: string;
}

/** What the file imports at its top: root module names (`click`, `typer`, `invoke`). */
export type ImportedRoots = ReadonlySet<string>;

const SHORT = 60;

function shorten(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > SHORT ? `${flat.slice(0, SHORT - 1)}…` : flat;
}

/** `@app.route("/x")` → `app.route` and `("/x")`. */
function splitDecorator(text: string): { dotted: string; args: string } | null {
  const match = /^@\s*([\w.]+)\s*(\([\s\S]*)?$/.exec(text.trim());
  return match ? { dotted: match[1], args: match[2] ?? '' } : null;
}

const ROUTE_TAILS = new Set([
  'route',
  'get',
  'post',
  'put',
  'patch',
  'delete',
  'head',
  'options',
  'api_route',
  'view_config',
  'api_view',
  'action',
  'endpoint',
]);
const WEBSOCKET_TAILS = new Set(['websocket', 'websocket_route', 'ws', 'ws_route']);
const TASK_TAILS = new Set([
  'task',
  'shared_task',
  'db_task',
  'actor',
  'job',
  'background_task',
  'huey_task',
  'celery_task',
]);
const SCHEDULE_TAILS = new Set([
  'periodic_task',
  'db_periodic_task',
  'scheduled_job',
  'cron',
  'interval',
  'loop',
  'every',
  'repeat_every',
  'periodic',
  'scheduled',
  'repeat',
]);
const EVENT_TAILS = new Set([
  'on',
  'event',
  'listener',
  'listens_for',
  'receiver',
  'message_handler',
  'callback_query_handler',
  'inline_handler',
  'edited_message_handler',
  'channel_post_handler',
  'handler',
  'subscribe',
  'subscriber',
  'consumer',
  'rule',
  'rule_lazy',
  'find',
  'search',
  'event_handler',
  'hookimpl',
  'webhook',
]);
const COMMAND_TAILS = new Set([
  'command',
  'commands',
  'group',
  'subcommand',
  'hybrid_command',
  'hybrid_group',
  'slash_command',
  'user_command',
  'message_command',
  'nickname_command',
  'nickname_commands',
  'action_command',
  'action_commands',
  'botcmd',
  're_botcmd',
  'arg_botcmd',
  'botmatch',
  'cmdfilter',
  'command_handler',
]);
const HOOK_TAILS = new Set([
  'before_request',
  'after_request',
  'teardown_request',
  'teardown_appcontext',
  'before_app_request',
  'after_app_request',
  'errorhandler',
  'app_errorhandler',
  'exception_handler',
  'middleware',
  'context_processor',
  'app_context_processor',
  'url_value_preprocessor',
  'url_defaults',
  'user_loader',
  'request_loader',
  'header_loader',
  'token_loader',
  'verify_password',
  'verify_token',
  'get_password',
  'template_filter',
  'app_template_filter',
  'template_global',
  'error_handler',
  'auth_required',
]);
const STARTUP_TAILS = new Set([
  'before_first_request',
  'before_serving',
  'after_serving',
  'startup',
  'shutdown',
  'on_startup',
  'on_shutdown',
  'lifespan',
  'asynccontextmanager_lifespan',
]);
/** Signals (Django, Celery, Flask) that fire once per process or per deployment. */
const ONCE_SIGNALS =
  /\b(?:\w*(?:init|ready|setup|configure|configured|startup|start|migrate|prepared|shutdown|loaded|import_modules))\b/i;
/**
 * Bot events that mean "connected" or "loaded": they fire once (or once per reconnect): discord's
 * `on_ready` and `on_resumed`, IRC's `on_welcome` (the server's 001 reply, once per connection). Not
 * `on_connect`: a socket.io or websocket namespace's `on_connect` runs per client.
 */
const ONCE_EVENTS =
  /^(?:on_ready|on_resumed|on_welcome|on_startup|on_shutdown|setup_hook|cog_load|cog_unload|on_load|on_unload|on_connect_once|startup|shutdown)$/;
const CLI_ROOTS = ['click', 'typer', 'cleo', 'fire', 'docopt', 'cliff', 'plac'];

/** How a report names a run-once event: per connection (`on_welcome`, `on_resumed`) or at start-up. */
function onceEventKind(name: string): string {
  return /^on_(?:welcome|resumed)$/.test(name) ? 'once-per-connection event' : 'start-up event';
}

/** An entry point named by a decorator line, or null. */
export function decoratorEntry(
  decorator: string,
  qual: string,
  name: string,
  roots: ImportedRoots,
): EntryPoint | null {
  const split = splitDecorator(decorator);
  if (!split) return null;
  const { dotted, args } = split;
  const segments = dotted.split('.');
  const tail = segments[segments.length - 1];
  const root = segments[0];
  const shown = `@${shorten(dotted + (args ? args : ''))}`;
  const entry = (frequency: EntryPoint['frequency'], kind: string): EntryPoint => ({
    frequency,
    label: `${kind} ${qual} (${shown})`,
  });
  if (root === 'pytest' || tail === 'fixture' || tail === 'yield_fixture')
    return entry('test', 'test fixture');
  if (STARTUP_TAILS.has(tail)) return entry('once', 'start-up hook');
  if (tail === 'on_event' || tail === 'listener' || tail === 'on') {
    if (/startup|shutdown|server_start|server_stop|before_start|after_start|before_stop/i.test(args)) {
      return entry('once', 'start-up hook');
    }
  }
  if (tail === 'connect' || tail === 'receiver') {
    const signal = tail === 'connect' ? segments.slice(0, -1).join('.') : args;
    return ONCE_SIGNALS.test(signal)
      ? entry('once', 'start-up signal')
      : entry('repeated', 'signal receiver');
  }
  if (COMMAND_TAILS.has(tail)) {
    const cli =
      CLI_ROOTS.some((r) => roots.has(r)) ||
      segments.includes('cli') ||
      root === 'manager' ||
      root === 'click' ||
      root === 'typer';
    return cli ? entry('once', 'CLI command') : entry('repeated', 'command');
  }
  if (TASK_TAILS.has(tail)) {
    if (roots.has('invoke') || roots.has('fabric') || roots.has('fabric2')) return entry('once', 'CLI task');
    return entry('repeated', 'task');
  }
  if (SCHEDULE_TAILS.has(tail)) return entry('repeated', 'scheduled job');
  if (WEBSOCKET_TAILS.has(tail)) return entry('repeated', 'websocket handler');
  if (ROUTE_TAILS.has(tail)) {
    // `@x.get` is a route only with a receiver (`@app.get("/")`); a bare `@get` could be anything.
    if (segments.length < 2 && tail !== 'route' && tail !== 'api_view' && tail !== 'view_config') return null;
    return entry('repeated', 'route');
  }
  if (EVENT_TAILS.has(tail)) {
    if (ONCE_EVENTS.test(name)) return entry('once', onceEventKind(name));
    return entry('repeated', 'event handler');
  }
  if (HOOK_TAILS.has(tail)) return entry('repeated', 'request hook');
  return null;
}

/** Bases of request handlers, views, consumers and middleware: their handler methods run per request. */
const HANDLER_BASES =
  /\b(?:\w*View|\w*ViewSet|\w*APIView|\w*RequestHandler|\w*Handler|\w*Resource|HTTPEndpoint|WebSocketEndpoint|\w*Consumer|MethodView|\w*Middleware|MiddlewareMixin|\w*Endpoint)\b/;
const HANDLER_METHODS =
  /^(?:get|post|put|patch|delete|head|options|trace|dispatch|handle|handle_\w+|process_\w+|__call__|on_message|on_open|open|on_close|on_pong|receive|receive_json|websocket_\w+|connect|disconnect|list|create|retrieve|update|partial_update|destroy|perform_\w+|get_queryset|get_object|get_serializer\w*|get_context_data|form_valid|form_invalid|render_to_response|prepare|on_finish|write_message|do_[A-Z]+|emit|finish_request|data_received)$/;
const SERIALIZER_METHODS =
  /^(?:to_representation|to_internal_value|validate|validate_\w+|create|update|save|get_\w+)$/;
const FORM_METHODS = /^(?:clean|clean_\w+|save|is_valid|_post_clean)$/;
const PROTOCOL_METHODS =
  /^(?:data_received|datagram_received|connection_made|connection_lost|eof_received|error_received|buffer_updated)$/;
/** Methods named for the event they handle (`on_message`, `on_member_join`) — except start-up ones. */
const EVENT_METHOD = /^on_[a-z]\w*$/;

/** A method's entry point, read from its class's bases and its name, or null. */
export function methodEntry(
  className: string,
  bases: string,
  method: string,
  qual: string,
): EntryPoint | null {
  const entry = (frequency: EntryPoint['frequency'], kind: string): EntryPoint => ({
    frequency,
    label: `${kind} ${qual}`,
  });
  if (/\b(?:\w*TestCase|TestBase|\w*Tests?)\b/.test(bases) || /^Test/.test(className)) {
    return entry('test', 'test');
  }
  if (/\bBaseCommand\b|\bLabelCommand\b|\bAppCommand\b/.test(bases)) {
    return method === 'handle' ? entry('once', 'management command') : null;
  }
  if (/\bAppConfig\b/.test(bases) && method === 'ready') return entry('once', 'start-up hook');
  if (/\bProtocol\b/.test(bases) && PROTOCOL_METHODS.test(method))
    return entry('repeated', 'protocol callback');
  if (/Serializer\b/.test(bases) && SERIALIZER_METHODS.test(method)) return entry('repeated', 'serializer');
  if (/\b\w*Form\b/.test(bases) && FORM_METHODS.test(method)) return entry('repeated', 'form');
  if (/\b\w*Admin\b/.test(bases) && !method.startsWith('__')) return entry('repeated', 'admin page');
  if (/\b(?:Task|celery\.Task)\b/.test(bases) && method === 'run') return entry('repeated', 'task');
  if (HANDLER_BASES.test(bases) && HANDLER_METHODS.test(method)) return entry('repeated', 'request handler');
  if (EVENT_METHOD.test(method) && bases.trim() && !/^\(\s*(?:object)?\s*\)$/.test(bases)) {
    if (ONCE_EVENTS.test(method)) return entry('once', onceEventKind(method));
    return entry('repeated', 'event handler');
  }
  return null;
}

/** The bases of a class line, as written (`(BaseCommand)`), or ''. */
export function basesOf(outline: Outline, classLine: number): string {
  const text = codeOf(outline, classLine);
  const open = text.indexOf('(');
  const colon = text.lastIndexOf(':');
  return open === -1 || (colon !== -1 && colon < open)
    ? ''
    : text.slice(open, colon === -1 ? undefined : colon);
}

/** A def's own entry point: its decorators first, then (a method) its class and name. */
export function defEntry(outline: Outline, defLine: number, roots: ImportedRoots): EntryPoint | null {
  const line = outline.lines[defLine];
  const qual = qualifiedNameOf(outline, defLine);
  const name = line.name ?? '';
  for (const d of decoratorsOf(outline, defLine)) {
    const entry = decoratorEntry(textOf(outline, d), qual, name, roots);
    if (entry) return entry;
  }
  const parent = line.parent === -1 ? null : outline.lines[line.parent];
  if (parent?.head === 'class') {
    const className = parent.name ?? '';
    for (const d of decoratorsOf(outline, line.parent)) {
      // A class registered as a whole (`@admin.register(Model)`, `@app.task` on a Task class).
      const entry = decoratorEntry(textOf(outline, d), qual, name, roots);
      if (entry?.frequency === 'test') return entry;
    }
    return methodEntry(className, basesOf(outline, line.parent), name, qual);
  }
  return null;
}

/**
 * A plugin's lifecycle hooks (errbot's `BotPlugin.activate`): run when the plugin is switched on or off,
 * at start-up or by an admin's command, not per message. Only for the walk up the callers: a rule reading
 * a def named `activate` on its own cannot tell a plugin from a request handler.
 */
const LIFECYCLE_NAMES = /^(?:activate|deactivate)$/;

/** Names of functions that run once per process by convention (`main`, `create_app`, `setup_logging`). */
export function isOnceName(name: string): boolean {
  return name !== '__init__' && (ONCE_NAMES.test(name) || LIFECYCLE_NAMES.test(name));
}

/** What handing a function to `callee(…)` means, or null when the callee just calls it (or may). */
export type Registration =
  | { kind: 'repeated'; label: string }
  | { kind: 'once'; label: string }
  | { kind: 'timer' };

/**
 * `callee` is the dotted text before the `(` holding the function (`scheduler.add_job`,
 * `schedule.every(10).seconds.do`), `keyword` the argument's name when it is passed by name, `args`
 * the call's argument text.
 */
export function registrationOf(callee: string, keyword: string | null, args: string): Registration | null {
  const tail = /(\w+)\s*$/.exec(callee)?.[1] ?? '';
  const where = shorten(callee);
  if (keyword && /^(?:on_startup|on_shutdown|lifespan|on_cleanup)$/.test(keyword)) {
    return { kind: 'once', label: `start-up hook (${keyword}=)` };
  }
  if (keyword && /^(?:middlewares?|on_response_prepare|before_request_funcs|dependencies)$/.test(keyword)) {
    return { kind: 'repeated', label: `request hook (${keyword}=)` };
  }
  if (
    /(?:on_startup|on_shutdown|on_cleanup|cleanup_ctx)\.append$/.test(callee) ||
    /\batexit\.register$/.test(callee)
  ) {
    return { kind: 'once', label: `start-up hook (${where})` };
  }
  if (/(?:middlewares|on_response_prepare|on_prepare)\.(?:append|insert)$/.test(callee)) {
    return { kind: 'repeated', label: `request hook (${where})` };
  }
  if (tail === 'add_job') {
    if (/["']date["']|DateTrigger/.test(args))
      return { kind: 'once', label: `one-off scheduler job (${where})` };
    return { kind: 'repeated', label: `scheduler job (${where})` };
  }
  if (
    (tail === 'do' && /\bevery\s*\(/.test(callee)) ||
    tail === 'add_periodic_task' ||
    tail === 'schedule_interval'
  ) {
    return { kind: 'repeated', label: `scheduler job (${where})` };
  }
  if (tail === 'connect' || tail === 'connect_via') {
    const signal = callee.slice(0, callee.lastIndexOf('.'));
    return ONCE_SIGNALS.test(signal)
      ? { kind: 'once', label: `start-up signal (${where})` }
      : { kind: 'repeated', label: `signal receiver (${where})` };
  }
  if (tail === 'add_event_handler' && /startup|shutdown/.test(args)) {
    return { kind: 'once', label: `start-up hook (${where})` };
  }
  if (
    /^(?:add_handler|add_listener|add_event_handler|add_message_handler|register_message_handler|register_callback_query_handler|register_next_step_handler|add_command|on|subscribe|add_subscriber|register_callback|add_callback|add_reader|add_signal_handler|listen|register_hook|add_hook|add_middleware|register_error_handler|add_exception_handler|before_request|after_request|teardown_request|errorhandler|add_url_rule|add_route|add_api_route|add_websocket_route|add_api_websocket_route|add_view|add_get|add_post|add_put|add_patch|add_delete|add_head|add_resource)$/.test(
      tail,
    ) ||
    (/^[A-Z]\w*Handler$/.test(tail) &&
      !/^(?:Stream|File|Rotating|TimedRotating|Null|Queue|Socket|Syslog|HTTP|SMTP|Memory|Watched)/.test(tail))
  ) {
    return { kind: 'repeated', label: `handler registered with ${where}` };
  }
  if (
    /^(?:route|get|post|put|patch|delete|websocket|path|re_path|url|Route|WebSocketRoute|Mount)$/.test(
      tail,
    ) &&
    /^\s*\(?\s*[rfb]?["'^]/.test(args)
  ) {
    return { kind: 'repeated', label: `route (${where})` };
  }
  if (/^(?:Timer|call_later|call_at|enter|enterabs|after|call_soon|call_soon_threadsafe)$/.test(tail)) {
    return { kind: 'timer' };
  }
  return null;
}

/**
 * Whether a loop header keeps a service running (a `while True`, a loop until a stop flag, a loop over
 * a consumer, a websocket or a subscription): its body runs again and again. Null for a bounded loop.
 */
export function serviceLoop(outline: Outline, line: number): string | null {
  const { head } = outline.lines[line];
  if (head !== 'while' && head !== 'for' && head !== 'async for') return null;
  const code = codeOf(outline, line).replace(/\s+/g, ' ');
  if (head === 'while') {
    const condition = /^while\s*(.*?)\s*:/.exec(code)?.[1] ?? '';
    if (/^\(?\s*(?:True|1)\s*\)?$/.test(condition)) return waits(outline, line) ? 'while True' : null;
    if (
      /^(?:not\s+)?[\w.]*?(?:run|alive|active|stop|shut|exit|quit|done|closed|closing|forever|keep|listen|serv|cancel|finish|terminat|halt|kill|should|connected|enabled|is_set|event|loop|work)\w*(?:\(\))?$/i.test(
        condition,
      )
    ) {
      return `while ${condition}`;
    }
    return null;
  }
  const iterable = /\bin\s+(.*?)\s*:$/.exec(code)?.[1] ?? '';
  const stream =
    head === 'async for'
      ? /ws\b|websocket|socket|consumer|subscri|listen|messages?\b|stream|events?\b|updates?\b|queue|channel|watch|pubsub|receive|iter_|aiter|changes|feed|tail|reader/i
      : /consumer|pubsub|\.listen\s*\(|subscri|iter_messages|\.watch\s*\(|\.stream\s*\(|\.consume\s*\(|\.receive|\bpoll\s*\(|itertools\.count\s*\(|\bcount\s*\(\s*\)|\bcycle\s*\(/i;
  return stream.test(iterable) ? `${head} … in ${shorten(iterable)}` : null;
}

/**
 * A `while True` loop without a `break` of its own runs until the process ends; one with a `break`
 * is a service loop only when it waits for work (sleeps, blocks on a queue or a socket's accept): a
 * loop reading a stream until it ends is not.
 */
function waits(outline: Outline, line: number): boolean {
  const end = blockEnd(outline, line);
  const indent = outline.lines[line].indent;
  let breaks = false;
  let body = '';
  for (let i = line + 1; i <= end; i++) {
    const code = codeOf(outline, i);
    body += `${code}\n`;
    if (!/^\s*break\b/.test(code)) continue;
    // A break of this loop, not of a loop nested in it.
    let own = true;
    for (let p = outline.lines[i].parent; p !== -1 && p !== line; p = outline.lines[p].parent) {
      const head = outline.lines[p].head;
      if (head === 'while' || head === 'for' || head === 'async for') own = false;
    }
    if (own && outline.lines[i].indent > indent) breaks = true;
  }
  if (!breaks) return true;
  return /\b(?:sleep|wait|wait_for|accept|select|serve\w*|get_message|brpop|blpop|xread\w*|poll)\s*\(|\.get\s*\(\s*(?:block|timeout|True)?/.test(
    body,
  );
}

/**
 * Call scenarios: one `call` command per block, carrying the expanded args/kwargs of each iteration, run
 * by the shim one after another inside the target (or a bare interpreter). The shim answers with how many
 * calls returned and how many raised, and the first traceback.
 */
import { TargetError } from '../errors.js';
import type { CallSpec, JsonObject, JsonValue } from '../scenarios/model.js';
import type { Command, ShimMessage } from '../service/protocol.js';
import { defaultRandom, expandTemplate, hasTemplate, type TemplateRandom } from './template.js';

/** What runCallBlock needs of a ShimConnection. */
export interface CallChannel {
  request(command: Command, timeoutMs: number): Promise<ShimMessage>;
}

export interface CallBlockResult {
  ok: number;
  errors: number;
  /** The first failure's text (a Python traceback, or why the function could not be resolved). */
  firstError?: string;
  /** Seconds the shim spent on the calls, when it said. */
  seconds?: number;
}

export interface CallBlockOptions {
  random?: TemplateRandom;
  /** The whole block's deadline (default: callBlockTimeoutMs(spec, count)). */
  timeoutMs?: number;
}

/** A block of n calls may take n × the per-call timeout, capped at 10 minutes, never less than one call's. */
export function callBlockTimeoutMs(spec: Pick<CallSpec, 'timeoutMs'>, count: number): number {
  return Math.max(spec.timeoutMs, Math.min(count * spec.timeoutMs, 600_000));
}

/**
 * Runs iterations from..from+count-1 of a call scenario. Resolves with the shim's counts (a function that
 * raises is the scenario failing: feed it to the breaker). Rejects with a TargetError when the channel
 * fails (closed: the process died) or the block gets no reply in time, or when the shim cannot handle the
 * command at all; the runner adds the stderr tail.
 */
export async function runCallBlock(
  connection: CallChannel,
  spec: CallSpec,
  from: number,
  count: number,
  options: CallBlockOptions = {},
): Promise<CallBlockResult> {
  if (count <= 0) return { ok: 0, errors: 0 };
  const random = options.random ?? defaultRandom;
  const templated = hasTemplate(spec.args) || hasTemplate(spec.kwargs);
  const calls: { args: JsonValue[]; kwargs: JsonObject }[] = [];
  for (let i = from; i < from + count; i++) {
    calls.push(
      templated
        ? {
            args: expandTemplate([...spec.args], i, random),
            kwargs: expandTemplate({ ...spec.kwargs }, i, random),
          }
        : { args: [...spec.args], kwargs: { ...spec.kwargs } },
    );
  }
  const timeoutMs = options.timeoutMs ?? callBlockTimeoutMs(spec, count);
  const range = count === 1 ? `iteration ${from}` : `iterations ${from}–${from + count - 1}`;
  let reply: ShimMessage;
  try {
    reply = await connection.request({ cmd: 'call', function: spec.function, calls }, timeoutMs);
  } catch (error) {
    throw new TargetError(`call ${spec.function} (${range}): ${(error as Error).message}`);
  }
  if (reply.type === 'call') {
    const result: CallBlockResult = { ok: reply.ok, errors: reply.errors };
    if (reply.error !== undefined) result.firstError = reply.error;
    if (reply.seconds !== undefined) result.seconds = reply.seconds;
    if (reply.ok + reply.errors !== count) {
      throw new TargetError(
        `call ${spec.function} (${range}): the shim reported ${reply.ok + reply.errors} calls for ${count} sent`,
      );
    }
    return result;
  }
  if (reply.type === 'error')
    throw new TargetError(`call ${spec.function} (${range}): the shim failed: ${reply.error}`);
  throw new TargetError(`call ${spec.function} (${range}): unexpected '${reply.type}' reply`);
}

/** The last line of a Python traceback (`ValueError: boom`): short enough to group failures by. */
export function errorSummary(traceback: string): string {
  const lines = traceback
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
  const last = lines[lines.length - 1] ?? 'error';
  return last.length > 200 ? `${last.slice(0, 197)}…` : last;
}

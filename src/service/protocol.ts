/**
 * The IPC protocol between heapgate and the shim (docs/ipc.md), version 2: one JSON object per line,
 * each authenticated with the connection's key (HMAC-SHA256) and numbered, so that nothing but the shim
 * that received the key can put a message on a channel. Everything here is pure: bytes in, validated
 * messages out. Lines that are not protocol, or not authentic, are counted and dropped; numbers are
 * checked before anyone uses them.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const PROTOCOL_VERSION = 2;
/** A line longer than this is not ours (a sites reply of a few hundred entries is well under 1 MB). */
export const MAX_LINE_BYTES = 8 * 1024 * 1024;

export type Role = 'main' | 'fork' | 'spawn' | 'helper';

interface Envelope {
  v: typeof PROTOCOL_VERSION;
  pid: number;
  ppid: number;
  id?: number;
  /** Position of the message on its connection (1, 2, …): authenticated messages only. */
  seq?: number;
}

export interface HelloMessage extends Envelope {
  type: 'hello';
  role: Role;
  python: string;
  implementation: string;
  executable: string;
  argv: string[];
  traceDepth: number;
  /** What the process's heap figures count (older shims: tracemalloc). */
  heapCounter?: 'allocator' | 'tracemalloc';
  /** Why the process counts differently from what was asked, when it does. */
  note?: string;
  error?: string;
}

export interface SampleMessage extends Envelope {
  type: 'sample';
  heap: number;
  rss: number;
  threads: number;
  fds: number;
  handlers: number;
  gcObjects: number;
  time: number;
}

export interface SiteEntry {
  file: string;
  line: number;
  sizeDiff: number;
  countDiff: number;
  traceback: string[];
  project: boolean;
  /**
   * What the site's line does with the memory (harness/heapgate_measure.py): keeps it (`raise cached`,
   * `STORE.append(x)`), allocates it, calls library code that does, or is library code (older shims: absent).
   */
  role?: SiteRole;
}

export type SiteRole = 'retains' | 'allocates' | 'calls' | 'library';
const SITE_ROLES = new Set<unknown>(['retains', 'allocates', 'calls', 'library']);

export interface SitesMessage extends Envelope {
  type: 'sites';
  sites?: SiteEntry[];
  /** Bytes tracemalloc saw grow since the baseline over every site, shrinking ones included. */
  total?: number;
  error?: string;
}

/** A container that grew during the attribution pass (harness/heapgate_holders.py, docs/held-by.md). */
export interface HolderEntry {
  /** From a root a user recognises (`app.store`); null when no root was found within the search's bounds. */
  path: string | null;
  type: string;
  entryType: string | null;
  entries: number;
  entriesPerIteration: number;
  bytesPerIteration: number;
  /** The project's own line that puts entries in (the innermost frame when no project frame is). */
  addedAt: { file: string; line: number; project: boolean } | null;
  /** Where what the new entries keep was allocated: [file, line, bytes over the pass]. */
  sites: [string, number, number][];
  /** Its walk stopped at a bound: the bytes are a lower bound. */
  partial?: boolean;
}

/** The held-by search: `start` at the attribution pass's baseline, `stop` with what grew. */
export interface HoldersMessage extends Envelope {
  type: 'holders';
  phase: 'start' | 'stop';
  seconds?: number;
  /** Objects the collector tracked at start. */
  objects?: number;
  watched?: number;
  grownTypes?: { type: string; perIteration: number }[];
  holders?: HolderEntry[];
  /** Where the search stopped at one of its bounds, when it did. */
  gaveUp?: string;
  error?: string;
}

export interface BaselineMessage extends Envelope {
  type: 'baseline';
  sites?: number;
  retained?: number;
  error?: string;
}

export interface CallMessage extends Envelope {
  type: 'call';
  ok: number;
  errors: number;
  seconds?: number;
  error?: string;
}

export interface ErrorMessage extends Envelope {
  type: 'error';
  error: string;
}

export interface PongMessage extends Envelope {
  type: 'pong';
}

export interface TraceMessage extends Envelope {
  type: 'trace';
  depth: number;
}

/** The reach probe (harness/heapgate_reach.py): started, marked, or stopped with its counts. */
export interface ReachMessage extends Envelope {
  type: 'reach';
  /** start: which threads the hook reached. */
  hooked?: { mainThread: boolean; newThreads: boolean };
  /** mark: the iteration now running. */
  epoch?: number;
  /** stop: function id → iterations it ran in (absent: never), out of `iterations`. */
  counts?: Record<string, number>;
  iterations?: number;
}

/** A function the reach probe watches: its id, absolute file and the lines its code object may start on. */
export interface ReachFunction {
  id: string;
  file: string;
  lines: [number, number];
}

export type ShimMessage =
  | HelloMessage
  | ReachMessage
  | SampleMessage
  | SitesMessage
  | HoldersMessage
  | BaselineMessage
  | CallMessage
  | ErrorMessage
  | PongMessage
  | TraceMessage;

export type Command =
  | { cmd: 'sample' }
  | { cmd: 'baseline' }
  | { cmd: 'sites'; limit: number }
  | { cmd: 'ping' }
  | { cmd: 'trace'; depth: number }
  | { cmd: 'holders'; action: 'start'; budgetMs: number }
  | { cmd: 'holders'; action: 'stop'; iterations: number; limit: number; budgetMs: number }
  | { cmd: 'reach'; action: 'start'; functions: ReachFunction[] }
  | { cmd: 'reach'; action: 'mark' | 'stop' }
  | {
      cmd: 'call';
      function: string;
      calls: { args: unknown[]; kwargs: Record<string, unknown> }[];
    };

type Json = Record<string, unknown>;

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;
const isBytes = (v: unknown): v is number =>
  typeof v === 'number' && Number.isFinite(v) && v >= 0 && v < 2 ** 50;
const isString = (v: unknown): v is string => typeof v === 'string';
const isPid = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v > 0;
const ROLES = new Set(['main', 'fork', 'spawn', 'helper']);

/** A validated message, or null when the line is not (well-formed) protocol. */
export function parseMessage(line: string): ShimMessage | null {
  if (!line.startsWith('{')) return null;
  let data: Json;
  try {
    data = JSON.parse(line) as Json;
  } catch {
    return null;
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return null;
  if (data.v !== PROTOCOL_VERSION || !isPid(data.pid) || !isCount(data.ppid)) return null;
  if (data.id !== undefined && !isCount(data.id)) return null;
  if (data.seq !== undefined && !isCount(data.seq)) return null;
  switch (data.type) {
    case 'hello':
      if (!ROLES.has(data.role as string) || !isString(data.python) || !isString(data.implementation)) {
        return null;
      }
      if (!isString(data.executable) || !Array.isArray(data.argv) || !data.argv.every(isString)) return null;
      if (!isCount(data.traceDepth) || (data.error !== undefined && !isString(data.error))) return null;
      if (
        data.heapCounter !== undefined &&
        data.heapCounter !== 'allocator' &&
        data.heapCounter !== 'tracemalloc'
      ) {
        return null;
      }
      if (data.note !== undefined && !isString(data.note)) return null;
      return data as unknown as HelloMessage;
    case 'sample':
      if (!isBytes(data.heap) || !isBytes(data.rss) || !isCount(data.threads)) return null;
      // -1 fds: the platform cannot count them.
      if (!(isCount(data.fds) || data.fds === -1) || !isCount(data.handlers) || !isCount(data.gcObjects)) {
        return null;
      }
      if (typeof data.time !== 'number' || !Number.isFinite(data.time)) return null;
      return data as unknown as SampleMessage;
    case 'sites': {
      if (data.error !== undefined) return isString(data.error) ? (data as unknown as SitesMessage) : null;
      if (!Array.isArray(data.sites) || !data.sites.every(isSite)) return null;
      if (data.total !== undefined && !isFiniteNumber(data.total)) return null;
      return data as unknown as SitesMessage;
    }
    case 'holders':
      return isHolders(data) ? (data as unknown as HoldersMessage) : null;
    case 'baseline':
      if (data.error !== undefined && !isString(data.error)) return null;
      if (data.retained !== undefined && !isBytes(data.retained)) return null;
      return data as unknown as BaselineMessage;
    case 'call':
      if (!isCount(data.ok) || !isCount(data.errors)) return null;
      if (data.error !== undefined && !isString(data.error)) return null;
      return data as unknown as CallMessage;
    case 'error':
      return isString(data.error) ? (data as unknown as ErrorMessage) : null;
    case 'pong':
      return data as unknown as PongMessage;
    case 'trace':
      return isCount(data.depth) ? (data as unknown as TraceMessage) : null;
    case 'reach':
      if (data.epoch !== undefined && !isCount(data.epoch)) return null;
      if (data.iterations !== undefined && !isCount(data.iterations)) return null;
      if (data.counts !== undefined) {
        if (typeof data.counts !== 'object' || data.counts === null || Array.isArray(data.counts))
          return null;
        if (!Object.values(data.counts).every(isCount)) return null;
      }
      return data as unknown as ReachMessage;
    default:
      return null;
  }
}

function isSite(value: unknown): value is SiteEntry {
  if (typeof value !== 'object' || value === null) return false;
  const site = value as Json;
  return (
    isString(site.file) &&
    isCount(site.line) &&
    typeof site.sizeDiff === 'number' &&
    Number.isFinite(site.sizeDiff) &&
    typeof site.countDiff === 'number' &&
    Number.isInteger(site.countDiff) &&
    Array.isArray(site.traceback) &&
    site.traceback.every(isString) &&
    typeof site.project === 'boolean' &&
    (site.role === undefined || SITE_ROLES.has(site.role))
  );
}

const isFiniteNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isRate = (v: unknown): v is number => isFiniteNumber(v) && v >= 0;

function isHolders(data: Json): boolean {
  if (data.phase !== 'start' && data.phase !== 'stop') return false;
  if (data.error !== undefined && !isString(data.error)) return false;
  if (data.gaveUp !== undefined && !isString(data.gaveUp)) return false;
  if (data.seconds !== undefined && !isRate(data.seconds)) return false;
  if (data.objects !== undefined && !isCount(data.objects)) return false;
  if (data.watched !== undefined && !isCount(data.watched)) return false;
  if (data.grownTypes !== undefined) {
    if (!Array.isArray(data.grownTypes)) return false;
    for (const entry of data.grownTypes as unknown[]) {
      if (typeof entry !== 'object' || entry === null) return false;
      const grown = entry as Json;
      if (!isString(grown.type) || !isRate(grown.perIteration)) return false;
    }
  }
  return data.holders === undefined || (Array.isArray(data.holders) && data.holders.every(isHolder));
}

function isHolder(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const holder = value as Json;
  if (holder.path !== null && !isString(holder.path)) return false;
  if (!isString(holder.type) || (holder.entryType !== null && !isString(holder.entryType))) return false;
  if (!isCount(holder.entries) || !isRate(holder.entriesPerIteration) || !isRate(holder.bytesPerIteration)) {
    return false;
  }
  if (holder.partial !== undefined && typeof holder.partial !== 'boolean') return false;
  if (holder.addedAt !== null) {
    if (typeof holder.addedAt !== 'object' || holder.addedAt === undefined) return false;
    const at = holder.addedAt as Json;
    if (!isString(at.file) || !isCount(at.line) || typeof at.project !== 'boolean') return false;
  }
  return (
    Array.isArray(holder.sites) &&
    holder.sites.every(
      (site: unknown) =>
        Array.isArray(site) && site.length === 3 && isString(site[0]) && isCount(site[1]) && isRate(site[2]),
    )
  );
}

/** A frame's authentication code: HMAC-SHA256 of the JSON bytes under the connection's key, in hex. */
export function frameMac(key: Buffer, body: Buffer | string): string {
  return createHmac('sha256', key).update(body).digest('hex');
}

/** A message as the shim frames it (tests and fuzzing speak for the shim with it). */
export function encodeFrame(key: Buffer, message: Record<string, unknown>): string {
  const body = JSON.stringify(message);
  return `${frameMac(key, body)} ${body}\n`;
}

const MAC_CHARS = 64;
const FRAME_START = /[0-9a-f]{64} \{/g;
/** Candidate frame starts tried per line: a real frame is the line's end, so the rightmost few suffice. */
const MAX_CANDIDATES = 4;

/**
 * Splits a connection's byte stream into lines and authentic messages (docs/ipc.md, "Framing"):
 * - before `authenticate(key)`, the one message accepted is the connection's plain `hello` (heapgate
 *   checks who claims to speak, then hands the shim its key);
 * - after it, every line must be `MAC JSON` with a valid MAC under the key and a `seq` above the last.
 * Lines that are not protocol are counted in `noise`; protocol that fails authentication in `forged`;
 * both are dropped, as is a line too long to be ours.
 */
export class LineDecoder {
  noise = 0;
  forged = 0;
  private key: Buffer | null = null;
  private lastSeq = 0;
  private helloSeen = false;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private discarding = false;

  /** From now on, only frames authenticated with `key` are accepted. */
  authenticate(key: Buffer): void {
    this.key = key;
    this.helloSeen = true;
  }

  get authenticated(): boolean {
    return this.key !== null;
  }

  push(chunk: Buffer): ShimMessage[] {
    const messages: ShimMessage[] = [];
    let start = 0;
    for (let nl = chunk.indexOf(10); nl !== -1; nl = chunk.indexOf(10, start)) {
      const piece = chunk.subarray(start, nl);
      start = nl + 1;
      if (this.discarding) {
        this.discarding = false;
        this.pending = [];
        this.pendingBytes = 0;
        continue;
      }
      const line = this.pendingBytes ? Buffer.concat([...this.pending, piece]) : piece;
      this.pending = [];
      this.pendingBytes = 0;
      if (line.length === 0) continue;
      const message = this.decode(line);
      if (message) messages.push(message);
    }
    if (start < chunk.length && !this.discarding) {
      const rest = chunk.subarray(start);
      this.pending.push(Buffer.from(rest));
      this.pendingBytes += rest.length;
      if (this.pendingBytes > MAX_LINE_BYTES) {
        this.noise++;
        this.discarding = true;
        this.pending = [];
        this.pendingBytes = 0;
      }
    }
    return messages;
  }

  private decode(line: Buffer): ShimMessage | null {
    if (!this.key) {
      const message = parseMessage(line.toString('utf8'));
      if (message?.type === 'hello' && !this.helloSeen) {
        this.helloSeen = true;
        return message;
      }
      if (message) this.forged++;
      else this.noise++;
      return null;
    }
    // A writer without the key may have glued bytes in front of a real frame (it ends the line), so
    // every `MAC {` in the line is a candidate, rightmost first, a few at most.
    const text = line.toString('latin1');
    const starts: number[] = [];
    for (const match of text.matchAll(FRAME_START)) starts.push(match.index);
    for (const at of starts.reverse().slice(0, MAX_CANDIDATES)) {
      const body = line.subarray(at + MAC_CHARS + 1);
      const expected = Buffer.from(frameMac(this.key, body), 'latin1');
      if (!timingSafeEqual(expected, line.subarray(at, at + MAC_CHARS))) continue;
      if (at > 0) this.forged++;
      const message = parseMessage(body.toString('utf8'));
      if (!message || message.seq === undefined || message.seq <= this.lastSeq) {
        // Authentic but malformed, or a replay: not to be believed either way.
        this.forged++;
        return null;
      }
      this.lastSeq = message.seq;
      return message;
    }
    if (starts.length) {
      this.forged++;
      return null;
    }
    if (parseMessage(line.toString('utf8'))) this.forged++;
    else this.noise++;
    return null;
  }
}

export function encodeCommand(id: number, command: Command): string {
  return `${JSON.stringify({ id, ...command })}\n`;
}

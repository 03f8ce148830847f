/** Bytes of a `.py` file → text, the way CPython would decode it (PEP 263), or the reason it can't be. */
import type { ProblemKind } from '../model/static.js';

export type Decoded =
  | { ok: true; text: string }
  | { ok: false; kind: ProblemKind; message: string; line?: number };

const COOKIE = /^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)/;
const UTF8_NAMES = new Set(['utf-8', 'utf8', 'utf_8', 'u8', 'utf-8-sig', 'utf8-sig', 'utf_8_sig']);
/** Python codec names that WHATWG's TextDecoder spells differently. */
const CODEC_ALIASES: Record<string, string> = {
  'latin-1': 'iso-8859-1',
  latin: 'iso-8859-1',
  l1: 'iso-8859-1',
  'iso-latin-1': 'iso-8859-1',
  'iso8859-1': 'iso-8859-1',
  'iso-8859-15': 'iso-8859-15',
  'iso8859-15': 'iso-8859-15',
};

export function decodePython(bytes: Uint8Array): Decoded {
  if (bytes.includes(0)) {
    return { ok: false, kind: 'binary', message: 'contains NUL bytes: not Python source; skipped' };
  }
  let start = 0;
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) start = 3;
  const body = bytes.subarray(start);
  const encoding = codingCookie(body);
  if (encoding && !UTF8_NAMES.has(encoding)) {
    let decoder: InstanceType<typeof TextDecoder>;
    try {
      const label = encoding.replace(/_/g, '-');
      decoder = new TextDecoder(CODEC_ALIASES[label] ?? label, { fatal: true });
    } catch {
      return {
        ok: false,
        kind: 'not-utf8',
        message: `declares encoding '${encoding}', which heapgate cannot decode; skipped`,
      };
    }
    try {
      return { ok: true, text: decoder.decode(body) };
    } catch {
      return {
        ok: false,
        kind: 'not-utf8',
        message: `is not valid ${encoding} as its coding declaration says; skipped`,
      };
    }
  }
  try {
    return { ok: true, text: new TextDecoder('utf-8', { fatal: true }).decode(body) };
  } catch {
    const line = firstInvalidUtf8Line(body);
    return {
      ok: false,
      kind: 'not-utf8',
      line,
      message: `is not valid UTF-8 (line ${line}) and declares no other encoding; skipped`,
    };
  }
}

/** The encoding named in a PEP 263 comment on the first or second line, lower-cased. */
function codingCookie(bytes: Uint8Array): string | null {
  let end = 0;
  let lines = 0;
  while (end < bytes.length && end < 400 && lines < 2) {
    if (bytes[end] === 10) lines++;
    end++;
  }
  const head = new TextDecoder('latin1').decode(bytes.subarray(0, end)).split('\n');
  for (const line of head.slice(0, 2)) {
    const match = COOKIE.exec(line);
    if (match) return match[1].toLowerCase();
    if (!/^[ \t\f]*(#.*)?\r?$/.test(line)) break; // a cookie must come before any code
  }
  return null;
}

function firstInvalidUtf8Line(bytes: Uint8Array): number {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] === 10) {
      try {
        decoder.decode(bytes.subarray(lineStart, i));
      } catch {
        return line;
      }
      line++;
      lineStart = i + 1;
    }
  }
  return line;
}

/** Sizes and rates people write (`64B`, `1.5KB`, `10MB/h`) ↔ numbers. KB = 1024 bytes, as tracemalloc counts. */

const UNITS: Record<string, number> = {
  b: 1,
  kb: 1024,
  kib: 1024,
  k: 1024,
  mb: 1024 ** 2,
  mib: 1024 ** 2,
  m: 1024 ** 2,
  gb: 1024 ** 3,
  gib: 1024 ** 3,
  g: 1024 ** 3,
};

const SIZE = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*([a-z]*)\s*$/i;

/** Bytes for `64B`, `1KB`, `2.5 MB`, or a bare number of bytes; null when it is not a size. */
export function parseSize(text: string): number | null {
  const match = SIZE.exec(text);
  if (!match) return null;
  const unit = match[2].toLowerCase() || 'b';
  const factor = UNITS[unit];
  if (factor === undefined) return null;
  return Math.round(Number(match[1]) * factor);
}

const PER_HOUR: Record<string, number> = { h: 1, hr: 1, hour: 1, m: 60, min: 60, s: 3600, sec: 3600 };

/** Bytes per hour for `10MB/h`, `1KB/min`, `100B/s`; null when it is not a rate. */
export function parseRate(text: string): number | null {
  const slash = text.lastIndexOf('/');
  if (slash === -1) return null;
  const size = parseSize(text.slice(0, slash));
  const per =
    PER_HOUR[
      text
        .slice(slash + 1)
        .trim()
        .toLowerCase()
    ];
  if (size === null || per === undefined) return null;
  return size * per;
}

/** Milliseconds for `90s`, `10m`, `1h30m`, `500ms`, or a bare number of seconds; null otherwise. */
export function parseDuration(text: string): number | null {
  const trimmed = text.trim().toLowerCase();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed) * 1000;
  const part = /(\d+(?:\.\d+)?)(ms|s|m|h)/g;
  let total = 0;
  let consumed = 0;
  let match: RegExpExecArray | null;
  while ((match = part.exec(trimmed))) {
    if (match.index !== consumed) return null;
    consumed = part.lastIndex;
    const n = Number(match[1]);
    total += match[2] === 'ms' ? n : match[2] === 's' ? n * 1e3 : match[2] === 'm' ? n * 6e4 : n * 3.6e6;
  }
  return consumed === trimmed.length && consumed > 0 ? total : null;
}

/** `1.5 KB`, `312 B`, `-2.0 MB`: short and human. */
export function formatBytes(bytes: number): string {
  const sign = bytes < 0 ? '-' : '';
  const abs = Math.abs(bytes);
  if (abs < 1024) return `${sign}${abs < 10 && abs % 1 ? abs.toFixed(1) : Math.round(abs)} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = abs / 1024;
  let i = 0;
  while (value >= 1024 && i < units.length - 1) {
    value /= 1024;
    i++;
  }
  return `${sign}${value.toFixed(value < 10 ? 1 : 0)} ${units[i]}`;
}

/**
 * Strict JSON reading for scenario files with people-friendly errors: V8's JSON.parse messages do not
 * always carry a position, so a small scanner finds the line and column of the first syntax error, and it
 * also refuses duplicate keys (JSON.parse silently keeps the last one, which would hide a mistake).
 */

export class JsonSyntaxError extends Error {
  constructor(
    message: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(message);
    this.name = 'JsonSyntaxError';
  }
}

/** Parses JSON text (a leading BOM is allowed); throws JsonSyntaxError with a 1-based line and column. */
export function parseJsonStrict(text: string): unknown {
  const source = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  // The scanner both locates syntax errors and catches duplicate keys; JSON.parse builds the value.
  new Scanner(source).document();
  return JSON.parse(source) as unknown;
}

class Scanner {
  private pos = 0;
  constructor(private readonly text: string) {}

  document(): void {
    this.space();
    if (this.pos >= this.text.length) this.fail(this.pos, 'the file is empty, expected a JSON value');
    this.value();
    this.space();
    if (this.pos < this.text.length) {
      this.fail(this.pos, `unexpected ${this.show(this.pos)} after the end of the JSON value`);
    }
  }

  private value(): void {
    const c = this.text[this.pos];
    if (c === '{') this.object();
    else if (c === '[') this.array();
    else if (c === '"') this.string();
    else if (c === '-' || (c >= '0' && c <= '9')) this.number();
    else if (this.text.startsWith('true', this.pos)) this.pos += 4;
    else if (this.text.startsWith('false', this.pos)) this.pos += 5;
    else if (this.text.startsWith('null', this.pos)) this.pos += 4;
    else if (c === undefined) this.fail(this.pos, 'unexpected end of file, expected a value');
    else if (c === "'") this.fail(this.pos, 'strings must use double quotes');
    else if (c === '/') this.fail(this.pos, 'comments are not allowed in JSON');
    else this.fail(this.pos, `unexpected ${this.show(this.pos)}, expected a value`);
  }

  private object(): void {
    this.pos++;
    this.space();
    const keys = new Map<string, number>();
    if (this.text[this.pos] === '}') {
      this.pos++;
      return;
    }
    for (;;) {
      this.space();
      if (this.text[this.pos] !== '"') {
        const trailing = this.text[this.pos] === '}';
        this.fail(
          this.pos,
          trailing
            ? "unexpected '}' after ',' (trailing commas are not allowed in JSON)"
            : `expected a double-quoted property name, got ${this.show(this.pos)}`,
        );
      }
      const keyStart = this.pos;
      const key = JSON.parse(this.text.slice(keyStart, this.string())) as string;
      const first = keys.get(key);
      if (first !== undefined) {
        this.fail(keyStart, `duplicate key ${JSON.stringify(key)} (first at line ${this.lineOf(first)})`);
      }
      keys.set(key, keyStart);
      this.space();
      if (this.text[this.pos] !== ':')
        this.fail(this.pos, `expected ':' after a property name, got ${this.show(this.pos)}`);
      this.pos++;
      this.space();
      this.value();
      this.space();
      const c = this.text[this.pos];
      if (c === ',') this.pos++;
      else if (c === '}') {
        this.pos++;
        return;
      } else this.fail(this.pos, `expected ',' or '}' after a property value, got ${this.show(this.pos)}`);
    }
  }

  private array(): void {
    this.pos++;
    this.space();
    if (this.text[this.pos] === ']') {
      this.pos++;
      return;
    }
    for (;;) {
      this.space();
      if (this.text[this.pos] === ']') {
        this.fail(this.pos, "unexpected ']' after ',' (trailing commas are not allowed in JSON)");
      }
      this.value();
      this.space();
      const c = this.text[this.pos];
      if (c === ',') this.pos++;
      else if (c === ']') {
        this.pos++;
        return;
      } else this.fail(this.pos, `expected ',' or ']' after an array element, got ${this.show(this.pos)}`);
    }
  }

  /** Scans a string starting at the opening quote; returns the offset just past the closing one. */
  private string(): number {
    const start = this.pos;
    this.pos++;
    for (;;) {
      const code = this.text.charCodeAt(this.pos);
      if (Number.isNaN(code)) this.fail(start, 'unterminated string');
      if (code === 0x22) {
        this.pos++;
        return this.pos;
      }
      if (code < 0x20) {
        this.fail(
          this.pos,
          code === 0x0a
            ? 'unterminated string (a line break inside a string)'
            : 'a control character inside a string',
        );
      }
      if (code === 0x5c) {
        const next = this.text[this.pos + 1];
        if (next === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(this.text.slice(this.pos + 2, this.pos + 6))) {
            this.fail(this.pos, 'a \\u escape needs four hex digits');
          }
          this.pos += 6;
          continue;
        }
        if (next === undefined || !'"\\/bfnrt'.includes(next))
          this.fail(this.pos, `invalid escape '\\${next ?? ''}'`);
        this.pos += 2;
        continue;
      }
      this.pos++;
    }
  }

  private number(): void {
    const match = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(
      this.text.slice(this.pos, this.pos + 400),
    );
    if (!match) this.fail(this.pos, 'invalid number');
    this.pos += match[0].length;
    const c = this.text[this.pos];
    if (c !== undefined && /[0-9.eExX]/.test(c)) this.fail(this.pos, 'invalid number');
  }

  private space(): void {
    while (this.pos < this.text.length) {
      const c = this.text[this.pos];
      if (c === ' ' || c === '\t' || c === '\n' || c === '\r') this.pos++;
      else break;
    }
  }

  private show(at: number): string {
    if (at >= this.text.length) return 'end of file';
    const cp = this.text.codePointAt(at)!;
    const c = String.fromCodePoint(cp);
    return cp < 0x20 ? `character U+${cp.toString(16).padStart(4, '0')}` : `'${c}'`;
  }

  private lineOf(offset: number): number {
    let line = 1;
    for (let i = 0; i < offset; i++) if (this.text.charCodeAt(i) === 10) line++;
    return line;
  }

  private fail(offset: number, message: string): never {
    let line = 1;
    let lineStart = 0;
    for (let i = 0; i < offset && i < this.text.length; i++) {
      if (this.text.charCodeAt(i) === 10) {
        line++;
        lineStart = i + 1;
      }
    }
    throw new JsonSyntaxError(message, line, offset - lineStart + 1);
  }
}

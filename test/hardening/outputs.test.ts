/**
 * Issue 13, "It damages files": --output replaces only regular files, and an unwritable destination is
 * found before any work starts. Each hostile destination is a real one: a symlink, a FIFO, a device, a
 * folder, a path under /proc.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { heapgate, tempProject } from '../helpers/cli.js';
import { heapgateLeavingNothing, scenario, SERVICES } from '../helpers/soak.js';

const LEAK = 'def handler(event, seen=[]):\n    seen.append(event)\n    return seen\n';

function project(): string {
  return tempProject({ 'app.py': LEAK, 'notes.txt': 'keep me\n' });
}

/** Names in `dir` and in `/` that look like heapgate's temporary files. */
function temporaries(dir: string): string[] {
  return [...readdirSync(dir), ...readdirSync('/')].filter((name) => name.endsWith('.tmp'));
}

describe('--output refuses to replace anything but a regular file', () => {
  it('a symbolic link: exit 2, the link and its target untouched', async () => {
    const dir = project();
    const link = path.join(dir, 'report.json');
    symlinkSync(path.join(dir, 'notes.txt'), link);
    const result = await heapgate(['analyze', dir, '--format', 'json', '--output', link, '--no-cache']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain(`--output ${link}: is a symbolic link`);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readFileSync(path.join(dir, 'notes.txt'), 'utf8')).toBe('keep me\n');
    expect(temporaries(dir)).toEqual([]);
  });

  it('a FIFO: exit 2, still a FIFO', async () => {
    const dir = project();
    const fifo = path.join(dir, 'report.json');
    execFileSync('mkfifo', [fifo]);
    const result = await heapgate(['analyze', dir, '--output', fifo, '--no-cache']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('is a FIFO; heapgate only replaces regular files');
    expect(lstatSync(fifo).isFIFO()).toBe(true);
    expect(temporaries(dir)).toEqual([]);
  });

  it('a device: exit 2, still a device', async (context) => {
    // A device node of our own (a copy of /dev/null's numbers): a regression must never get to replace
    // the machine's /dev/null, as the code before this test did when run as root.
    const dir = project();
    const device = path.join(dir, 'report.json');
    try {
      execFileSync('mknod', [device, 'c', '1', '3'], { stdio: 'ignore' });
    } catch {
      context.skip(); // creating device nodes needs root
    }
    const result = await heapgate(['analyze', dir, '--output', device, '--no-cache']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain(`--output ${device}: is a device`);
    expect(lstatSync(device).isCharacterDevice()).toBe(true);
  });

  it('a folder: exit 2 with a hint, no stack trace, nothing written in it or above it', async () => {
    const dir = project();
    const result = await heapgate(['analyze', dir, '--output', dir, '--no-cache']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('is a folder; heapgate only replaces regular files; give a file name');
    expect(result.stderr).not.toContain('internal error');
    expect(readdirSync(dir).sort()).toEqual(['app.py', 'notes.txt']);
    expect(temporaries(path.dirname(dir)).filter((n) => n.includes(path.basename(dir)))).toEqual([]);
  });

  it('the same for every file --output-dir would write', async () => {
    const dir = project();
    const out = path.join(dir, 'out');
    execFileSync('mkdir', [out]);
    symlinkSync(path.join(dir, 'notes.txt'), path.join(out, 'heapgate.sarif'));
    const result = await heapgate([
      'analyze',
      dir,
      '--format',
      'json,sarif',
      '--output-dir',
      out,
      '--no-cache',
    ]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('heapgate.sarif: is a symbolic link');
    expect(readdirSync(out)).toEqual(['heapgate.sarif']);
    expect(readFileSync(path.join(dir, 'notes.txt'), 'utf8')).toBe('keep me\n');
  });

  it('still replaces a regular file, and creates missing folders', async () => {
    const dir = project();
    const file = path.join(dir, 'reports', 'deep', 'r.json');
    const first = await heapgate(['analyze', dir, '--format', 'json', '--output', file, '--no-cache']);
    expect(first.exitCode).toBe(0);
    writeFileSync(file, 'old');
    const second = await heapgate(['analyze', dir, '--format', 'json', '--output', file, '--no-cache']);
    expect(second.exitCode).toBe(0);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ schemaVersion: 1 });
  });
});

describe('an unwritable destination is found before any work starts', () => {
  it('a path under /proc fails at once (it used to spin at 100% CPU after the work)', async () => {
    const result = await heapgate(['analyze', project(), '--output', '/proc/nope/x.json', '--no-cache']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('--output /proc/nope/x.json: cannot create the folder /proc/nope');
  });

  it('soak checks --output before it starts the target', async () => {
    const dir = project();
    const marker = path.join(dir, 'started');
    const result = await heapgateLeavingNothing(
      [
        'soak',
        '--target',
        `python3 -c "open('${marker}', 'w').close()"`,
        '--scenarios',
        scenario('health.json'),
        '--output',
        path.join(dir, 'app.py', 'report.json'), // a file where a folder must be
      ],
      { cwd: SERVICES },
    );
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('is not a folder');
    expect(existsSync(marker)).toBe(false);
  });
});

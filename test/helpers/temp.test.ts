import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { tempProject } from './cli.js';
import { pendingTempDirs, removeTempDirs, tempDir } from './temp.js';

describe('temporary folders', () => {
  it('are removed when the test file ends, files and all', () => {
    const before = pendingTempDirs();
    const dir = tempProject({ 'a/b.py': 'x = 1\n' });
    const other = tempDir();
    expect(existsSync(dir)).toBe(true);
    expect(pendingTempDirs()).toBe(before + 2);
    removeTempDirs();
    expect(existsSync(dir)).toBe(false);
    expect(existsSync(other)).toBe(false);
    expect(pendingTempDirs()).toBe(0);
  });
});

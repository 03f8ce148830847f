/**
 * Discovery details the walk reads from folder listings (issue 15: a warm run's discovery does one
 * readdir per folder and one stat per Python file, nothing else): virtualenvs, .gitignore files in
 * sub-folders and linked folders.
 */
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { discoverPythonFiles } from '../../src/static/discover.js';
import { tempProject } from '../helpers/cli.js';

const rels = (dir: string) => discoverPythonFiles(dir).files.map((f) => f.rel);

describe('discoverPythonFiles', () => {
  it('skips a virtualenv under any name, also through a link, but not for a dangling pyvenv.cfg link', () => {
    const dir = tempProject({
      'app.py': 'x = 1\n',
      'env/pyvenv.cfg': 'home = /usr/bin\n',
      'env/lib/mod.py': 'x = 1\n',
      'half/mod.py': 'x = 1\n',
      'marked/pyvenv.cfg/readme.txt': 'a folder of that name still marks a virtualenv\n',
      'marked/mod.py': 'x = 1\n',
    });
    symlinkSync(path.join(dir, 'env'), path.join(dir, 'linked-env'));
    symlinkSync(path.join(dir, 'missing.cfg'), path.join(dir, 'half', 'pyvenv.cfg'));
    expect(rels(dir)).toEqual(['app.py', 'half/mod.py']);
  });

  it('analyses the root even when it is a virtualenv, and reads .gitignore files only where listed', () => {
    const dir = tempProject({
      'pyvenv.cfg': 'home = /usr/bin\n',
      'app.py': 'x = 1\n',
      'a/.gitignore': 'skip.py\n',
      'a/skip.py': 'x = 1\n',
      'a/keep.py': 'x = 1\n',
      'b/skip.py': 'x = 1\n',
    });
    mkdirSync(path.join(dir, '.git'));
    expect(rels(dir)).toEqual(['a/keep.py', 'app.py', 'b/skip.py']);
  });

  it('follows a linked folder once, under its own name, and reports a second link to it', () => {
    const dir = tempProject({ 'real/mod.py': 'x = 1\n' });
    mkdirSync(path.join(dir, 'links'));
    symlinkSync(path.join(dir, 'real'), path.join(dir, 'links', 'one'));
    writeFileSync(path.join(dir, 'top.py'), 'x = 1\n');
    const found = discoverPythonFiles(dir);
    // `links/one` sorts before `real`: the link is walked, the folder itself is then a repeat.
    expect(found.files.map((f) => f.rel)).toEqual(['links/one/mod.py', 'top.py']);
    expect(found.problems).toEqual([]);
  });
});

import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { splitCommand } from '../../src/service/command.js';

describe('splitCommand', () => {
  it.each([
    ['python3 app.py', ['python3', 'app.py']],
    [
      '  gunicorn   -w 2  -b 127.0.0.1:8000 wsgi:app ',
      ['gunicorn', '-w', '2', '-b', '127.0.0.1:8000', 'wsgi:app'],
    ],
    ["python3 'my app.py' --name 'a b'", ['python3', 'my app.py', '--name', 'a b']],
    ['python3 "my app.py" "say \\"hi\\""', ['python3', 'my app.py', 'say "hi"']],
    ['python3 "keeps \\n as is"', ['python3', 'keeps \\n as is']],
    ['python3 my\\ app.py', ['python3', 'my app.py']],
    ['python3 a\'\'b ""', ['python3', 'ab', '']],
    ['python3\tapp.py', ['python3', 'app.py']],
  ])('%s', (command, words) => {
    expect(splitCommand(command)).toEqual(words);
  });

  it.each([["python3 'app.py"], ['python3 "app.py'], ['python3 app.py\\'], ['   ']])(
    'refuses %j with a usage error naming --target',
    (command) => {
      expect(() => splitCommand(command)).toThrow(UsageError);
      expect(() => splitCommand(command)).toThrow(/--target/);
    },
  );
});

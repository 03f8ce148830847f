/**
 * Splits a `--target` command that needs no shell into the program and its arguments, the way a POSIX
 * shell would split words: blanks separate, 'single quotes' keep everything literally, "double quotes"
 * keep everything but a backslash before " \ $ or `, and a backslash outside quotes escapes the next
 * character. Anything with expansions, pipes or redirections goes to a real shell instead (process.ts).
 */
import { UsageError } from '../errors.js';

export function splitCommand(command: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let i = 0;
  const unterminated = (what: string): never => {
    throw new UsageError(`--target "${command}": ${what}`);
  };
  while (i < command.length) {
    const c = command[i];
    if (c === ' ' || c === '\t' || c === '\n') {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
      i++;
    } else if (c === "'") {
      const end = command.indexOf("'", i + 1);
      if (end === -1) unterminated('a single quote is never closed');
      word += command.slice(i + 1, end);
      inWord = true;
      i = end + 1;
    } else if (c === '"') {
      i++;
      while (i < command.length && command[i] !== '"') {
        if (command[i] === '\\' && i + 1 < command.length && '"\\$`'.includes(command[i + 1])) i++;
        word += command[i++];
      }
      if (i >= command.length) unterminated('a double quote is never closed');
      inWord = true;
      i++;
    } else if (c === '\\') {
      if (i + 1 >= command.length) unterminated('it ends with a backslash');
      word += command[i + 1];
      inWord = true;
      i += 2;
    } else {
      word += c;
      inWord = true;
      i++;
    }
  }
  if (inWord) words.push(word);
  if (!words.length) throw new UsageError('--target: the command is empty');
  return words;
}

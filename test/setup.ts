/** Runs in every test file: whatever temporary folders the file made are removed when it ends. */
import { afterAll } from 'vitest';
import { removeTempDirs } from './helpers/temp.js';

afterAll(() => removeTempDirs());

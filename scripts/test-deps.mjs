#!/usr/bin/env node
/**
 * What the end-to-end tests need beyond Node: Debian's Python frameworks under /usr/bin/python3 (the
 * services they soak), `ps`, and Chromium (the HTML report's screenshot test). Run by `npm test` first:
 * when something is missing it installs it with apt-get (as root, or through passwordless sudo); when it
 * cannot, it prints the one command that does and fails. It never skips: a test run without them would
 * pass without having tested the dynamic phase.
 *
 *   node scripts/test-deps.mjs           check, install what is missing
 *   node scripts/test-deps.mjs --check   check only (exit 1 when something is missing)
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** Each need: how to tell it is met, and the Debian package that meets it. */
const NEEDS = [
  { what: 'Debian python3', pkg: 'python3', met: () => existsSync('/usr/bin/python3') },
  { what: 'ps', pkg: 'procps', met: () => onPath('ps') },
  { what: 'Flask', pkg: 'python3-flask', met: () => imports('flask') },
  { what: 'FastAPI', pkg: 'python3-fastapi', met: () => imports('fastapi') },
  { what: 'uvicorn', pkg: 'python3-uvicorn', met: () => imports('uvicorn') },
  { what: 'aiohttp', pkg: 'python3-aiohttp', met: () => imports('aiohttp') },
  {
    what: 'websockets (uvicorn WebSocket support)',
    pkg: 'python3-websockets',
    met: () => imports('websockets'),
  },
  { what: 'gunicorn', pkg: 'gunicorn', met: () => imports('gunicorn') },
  { what: 'prometheus_client', pkg: 'python3-prometheus-client', met: () => imports('prometheus_client') },
  { what: 'lxml', pkg: 'python3-lxml', met: () => imports('lxml.etree') },
  { what: 'Chromium', pkg: 'chromium', met: () => existsSync('/usr/bin/chromium') },
];

function onPath(command) {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

function imports(module) {
  if (!existsSync('/usr/bin/python3')) return false;
  return spawnSync('/usr/bin/python3', ['-c', `import ${module}`], { stdio: 'ignore' }).status === 0;
}

function missing() {
  return NEEDS.filter((need) => !need.met());
}

const checkOnly = process.argv.includes('--check');
let absent = missing();
if (!absent.length) process.exit(0);

const packages = absent.map((need) => need.pkg);
const command = `apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${packages.join(' ')}`;
const say = (line) => process.stderr.write(`test-deps: ${line}\n`);
say(`missing for the end-to-end tests: ${absent.map((need) => need.what).join(', ')}`);

const isRoot = process.getuid?.() === 0;
const sudo = !isRoot && onPath('sudo') && spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore' }).status === 0;
if (checkOnly || !onPath('apt-get') || (!isRoot && !sudo)) {
  say(
    onPath('apt-get')
      ? `install them with:\n  sudo sh -c '${command}'`
      : `this is not a Debian-like system; install the equivalents of: ${packages.join(' ')}`,
  );
  process.exit(1);
}

say(`installing ${packages.join(' ')} with apt-get${sudo ? ' (sudo)' : ''}`);
try {
  execFileSync(sudo ? 'sudo' : 'sh', sudo ? ['sh', '-c', command] : ['-c', command], {
    stdio: ['ignore', 'inherit', 'inherit'],
  });
} catch {
  say(`apt-get failed; run it yourself:\n  sudo sh -c '${command}'`);
  process.exit(1);
}
absent = missing();
if (absent.length) {
  say(`still missing after installing: ${absent.map((need) => need.what).join(', ')}`);
  process.exit(1);
}
say('installed');

/**
 * The HTML report (src/report/html.ts): rendered from the recorded reports, its structure and chart geometry
 * checked by parsing, every service-controlled string proven inert, and the page opened in headless
 * Chromium (Debian's `chromium`, installed by .ci/run) to check the charts are really drawn.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { inflateSync } from 'node:zlib';
import { execa } from 'execa';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FORMAT_EXTENSIONS, FORMATS } from '../../src/config/formats.js';
import { render } from '../../src/report/index.js';
import { escapeHtml, renderHtml } from '../../src/report/html.js';
import type { Report } from '../../src/model/report.js';
import { REPO } from '../helpers/cli.js';

const CHROMIUM = '/usr/bin/chromium';

function fixture(name: string): Report {
  return JSON.parse(readFileSync(path.join(REPO, 'test/fixtures/reports', `${name}.json`), 'utf8')) as Report;
}

// ------------------------------------------------------------------------------------------ small parsing

interface Svg {
  metric: string;
  xml: string;
  /** data-role → the points of each polyline with that role. */
  polylines: Map<string, [number, number][][]>;
  rects: Map<string, number>;
}

function points(text: string): [number, number][] {
  return text
    .trim()
    .split(/\s+/)
    .map((pair) => pair.split(',').map(Number) as [number, number]);
}

/** The chart SVGs of a page section, each parsed as XML (they must be well-formed). */
function charts(html: string): Svg[] {
  const out: Svg[] = [];
  for (const match of html.matchAll(/<svg class="chart"[\s\S]*?<\/svg>/g)) {
    const xml = match[0];
    expect(XMLValidator.validate(xml)).toBe(true);
    const metric = /data-metric="([^"]+)"/.exec(xml)![1];
    const polylines = new Map<string, [number, number][][]>();
    for (const p of xml.matchAll(/<polyline data-role="([a-z]+)" points="([^"]+)"/g)) {
      const list = polylines.get(p[1]) ?? [];
      list.push(points(p[2]));
      polylines.set(p[1], list);
    }
    const rects = new Map<string, number>();
    for (const r of xml.matchAll(/<rect data-role="([a-z]+)"[^>]*\swidth="([\d.]+)"/g))
      rects.set(r[1], Number(r[2]));
    out.push({ metric, xml, polylines, rects });
  }
  return out;
}

/** The HTML of one scenario's section. */
function section(html: string, index: number): string {
  const start = html.indexOf(`id="scenario-${index}"`);
  expect(start).toBeGreaterThan(-1);
  const end = html.indexOf('</section>', start);
  return html.slice(start, end);
}

const ALLOWED_TAGS = new Set(
  (
    'html head meta title style body main h1 h2 h3 header footer section div span p ul ol li a strong code pre br ' +
    'table thead tbody tr th td details summary figure figcaption svg defs clippath rect line polyline circle g text'
  ).split(' '),
);

// ----------------------------------------------------------------------------------------- PNG decoding

interface Image {
  width: number;
  height: number;
  /** RGBA, 4 bytes per pixel. */
  rgba: Uint8Array;
}

/** A minimal PNG decoder: 8-bit RGB or RGBA, non-interlaced (what Chromium's screenshots are). */
function decodePng(file: Buffer): Image {
  expect(file.subarray(0, 8).equals(Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]))).toBe(true);
  let offset = 8;
  let width = 0;
  let height = 0;
  let colorType = 0;
  const idat: Buffer[] = [];
  while (offset < file.length) {
    const length = file.readUInt32BE(offset);
    const type = file.toString('latin1', offset + 4, offset + 8);
    const data = file.subarray(offset + 8, offset + 8 + length);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      const bitDepth = data[8];
      colorType = data[9];
      const interlace = data[12];
      if (bitDepth !== 8 || (colorType !== 2 && colorType !== 6) || interlace !== 0) {
        throw new Error(
          `unsupported PNG: bit depth ${bitDepth}, colour type ${colorType}, interlace ${interlace}`,
        );
      }
    } else if (type === 'IDAT') {
      idat.push(data);
    } else if (type === 'IEND') {
      break;
    }
    offset += 12 + length;
  }
  const bpp = colorType === 6 ? 4 : 3;
  const stride = width * bpp;
  const raw = inflateSync(Buffer.concat(idat));
  const pixels = new Uint8Array(height * stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    const out = y * stride;
    const prev = out - stride;
    for (let i = 0; i < stride; i++) {
      const a = i >= bpp ? pixels[out + i - bpp] : 0;
      const b = y > 0 ? pixels[prev + i] : 0;
      const c = i >= bpp && y > 0 ? pixels[prev + i - bpp] : 0;
      let v: number;
      switch (filter) {
        case 0:
          v = 0;
          break;
        case 1:
          v = a;
          break;
        case 2:
          v = b;
          break;
        case 3:
          v = (a + b) >> 1;
          break;
        case 4: {
          const p = a + b - c;
          const pa = Math.abs(p - a);
          const pb = Math.abs(p - b);
          const pc = Math.abs(p - c);
          v = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
          break;
        }
        default:
          throw new Error(`bad PNG filter ${filter} on row ${y}`);
      }
      pixels[out + i] = (line[i] + v) & 0xff;
    }
  }
  if (bpp === 4) return { width, height, rgba: pixels };
  const rgba = new Uint8Array(width * height * 4);
  for (let i = 0, j = 0; i < pixels.length; i += 3, j += 4) {
    rgba[j] = pixels[i];
    rgba[j + 1] = pixels[i + 1];
    rgba[j + 2] = pixels[i + 2];
    rgba[j + 3] = 255;
  }
  return { width, height, rgba };
}

interface Box {
  count: number;
  minX: number;
  maxX: number;
  minY: number;
  maxY: number;
}

type Rgb = (r: number, g: number, b: number) => boolean;

/** Within `tolerance` (per channel) of a colour. */
function near(hex: string, tolerance: number): Rgb {
  const [r0, g0, b0] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
  return (r, g, b) =>
    Math.abs(r - r0) <= tolerance && Math.abs(g - g0) <= tolerance && Math.abs(b - b0) <= tolerance;
}

/** Hues, loose enough for anti-aliased and dashed lines (blended with the white plot). */
const GREENISH: Rgb = (r, g, b) => g - r > 50 && g - b > 35;
const REDDISH: Rgb = (r, g, b) => r - g > 100 && r - b > 100;
const PURPLISH: Rgb = (r, g, b) => b - g > 70 && r - g > 25 && b > r;

/** Pixels matching a colour test, and their bounding box; optionally only inside `within`. */
function pixelsOf(image: Image, test: Rgb | string, within?: Box): Box {
  const match = typeof test === 'string' ? near(test, 10) : test;
  const box: Box = { count: 0, minX: Infinity, maxX: -Infinity, minY: Infinity, maxY: -Infinity };
  const x0 = within?.minX ?? 0;
  const x1 = within?.maxX ?? image.width - 1;
  const y0 = within?.minY ?? 0;
  const y1 = within?.maxY ?? image.height - 1;
  const d = image.rgba;
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      const i = (y * image.width + x) * 4;
      if (match(d[i], d[i + 1], d[i + 2])) {
        box.count++;
        box.minX = Math.min(box.minX, x);
        box.maxX = Math.max(box.maxX, x);
        box.minY = Math.min(box.minY, y);
        box.maxY = Math.max(box.maxY, y);
      }
    }
  }
  return box;
}

/** Share of the pixels in a box that differ clearly from the page's white and light-grey backgrounds. */
function inkShare(image: Image, box: Box): number {
  let ink = 0;
  let all = 0;
  for (let y = box.minY; y <= box.maxY; y++) {
    for (let x = box.minX; x <= box.maxX; x++) {
      const i = (y * image.width + x) * 4;
      const d = image.rgba;
      all++;
      if (Math.min(d[i], d[i + 1], d[i + 2]) < 200) ink++;
    }
  }
  return all ? ink / all : 0;
}

// ------------------------------------------------------------------------------------------ Chromium

let dir = '';
beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'heapgate-html-'));
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function requireChromium(): void {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `${CHROMIUM} is missing: the HTML report test needs Debian's chromium (apt-get install -y chromium; .ci/run installs it)`,
    );
  }
}

async function chromium(args: string[], url: string): Promise<string> {
  requireChromium();
  const profile = mkdtempSync(path.join(dir, 'profile-'));
  const result = await execa(
    CHROMIUM,
    [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--hide-scrollbars',
      `--user-data-dir=${profile}`,
      ...args,
      url,
    ],
    { timeout: 15_000, reject: false, env: { ...process.env, LANG: 'C.UTF-8' } },
  );
  if (result.exitCode !== 0) {
    throw new Error(`chromium exited with ${result.exitCode}: ${String(result.stderr).slice(-2000)}`);
  }
  return String(result.stdout);
}

function writePage(name: string, html: string): string {
  const file = path.join(dir, `${name}.html`);
  writeFileSync(file, html);
  return `file://${file}`;
}

async function screenshot(name: string, html: string): Promise<Image> {
  const url = writePage(name, html);
  const png = path.join(dir, `${name}.png`);
  await chromium([`--screenshot=${png}`, '--window-size=1280,2000'], url);
  expect(existsSync(png)).toBe(true);
  return decodePng(readFileSync(png));
}

// ---------------------------------------------------------------------------------------------- tests

describe('renderHtml on the recorded reports', () => {
  it('is registered as a format with its extension', () => {
    expect(FORMATS).toContain('html');
    expect(FORMAT_EXTENSIONS.html).toBe('html');
    const report = fixture('soak-clean');
    expect(render(report, 'html', { color: false, width: 100 })).toBe(renderHtml(report));
  });

  it('is one self-contained page: no scripts, no remote assets, only known tags', () => {
    for (const name of ['soak-leaky', 'soak-clean', 'static-example']) {
      const html = renderHtml(fixture(name));
      expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
      expect(html).toContain('<style>');
      expect(html).not.toMatch(/<script|<link|<img|<iframe|@import|url\(\s*['"]?https?:/i);
      expect(html).not.toMatch(/\s(src|href)="(?!#)/);
      for (const m of html.matchAll(/<\/?([a-zA-Z][a-zA-Z0-9-]*)/g)) {
        expect(ALLOWED_TAGS, `unexpected <${m[1]}> in ${name}`).toContain(m[1].toLowerCase());
      }
      // Pure: the same report gives the same page.
      expect(renderHtml(fixture(name))).toBe(html);
    }
  });

  it('leaky run: failed gate, the failing scenario first with its slope, projection, charts and leak sites', () => {
    const report = fixture('soak-leaky');
    const html = renderHtml(report);
    expect(html).toMatch(/<header class="gate fail">/);
    expect(html).toContain('Gate failed');
    for (const reason of report.gate.reasons) expect(html).toContain(escapeHtml(reason));

    // Overview: the failing scenario is the first row, then the errored one.
    const overview = html.slice(html.indexOf('<section class="overview">'), html.indexOf('</section>'));
    expect(overview.indexOf('unique-paths')).toBeLessThan(overview.indexOf('worker-failing'));
    expect(overview).toContain('+393 B/iteration');
    expect(overview).toContain('+375 MB per million requests');
    expect(overview).toMatch(/\+2\.\d GB\/h at the measured rate/);
    expect(overview).toContain('stdlib_service.py:41');

    const leaky = report.scenarios[0];
    const body = section(html, 0);
    expect(body).toMatch(/<span class="badge fail">FAIL<\/span><h2>unique-paths<\/h2>/);
    const svgs = charts(body);
    // Heap always; RSS because it broke its budget; the flat counts are not charted.
    expect(svgs.map((s) => s.metric)).toEqual(['heap', 'rss']);
    for (const svg of svgs) {
      const samples = svg.polylines.get('samples')![0];
      expect(samples).toHaveLength(leaky.series!.length);
      // x is monotonic, every point inside the 560×250 view box.
      for (let i = 1; i < samples.length; i++) expect(samples[i][0]).toBeGreaterThan(samples[i - 1][0]);
      for (const [x, y] of samples) {
        expect(x).toBeGreaterThanOrEqual(0);
        expect(x).toBeLessThanOrEqual(560);
        expect(y).toBeGreaterThanOrEqual(0);
        expect(y).toBeLessThanOrEqual(250);
      }
      // The fitted line spans the measured part (from the first sample after warm-up to the last) …
      const [fit] = svg.polylines.get('fit')!;
      expect(fit).toHaveLength(2);
      expect(fit[0][0]).toBeCloseTo(samples[1][0], 1);
      expect(fit[1][0]).toBeCloseTo(samples[samples.length - 1][0], 1);
      // … and follows the samples (y grows downwards: the line rises).
      expect(fit[1][1]).toBeLessThan(fit[0][1] - 50);
      // The budget starts where the fit does and rises less steeply: the leak outgrows it.
      const [budget] = svg.polylines.get('budget')!;
      expect(budget[0][0]).toBeCloseTo(fit[0][0], 1);
      expect(budget[0][1]).toBeCloseTo(fit[0][1], 1);
      expect(budget[1][1]).toBeGreaterThan(fit[1][1] + 40);
      // Warm-up (iterations 0–50 of 1500) is shaded: ~1/30 of the plot's width.
      expect(svg.rects.get('warmup')).toBeGreaterThan(10);
      expect(svg.rects.get('warmup')).toBeLessThan(30);
      expect(svg.polylines.has('plateau')).toBe(false);
    }
    // Heap fit follows the samples closely (R² ≈ 1): its end within a few pixels of the last sample.
    const heap = svgs[0];
    const last = heap.polylines.get('samples')![0].at(-1)!;
    expect(Math.abs(heap.polylines.get('fit')![0][1][1] - last[1])).toBeLessThan(12);
    // Axes with humanized bytes and iterations.
    expect(heap.xml).toMatch(/>3\.\d+ MB</);
    expect(heap.xml).toContain('>1,500<');
    expect(heap.xml).toContain('>iteration<');
    expect(body).toContain('allowed: 32 B/iteration');

    // Leak sites: the service's own line first, with its code, growth and a collapsible traceback.
    const sites = body.slice(body.indexOf('Top leak sites'));
    expect(sites.indexOf('stdlib_service.py:41')).toBeLessThan(sites.indexOf('feedparser.py:156'));
    expect(sites).toContain(escapeHtml('STORE[path] = {"seen": time.time(), "payload": path * 4}'));
    expect(sites).toContain('+17 KB');
    expect(sites).toContain('+300 blocks');
    expect(sites).toMatch(
      /<details class="traceback"><summary>traceback \(10 frames, innermost first\)<\/summary><ol>/,
    );
    expect(sites).toContain('/root/.pyenv/versions/3.11.7/lib/python3.11/threading.py:1002');

    // The errored scenario: its error and the stderr tail in a <pre>.
    const errored = section(html, 1);
    expect(errored).toContain('<span class="badge error">ERROR</span>');
    expect(errored).toContain('the target kept failing, so the scenario stopped');
    expect(errored).toMatch(
      /<pre class="error-text">--- target stderr \(tail\) ---\nstarting on port 34209<\/pre>/,
    );
    expect(charts(errored)).toHaveLength(0);
  });

  it('clean run: passed gate, heap charted with its plateau, under the budget line', () => {
    const report = fixture('soak-clean');
    const html = renderHtml(report);
    expect(html).toMatch(/<header class="gate pass">/);
    expect(html).toContain('Gate passed');
    const body = section(html, 0);
    expect(body).toContain('<span class="badge pass">PASS</span>');
    const svgs = charts(body);
    expect(svgs.map((s) => s.metric)).toEqual(['heap']);
    const [heap] = svgs;
    expect(heap.polylines.get('samples')![0]).toHaveLength(report.scenarios[0].series!.length);
    const [plateau] = heap.polylines.get('plateau')!;
    // Horizontal, from where the heap levelled off to the end.
    expect(plateau[0][1]).toBe(plateau[1][1]);
    expect(plateau[0][0]).toBeGreaterThan(heap.polylines.get('fit')![0][0][0]);
    const [budget] = heap.polylines.get('budget')!;
    const [fit] = heap.polylines.get('fit')!;
    expect(budget[1][1]).toBeLessThan(fit[1][1] - 40);
    expect(body).toMatch(/plateau at 3\.3\d MB from iteration \d/);
    expect(body).not.toContain('Top leak sites');
  });

  it('static findings: confirmed first, then by severity, with rule, location, fix and status', () => {
    const report = fixture('static-example');
    let html = renderHtml(report);
    expect(html).not.toContain('class="scenario');
    const rows = [
      ...html.matchAll(
        /<tr(?: class="confirmed")?><td><span class="pill [a-z]+">([^<]+)<\/span><\/td><td><span class="sev [a-z]+">([A-Z]+)<\/span>/g,
      ),
    ];
    expect(rows).toHaveLength(report.findings.length);
    expect(rows.map((r) => r[1])).toEqual(report.findings.map(() => 'not exercised'));
    expect(rows.at(-1)![2]).toBe('MEDIUM');
    expect(html).toContain('RELIABILITY_UNBOUNDED_CACHE');
    expect(html).toContain('<code>app.py:20:1</code>');
    expect(html).toContain('Give the cache a bound');
    expect(html).toContain('<code>if not logger.handlers:</code>');

    // A confirmed LOW finding leads the table.
    const confirmed: Report = structuredClone(report);
    confirmed.findings[3] = { ...confirmed.findings[3], dynamic: 'confirmed', severity: 'LOW' };
    html = renderHtml(confirmed);
    const first =
      /<tbody>\n<tr class="confirmed"><td><span class="pill fail">confirmed by the run<\/span><\/td><td><span class="sev low">LOW<\/span>/;
    expect(html).toMatch(first);
    expect(html).toContain('(1 confirmed by the run)');
  });

  it('escapes every string from the service or its files', () => {
    const html = renderHtml(maliciousReport());
    for (const m of html.matchAll(/<\/?([a-zA-Z][a-zA-Z0-9-]*)/g)) {
      expect(ALLOWED_TAGS, `unexpected <${m[1]}>`).toContain(m[1].toLowerCase());
    }
    expect(html).not.toMatch(/<script|<img|<iframe|<b\s|<svg onload/i);
    // No attribute of any real tag carries an event handler.
    expect(html).not.toMatch(/<[^>]*\son[a-z]+\s*=/i);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('&quot;&gt;&lt;img src=x onerror=alert(1)&gt;');
    expect(html).toContain('&lt;/details&gt;&lt;script&gt;alert(3)&lt;/script&gt;');
    expect(html).toContain('&lt;/pre&gt;&lt;script&gt;alert(4)&lt;/script&gt;');
    // A backtick span in a message becomes <code>, with its content still escaped.
    expect(html).toContain('<code>&lt;script&gt;alert(14)&lt;/script&gt;</code>');
    // The charts still come out whole.
    expect(charts(html).length).toBeGreaterThan(0);
  });
});

describe('renderHtml draws what the verdict recorded, and recomputes nothing', () => {
  /** The clean run with its heap's recorded figures moved: the chart must follow them. */
  function moved(): Report {
    const report = fixture('soak-clean');
    const heap = report.scenarios[0].metrics.heap!;
    heap.plateau = { fromSample: 40, fromIteration: 2000, level: 3_470_000 };
    heap.fit = { intercept: 3_400_000, slope: 30 };
    return report;
  }

  it('draws the recorded plateau and fitted line, wherever they are', () => {
    const original = charts(section(renderHtml(fixture('soak-clean')), 0))[0];
    const html = renderHtml(moved());
    const [heap] = charts(section(html, 0));
    const [plateau] = heap.polylines.get('plateau')!;
    const [fit] = heap.polylines.get('fit')!;
    const [was] = original.polylines.get('plateau')!;
    // The plateau now starts at the recorded sample (iteration 2000), not where it was found.
    expect(plateau[0][0]).toBeGreaterThan(was[0][0] + 150);
    const samples = heap.polylines.get('samples')![0];
    expect(plateau[0]).toEqual([samples[40][0], plateau[0][1]]);
    // The fit rises steeply (30 B/iteration over 2950 iterations ≈ 88 KB) where the recorded one was flat.
    expect(fit[0][1] - fit[1][1]).toBeGreaterThan(100);
    expect(html).toMatch(/plateau at 3\.31 MB from iteration 2,000/);
  });

  it('a plateau the verdict did not find is not drawn, whatever the trend says', () => {
    const report = fixture('soak-clean');
    report.scenarios[0].metrics.heap!.plateau = null;
    const html = renderHtml(report);
    const [heap] = charts(section(html, 0));
    expect(heap.polylines.has('plateau')).toBe(false);
    expect(heap.rects.has('plateau-region')).toBe(false);
    expect(section(html, 0)).toContain('<span class="pill plateau">plateau</span>');
  });

  it('an older report without the recorded figures: samples only, and the chart says why', () => {
    const report = fixture('soak-leaky');
    for (const s of report.scenarios) {
      delete s.measured;
      delete s.iterationsPerHour;
      for (const m of Object.values(s.metrics)) {
        delete m.fit;
        delete m.plateau;
        delete m.projection;
      }
    }
    const html = renderHtml(report);
    const body = section(html, 0);
    const svgs = charts(body);
    expect(svgs.map((svg) => svg.metric)).toEqual(['heap', 'rss']);
    for (const svg of svgs) {
      expect(svg.polylines.get('samples')![0]).toHaveLength(report.scenarios[0].series!.length);
      expect(svg.polylines.has('fit')).toBe(false);
      expect(svg.polylines.has('plateau')).toBe(false);
      // The budget still starts at the first measured sample (after the recorded warm-up).
      const samples = svg.polylines.get('samples')![0];
      expect(svg.polylines.get('budget')![0][0]).toEqual(samples[1]);
    }
    expect(body).toContain(
      'fitted line and plateau not drawn: this report is from a heapgate that did not record them',
    );
    // Projections and throughput are not recomputed either.
    expect(body).toContain(
      '<div class="headline fail"><span class="label">Heap</span> <strong>+393 B/iteration</strong></div>',
    );
    expect(body).not.toContain('iterations/s');
  });

  it('heads the heap chart with what its counter counted', () => {
    const report = fixture('soak-leaky');
    expect(charts(renderHtml(report))[0].xml).toContain('<title>Traced heap:');
    report.scenarios[0].heapCounter = 'allocator';
    expect(charts(renderHtml(report))[0].xml).toContain('<title>Allocated heap:');
  });
});

describe('the HTML report in headless Chromium', () => {
  it('draws the charts of the leaky run: samples, fitted line and budget', async () => {
    const image = await screenshot('leaky', renderHtml(fixture('soak-leaky')));
    expect(image.width).toBe(1280);
    // The samples' blue: two charts side by side, each a line across most of its plot.
    const samples = pixelsOf(image, '#2563eb');
    expect(samples.count).toBeGreaterThan(800);
    expect(samples.maxX - samples.minX).toBeGreaterThan(900);
    expect(samples.maxY - samples.minY).toBeGreaterThan(100);
    const left = pixelsOf(image, '#2563eb', { ...samples, maxX: 640 });
    const right = pixelsOf(image, '#2563eb', { ...samples, minX: 640 });
    expect(left.maxX - left.minX).toBeGreaterThan(300);
    expect(right.maxX - right.minX).toBeGreaterThan(300);
    // The over-budget fit (red) and the budget (green, dashed) within the charts' area.
    expect(pixelsOf(image, REDDISH, samples).count).toBeGreaterThan(400);
    expect(pixelsOf(image, GREENISH, samples).count).toBeGreaterThan(300);
    // The chart area is not blank.
    expect(inkShare(image, samples)).toBeGreaterThan(0.02);
  });

  it('draws the plateau of the clean run', async () => {
    const image = await screenshot('clean', renderHtml(fixture('soak-clean')));
    const samples = pixelsOf(image, '#2563eb');
    expect(samples.count).toBeGreaterThan(400);
    expect(samples.maxX - samples.minX).toBeGreaterThan(300);
    // The plateau: its shaded region (from where the heap levelled off to the end, the plot's full height) …
    const plateau = pixelsOf(image, near('#f5f3ff', 2));
    expect(plateau.count).toBeGreaterThan(15_000);
    expect(plateau.minX).toBeGreaterThan(samples.minX + 40);
    expect(plateau.maxX - plateau.minX).toBeGreaterThan(250);
    expect(plateau.maxY - plateau.minY).toBeGreaterThan(100);
    // … its dashed level line (partly under the sample dots), and the budget line rising through it.
    expect(pixelsOf(image, PURPLISH, plateau).count).toBeGreaterThan(80);
    expect(pixelsOf(image, GREENISH, plateau).count).toBeGreaterThan(200);
  });

  it('keeps malicious strings inert in the parsed DOM, charts intact', async () => {
    const report = maliciousReport();
    const dom = await chromium(['--dump-dom'], writePage('malicious', renderHtml(report)));
    expect(dom).toContain('<svg class="chart"');
    expect(dom).not.toMatch(/<script|<img|<iframe|<b\s|<svg onload/i);
    expect(dom).not.toMatch(/<[^>]*\son[a-z]+\s*=/i);
    expect(dom).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    const svgs = charts(dom.replace(/<clippath/g, '<clipPath').replace(/<\/clippath>/g, '</clipPath>'));
    expect(svgs.map((s) => s.metric)).toEqual(['heap', 'rss']);
    for (const svg of svgs) {
      expect(svg.polylines.get('samples')![0]).toHaveLength(report.scenarios[0].series!.length);
      expect(svg.polylines.get('fit')![0]).toHaveLength(2);
    }
    const parser = new XMLParser({ ignoreAttributes: false });
    const parsed = parser.parse(svgs[0].xml) as { svg: { title: string } };
    expect(parsed.svg.title).toContain('Traced heap');
  });
});

/** The leaky report with hostile strings wherever the service or its files supply one. */
function maliciousReport(): Report {
  const report = fixture('soak-leaky');
  const [leaky, errored] = report.scenarios;
  leaky.name = '<script>alert(1)</script>';
  leaky.leakSites[0].code = '"><img src=x onerror=alert(1)>';
  leaky.leakSites[1].file = '<img src=x onerror=alert(2)>.py';
  leaky.leakSites[0].traceback[0] = '</details><script>alert(3)</script>';
  leaky.notes = ['<iframe src="javascript:alert(7)"></iframe>'];
  leaky.selectedBy = [{ rule: '<b onmouseover=alert(8)>', file: "'><svg onload=alert(9)>", line: 3 }];
  leaky.metrics.heap!.reason = '<script>alert(15)</script>';
  leaky.reasons = ["rss '><script>alert(16)</script>"];
  errored.name = '"><img src=x onerror=alert(17)>';
  errored.error =
    'boom </pre><script>alert(4)</script>\n--- target stderr (tail) ---\n<img src=x onerror=alert(5)>';
  report.gate.reasons.push('<script>alert(6)</script>');
  report.tool.version = '<script>alert(11)</script>';
  report.findings = [
    {
      rule: 'RELIABILITY_UNBOUNDED_GLOBAL',
      shortId: 'R1',
      severity: 'HIGH',
      file: '"><img src=x onerror=alert(10)>.py',
      line: 1,
      column: 1,
      endLine: 1,
      endColumn: 2,
      message: 'grows via `<script>alert(14)</script>` forever',
      function: '<script>alert(12)</script>',
      confidence: 'high',
      fix: '"><img src=x onerror=alert(13)>',
      dynamic: 'confirmed',
    },
  ];
  report.routes = [
    {
      framework: 'flask',
      method: 'GET',
      path: '<script>alert(18)</script>',
      handler: { file: 'app.py', function: '<img src=x onerror=alert(19)>', line: 1 },
      file: 'app.py',
      line: 1,
    } as NonNullable<Report['routes']>[number],
  ];
  report.problems = [
    { kind: 'syntax-error', file: '<script>x</script>.py', message: '<img src=x onerror=alert(20)>' },
  ];
  return report;
}

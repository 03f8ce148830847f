/** Format name → renderer. Every renderer is a pure function of the JSON report. */
import type { Format } from '../config/options.js';
import { renderHtml } from './html.js';
import { renderJson } from './json.js';
import { renderJunit } from './junit.js';
import { renderMarkdown } from './markdown.js';
import type { Report } from '../model/report.js';
import { renderSarif } from './sarif.js';
import { renderText, type TextOptions } from './text.js';

export function render(report: Report, format: Format, text: TextOptions): string {
  switch (format) {
    case 'text':
      return renderText(report, text);
    case 'json':
      return renderJson(report);
    case 'sarif':
      return renderSarif(report);
    case 'markdown':
      return renderMarkdown(report);
    case 'junit':
      return renderJunit(report);
    case 'html':
      return renderHtml(report);
  }
}

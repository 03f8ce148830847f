/** Report formats and the file extension each is written with under --output-dir. */

export const FORMATS = ['text', 'json', 'sarif', 'markdown', 'junit', 'html'] as const;
export type Format = (typeof FORMATS)[number];

export const FORMAT_EXTENSIONS: Record<Format, string> = {
  text: 'txt',
  json: 'json',
  sarif: 'sarif',
  markdown: 'md',
  junit: 'junit.xml',
  html: 'html',
};

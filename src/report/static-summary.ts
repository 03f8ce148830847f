/**
 * Words every format uses for the static phase's summary, so text, Markdown and HTML say the same thing.
 */

/**
 * Findings hidden because they are in tests, test helpers, scripts, benchmarks or examples: said, with the
 * flag that brings them back, so a reader never mistakes "0 findings" for "nothing looked suspicious".
 */
export function hiddenWording(hidden: number): string {
  return `${hidden} finding${hidden === 1 ? '' : 's'} in tests or scripts hidden (--include-tests shows them)`;
}

// The application trees the static benches measure beside the standard library (issue 15: a large real
// application, named with its commit). They are optional: a bench on a machine without them says so and
// measures the standard library alone. Fetch one with
//   git clone https://github.com/<repo> DIR && git -C DIR checkout <commit>
// into $HEAPGATE_BENCH_APPS/<name> (default: <tmpdir>/heapgate-bench-apps/<name>).
import os from 'node:os';
import path from 'node:path';

const base = process.env.HEAPGATE_BENCH_APPS ?? path.join(os.tmpdir(), 'heapgate-bench-apps');

const tree = (name, repo, commit) => ({
  name,
  repo,
  commit,
  path: path.join(base, name),
  howToFetch: `git clone https://github.com/${repo} ${path.join(base, name)} && git -C ${path.join(base, name)} checkout ${commit}`,
});

export const APP_TREES = [
  // Django + GraphQL e-commerce: 4,338 Python files, 27.8 MB (tests included; heapgate hides their findings).
  tree('saleor', 'saleor/saleor', '723cd4eba87dfc72822ade45dc08a3caa548428d'),
  // Flask + RQ dashboards: 292 Python files, 1.5 MB.
  tree('redash', 'getredash/redash', 'ca79fe988d81cdac9675b412f3dfcab107bc1fbc'),
];

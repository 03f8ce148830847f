/** The GitHub workflow `heapgate init --ci` writes: the static phase and the gate on every pull request. */
export function githubWorkflow(): string {
  return `# Written by heapgate init --ci. heapgate is not on the npm registry: install it the way docs/github-actions.md
# of heapgate's repository says (a packed tarball committed under tools/, or git+https://…), then adjust below.
name: heapgate

on:
  pull_request:
  push:
    branches: [main]

permissions:
  contents: read

jobs:
  gate:
    runs-on: ubuntu-latest
    permissions:
      contents: read
      security-events: write # for the SARIF upload
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: '3.12'
      - uses: actions/setup-node@v4
        with:
          node-version: 20
      - run: pip install -e . || pip install -r requirements.txt
      - run: npm install -g ./tools/heapgate-0.1.0.tgz
      - name: Static rules and the memory-budget gate ([tool.heapgate] in pyproject.toml)
        # Annotations and the job summary are written by heapgate itself; exit 1 fails the job.
        run: heapgate analyze . --enable-memory-budget-gate --format text,sarif --output-dir heapgate-out
      - uses: github/codeql-action/upload-sarif@v3
        if: \${{ !cancelled() }}
        with:
          sarif_file: heapgate-out/heapgate.sarif
`;
}

/**
 * The GitHub workflow `heapgate init --ci` writes: the static phase and the gate on every pull request,
 * with heapgate installed from the npm registry at the version that wrote the file (HEAPGATE_PACKAGE, one
 * line to change for a tarball or a git URL; test/adoption/workflow.e2e.test.ts runs the steps with it
 * pointing at a tarball packed from the checkout).
 */
import { VERSION } from '../version.js';

export function githubWorkflow(): string {
  return `# Written by heapgate init --ci: heapgate's static rules and memory-budget gate on every pull request.
name: heapgate

on:
  pull_request:
  push:
    branches: [main]

permissions:
  contents: read

env:
  # What npm installs: heapgate from the registry, pinned to the version that wrote this file. A packed
  # tarball (./tools/heapgate-${VERSION}.tgz) or a git URL works here too.
  HEAPGATE_PACKAGE: heapgate@${VERSION}

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
      - name: Install the service's dependencies
        run: |
          if [ -f requirements.txt ]; then python3 -m pip install -r requirements.txt
          elif [ -f setup.py ] || grep -q '^\\[project\\]' pyproject.toml 2>/dev/null; then python3 -m pip install -e .
          fi
      - name: Install heapgate
        run: npm install -g "$HEAPGATE_PACKAGE"
      - name: Static rules and the memory-budget gate ([tool.heapgate] in pyproject.toml)
        # Annotations and the job summary are written by heapgate itself; exit 1 fails the job.
        run: heapgate analyze . --enable-memory-budget-gate --format text,sarif --output-dir heapgate-out
      - uses: github/codeql-action/upload-sarif@v3
        if: \${{ !cancelled() }}
        with:
          sarif_file: heapgate-out/heapgate.sarif
`;
}

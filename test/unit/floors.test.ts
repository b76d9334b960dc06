// The floors rule of eslint.config.js (docs/architecture.md, "Floors"),
// run through ESLint's own API on snippets: an import that climbs to a
// higher floor fails `npm run lint` with a message naming both floors, a
// downward one passes. Type-aware rules are switched off here (the snippets
// are not files of the project); the floors rule does not need types.
import assert from 'node:assert/strict';
import path from 'node:path';
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';

const ROOT = path.resolve(import.meta.dirname, '../..');
const eslint = new ESLint({
  cwd: ROOT,
  overrideConfig: { files: ['**/*.ts'], ...tseslint.configs.disableTypeChecked },
});

/** The floors messages ESLint gives `code` as if it were the file `file`. */
async function floorErrors(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(ROOT, file) });
  assert.ok(result, 'ESLint linted the snippet');
  return result.messages
    .filter((message) => message.ruleId === 'no-restricted-imports')
    .map((message) => message.message);
}

describe('floors (eslint no-restricted-imports)', function () {
  this.timeout(20_000);

  it('fails an import from report/ up into lab/, saying which floor may not import which', async () => {
    const errors = await floorErrors(
      'report/html/back-edge.ts',
      "import type { LabState } from '../../lab/topology/state.ts';\nexport type Seen = LabState;\n",
    );
    assert.equal(errors.length, 1, errors.join('\n'));
    assert.match(
      errors[0]!,
      /report\/ may not import lab\/ \(floors only point down; report\/ may import nodes\/, balancer\/, store\/, common\/\)/,
    );
  });

  it('fails the product importing the benches, and loadgen/ importing lab/ or report/', async () => {
    const fromLab = await floorErrors(
      'lab/run/probes/back-edge.ts',
      "import { MIX } from '../../../bench/strategies/workload.ts';\nexport const mix = MIX;\n",
    );
    assert.match(fromLab.join('\n'), /lab\/ may not import bench\/.*the product never imports it/);
    const fromLoadgen = await floorErrors(
      'loadgen/back-edge.ts',
      "import { LabError } from '../lab/errors.ts';\nimport { checkSummary } from '../report/summary-check.ts';\nexport { LabError, checkSummary };\n",
    );
    assert.equal(fromLoadgen.length, 2, fromLoadgen.join('\n'));
    assert.match(fromLoadgen[0]!, /loadgen\/ may not import lab\//);
    assert.match(fromLoadgen[1]!, /loadgen\/ may not import report\//);
  });

  it('fails report/ importing loadgen/ though it sits below: the two meet only in the schema', async () => {
    const errors = await floorErrors(
      'report/back-edge.ts',
      "import type { LoadTotals } from '../loadgen/types.ts';\nexport type T = LoadTotals;\n",
    );
    assert.match(errors.join('\n'), /report\/ may not import loadgen\//);
  });

  it('passes imports that point down or stay on the floor', async () => {
    assert.deepEqual(
      await floorErrors(
        'lab/commands/down-edge.ts',
        "import { renderRun } from '../../report/render.ts';\nimport { isLoopbackHost } from '../../common/loopback.ts';\nimport { LabError } from '../errors.ts';\nexport { renderRun, isLoopbackHost, LabError };\n",
      ),
      [],
    );
    assert.deepEqual(
      await floorErrors(
        'report/down-edge.ts',
        "import { ROUTES } from '../common/routes.ts';\nimport { checkSummary } from './summary-check.ts';\nexport { ROUTES, checkSummary };\n",
      ),
      [],
    );
  });
});

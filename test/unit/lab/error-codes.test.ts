import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { LAB_ERROR_CODES, LAB_ERRORS, LabError } from '../../../lab/errors.ts';

const SECTION = '## Error codes in the run folder';

async function documentedSection(): Promise<string> {
  const text = await readFile(new URL('../../../docs/run-folder.md', import.meta.url), 'utf8');
  const start = text.indexOf(SECTION);
  assert.ok(start >= 0, `docs/run-folder.md has a section "${SECTION}"`);
  const next = text.indexOf('\n## ', start + SECTION.length);
  return text.slice(start, next < 0 ? undefined : next);
}

describe('the lab error catalogue (lab/error-codes.ts)', () => {
  it('gives every code a one-line meaning', () => {
    for (const code of LAB_ERROR_CODES) {
      const meaning = LAB_ERRORS[code];
      assert.match(code, /^[A-Z][A-Z_]*[A-Z]$/, `${code} is an upper-case code`);
      assert.ok(meaning.length > 10 && !meaning.includes('\n'), `${code} has a one-line meaning`);
    }
  });

  it('is what LabError carries, with its message and hint', () => {
    const error = new LabError('NOT_UP', 'no topology is running', 'start one with `lab up`');
    assert.equal(error.code, 'NOT_UP');
    assert.equal(error.toLine(), 'no topology is running (start one with `lab up`)');
  });

  it('documents in docs/run-folder.md every code the lab itself writes into a run folder', async () => {
    const section = await documentedSection();
    const written = LAB_ERROR_CODES.filter(
      (code) => code.startsWith('PROBE_') || code === 'UNEXPECTED',
    );
    for (const code of written) assert.ok(section.includes(`\`${code}\``), `${code} is documented`);
  });

  it('documents no code that is not in the catalogue', async () => {
    const section = await documentedSection();
    const named = [...section.matchAll(/`([A-Z][A-Z_]+[A-Z])`/g)].map((match) => match[1]!);
    assert.ok(named.length > 10, 'the section names the codes');
    const known = new Set<string>(LAB_ERROR_CODES);
    assert.deepEqual(
      named.filter((code) => !known.has(code)),
      [],
    );
  });
});

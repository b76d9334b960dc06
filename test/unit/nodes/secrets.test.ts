import assert from 'node:assert/strict';
import { chmod, mkdtemp, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, loadNodeConfig } from '../../../nodes/config.ts';
import { readSecretFile, secretMatches, writeSecretFile } from '../../../nodes/secrets.ts';
import { loadStrategyConfig } from '../../../nodes/strategies/config.ts';

describe('secrets files (nodes/secrets.ts)', () => {
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'secrets-unit-'));
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes a new file with mode 0600 and reads it back', async () => {
    const file = path.join(dir, 'token');
    await writeSecretFile(file, 'a-secret-of-some-length');
    assert.equal((await stat(file)).mode & 0o777, 0o600);
    assert.equal(readSecretFile(file), 'a-secret-of-some-length');
  });

  it('narrows an existing file that others could read to 0600 when writing it', async () => {
    const file = path.join(dir, 'token');
    await writeFile(file, 'old', { mode: 0o644 });
    await chmod(file, 0o644);
    await writeSecretFile(file, 'new');
    assert.equal((await stat(file)).mode & 0o777, 0o600);
    assert.equal(await readFile(file, 'utf8'), 'new');
  });

  it('refuses to read a file that group or others can read, saying how to fix it', async () => {
    const file = path.join(dir, 'token');
    await writeFile(file, 'leaked');
    for (const mode of [0o644, 0o640, 0o604, 0o620]) {
      await chmod(file, mode);
      assert.throws(
        () => readSecretFile(file),
        (error: Error & { code?: string }) =>
          error.code === 'SECRET_FILE_MODE' &&
          error.message.includes(`mode 0${mode.toString(8)}`) &&
          error.message.includes(`chmod 600 ${file}`) &&
          !error.message.includes('leaked'),
      );
    }
  });

  it('refuses a symlink and a missing file', async () => {
    const target = path.join(dir, 'target');
    await writeSecretFile(target, 'x');
    const link = path.join(dir, 'link');
    await symlink(target, link);
    assert.throws(() => readSecretFile(link), { code: 'SECRET_FILE_UNREADABLE' });
    await assert.rejects(writeSecretFile(link, 'y'), { code: 'SECRET_FILE_UNREADABLE' });
    assert.equal(await readFile(target, 'utf8'), 'x', 'the link target is untouched');
    assert.throws(() => readSecretFile(path.join(dir, 'none')), {
      code: 'SECRET_FILE_UNREADABLE',
    });
  });

  it('compares secrets in constant time, by value', () => {
    assert.equal(secretMatches('abc', 'abc'), true);
    assert.equal(secretMatches('abc', 'abd'), false);
    assert.equal(secretMatches('abc', 'abcd'), false);
  });

  describe('a node reads its secrets from files', () => {
    const base = { NODE_ID: 'node-1', PORT: '3001' };

    it('takes the admin token from NODE_ADMIN_TOKEN_FILE, one trailing newline dropped', async () => {
      const file = path.join(dir, 'admin-token');
      await writeSecretFile(file, 'a-token-of-16+chars\n');
      const config = loadNodeConfig({ ...base, NODE_ADMIN_TOKEN_FILE: file });
      assert.equal(config.adminToken, 'a-token-of-16+chars');
    });

    it('refuses a token file others can read, and both the file and the variable', async () => {
      const file = path.join(dir, 'admin-token');
      await writeFile(file, 'a-token-of-16+chars');
      await chmod(file, 0o644);
      assert.throws(
        () => loadNodeConfig({ ...base, NODE_ADMIN_TOKEN_FILE: file }),
        (error: unknown) =>
          error instanceof ConfigError &&
          /NODE_ADMIN_TOKEN_FILE: secrets file .* has mode 0644/.test(error.message),
      );
      await chmod(file, 0o600);
      assert.throws(
        () =>
          loadNodeConfig({
            ...base,
            NODE_ADMIN_TOKEN_FILE: file,
            NODE_ADMIN_TOKEN: 'another-token-16+chars',
          }),
        /set NODE_ADMIN_TOKEN_FILE or NODE_ADMIN_TOKEN, not both/,
      );
    });

    it('starts with the strategy in NODE_STRATEGY_CONFIG_FILE, refused when others can read it', async () => {
      const file = path.join(dir, 'node-1.strategy.json');
      const body = { name: 'redis', redis: { url: 'redis://u:p@127.0.0.1:6390', mode: 'lww' } };
      await writeSecretFile(file, JSON.stringify(body));
      const config = loadStrategyConfig({ NODE_STRATEGY_CONFIG_FILE: file });
      assert.deepEqual(config, body);
      await chmod(file, 0o640);
      assert.throws(
        () => loadStrategyConfig({ NODE_STRATEGY_CONFIG_FILE: file }),
        (error: unknown) =>
          error instanceof ConfigError &&
          /NODE_STRATEGY_CONFIG_FILE: secrets file .* has mode 0640/.test(error.message) &&
          !error.message.includes('u:p@'),
      );
    });
  });
});

import assert from 'node:assert/strict';
import { loadNodeConfig } from '../../../nodes/config.ts';

const REQUIRED = { NODE_ID: 'node-1', PORT: '3001', NODE_ADMIN_TOKEN: 'a-token-of-16+chars' };

function configError(env: Record<string, string | undefined>): { code: string; message: string } {
  try {
    loadNodeConfig(env);
  } catch (error) {
    return error as { code: string; message: string };
  }
  return assert.fail('expected a ConfigError');
}

describe('nodes/config', () => {
  it('applies the documented defaults', () => {
    assert.deepEqual(loadNodeConfig(REQUIRED), {
      nodeId: 'node-1',
      port: 3001,
      host: '127.0.0.1',
      demoPassword: 'secret',
      idleTimeoutMs: 30 * 60_000,
      absoluteTimeoutMs: 8 * 3_600_000,
      maxEntries: 100_000,
      adminToken: 'a-token-of-16+chars',
      logLevel: 'info',
    });
  });

  it('reads every variable', () => {
    const config = loadNodeConfig({
      ...REQUIRED,
      PORT: '0',
      HOST: '0.0.0.0',
      DEMO_PASSWORD: 'pw with spaces',
      SESSION_IDLE_TIMEOUT_MS: '1000',
      SESSION_ABSOLUTE_TIMEOUT_MS: '2000',
      SESSION_MAX_ENTRIES: '5',
      LOG_LEVEL: 'debug',
    });
    assert.deepEqual(
      [config.port, config.host, config.demoPassword, config.idleTimeoutMs],
      [0, '0.0.0.0', 'pw with spaces', 1000],
    );
    assert.deepEqual(
      [config.absoluteTimeoutMs, config.maxEntries, config.logLevel],
      [2000, 5, 'debug'],
    );
  });

  it('treats an empty variable as unset', () => {
    assert.equal(loadNodeConfig({ ...REQUIRED, HOST: '', LOG_LEVEL: '' }).host, '127.0.0.1');
    assert.match(configError({ ...REQUIRED, NODE_ID: '' }).message, /NODE_ID is required/);
  });

  const bad: [string, Record<string, string | undefined>, RegExp][] = [
    ['NODE_ID missing', { NODE_ID: undefined }, /NODE_ID is required \(e\.g\. NODE_ID=node-1\)/],
    ['NODE_ID with a space', { NODE_ID: 'node 1' }, /NODE_ID must be 1–32 characters/],
    ['NODE_ID of 33 characters', { NODE_ID: 'n'.repeat(33) }, /NODE_ID must be 1–32/],
    ['PORT missing', { PORT: undefined }, /PORT is required/],
    ['PORT 65536', { PORT: '65536' }, /PORT must be at most 65535/],
    ['PORT not a number', { PORT: '30o1' }, /PORT must be a whole number/],
    ['PORT negative', { PORT: '-1' }, /PORT must be a whole number/],
    [
      'a zero idle timeout',
      { SESSION_IDLE_TIMEOUT_MS: '0' },
      /SESSION_IDLE_TIMEOUT_MS must be at least 1/,
    ],
    [
      'a fractional absolute timeout',
      { SESSION_ABSOLUTE_TIMEOUT_MS: '1.5' },
      /SESSION_ABSOLUTE_TIMEOUT_MS must be a whole number/,
    ],
    [
      'SESSION_MAX_ENTRIES 0',
      { SESSION_MAX_ENTRIES: '0' },
      /SESSION_MAX_ENTRIES must be at least 1/,
    ],
    ['NODE_ADMIN_TOKEN missing', { NODE_ADMIN_TOKEN: undefined }, /NODE_ADMIN_TOKEN is required/],
    [
      'NODE_ADMIN_TOKEN too short',
      { NODE_ADMIN_TOKEN: 'short' },
      /NODE_ADMIN_TOKEN must be 16–512 characters/,
    ],
    ['an unknown LOG_LEVEL', { LOG_LEVEL: 'verbose' }, /LOG_LEVEL must be one of fatal, error/],
  ];
  for (const [what, overrides, message] of bad) {
    it(`refuses ${what}, naming the variable and the fix`, () => {
      const error = configError({ ...REQUIRED, ...overrides });
      assert.equal(error.code, 'CONFIG_INVALID');
      assert.match(error.message, message);
      assert.match(error.message, /\(e\.g\. |\(unset it/);
    });
  }

  it('reports every bad variable at once', () => {
    const { message } = configError({});
    for (const name of ['NODE_ID', 'PORT', 'NODE_ADMIN_TOKEN'])
      assert.match(message, new RegExp(name));
  });

  it('never repeats a secret in its message', () => {
    const { message } = configError({ ...REQUIRED, NODE_ADMIN_TOKEN: 'tiny-secret' });
    assert.doesNotMatch(message, /tiny-secret/);
  });
});

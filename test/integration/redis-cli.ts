import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { RedisAuth } from '../../store/redis/client.ts';

const run = promisify(execFile);

/**
 * What the real `redis-cli` prints (stdout and stderr) for one command
 * against 127.0.0.1:`port`, logged in as `auth` or as nobody. The password
 * goes in REDISCLI_AUTH (redis-cli's own variable), so it is not on a
 * command line; `--no-auth-warning` keeps stderr quiet.
 */
export async function redisCli(
  port: number,
  auth: RedisAuth | undefined,
  ...command: string[]
): Promise<string> {
  const login = auth ? ['--user', auth.username, '--no-auth-warning'] : [];
  // An inherited REDISCLI_AUTH must not log the "no password" cases in.
  const env = { ...process.env, REDISCLI_AUTH: auth?.password };
  const { stdout, stderr } = await run(
    'redis-cli',
    ['-h', '127.0.0.1', '-p', String(port), ...login, ...command],
    { env, timeout: 5000 },
  ).catch((error: { stdout?: string; stderr?: string }) => ({
    stdout: error.stdout ?? '',
    stderr: error.stderr ?? '',
  }));
  return `${stdout}${stderr}`.trim();
}

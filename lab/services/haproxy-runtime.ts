// HAProxy's runtime API over its stats socket: one command per connection
// (the socket's non-interactive mode), the answer read to the end. Used for
// the admin actions a run plays through HAProxy (drain, disable, enable).
import { connect } from 'node:net';
import { LabError } from '../errors.ts';

const TIMEOUT_MS = 2000;

/** Sends `command` to the runtime API at `socket`; resolves to HAProxy's answer, trimmed. */
export function haproxyRuntime(socket: string, command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const client = connect(socket);
    let answer = '';
    const fail = (why: string) => {
      client.destroy();
      reject(
        new LabError(
          'HAPROXY_RUNTIME',
          `HAProxy's runtime API (${socket}) did not take "${command}": ${why}`,
          'is HAProxy still running? its stats socket is in the run folder',
        ),
      );
    };
    client.setTimeout(TIMEOUT_MS, () => fail(`no answer within ${TIMEOUT_MS} ms`));
    client.setEncoding('utf8');
    client.on('data', (chunk: string) => (answer += chunk));
    client.once('error', (error) => fail(error.message));
    client.once('end', () => resolve(answer.trim()));
    client.end(`${command}\n`);
  });
}

/** The admin state HAProxy gives `server` for a lab action. */
export const HAPROXY_SERVER_STATE = { drain: 'drain', disable: 'maint', enable: 'ready' } as const;

/** `set server nodes/<id> state <drain|maint|ready>`; an answer other than empty is HAProxy refusing it. */
export async function setServerState(
  socket: string,
  id: string,
  verb: keyof typeof HAPROXY_SERVER_STATE,
): Promise<string> {
  const command = `set server nodes/${id} state ${HAPROXY_SERVER_STATE[verb]}`;
  const answer = await haproxyRuntime(socket, command);
  if (answer !== '') {
    throw new LabError('HAPROXY_RUNTIME', `HAProxy refused "${command}": ${answer}`);
  }
  return command;
}

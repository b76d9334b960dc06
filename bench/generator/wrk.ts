// wrk on one URL: the reference floor for what sending a request and reading
// its answer costs a client (C, epoll, one thread, no per-request work).
import { spawnMeasured, type Cpu } from './child-cpu.ts';

export interface WrkResult {
  requests: number;
  elapsedS: number;
  cpuMicros: number;
  cpu: Cpu;
  /** Non-2xx/3xx answers and socket errors wrk reported. */
  errors: number;
}

/** One wrk run of `seconds` (whole, at least 1) on `url` with `connections` keep-alive connections. */
export async function runWrk(
  binary: string,
  url: string,
  connections: number,
  seconds: number,
): Promise<WrkResult> {
  const args = ['-t1', `-c${connections}`, `-d${Math.max(1, Math.round(seconds))}s`, url];
  const measured = await spawnMeasured(binary, args);
  let out = '';
  measured.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
  measured.stderr.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
  const { status, cpu } = await measured.done;
  // "12345 requests in 2.00s, 1.23MB read"
  const total = /(\d+) requests in ([\d.]+)(m?s)/.exec(out);
  if (status !== 0 || !total) throw new Error(`wrk failed (status ${status}): ${out.trim()}`);
  const elapsedS = Number(total[2]) / (total[3] === 'ms' ? 1000 : 1);
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  const socketErrors = socket ? socket.slice(1).reduce((sum, n) => sum + Number(n), 0) : 0;
  return {
    requests: Number(total[1]),
    elapsedS,
    cpuMicros: cpu.user + cpu.system,
    cpu,
    errors: non2xx + socketErrors,
  };
}

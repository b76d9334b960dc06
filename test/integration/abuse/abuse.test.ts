// The differential abuse suite: every case goes, as raw bytes on loopback,
// through the lab balancer (its own process) and through HAProxy, both in
// front of the same two recording nodes. Asserted for the lab balancer: it
// never crashes (a normal request still works after every batch), never
// forwards what HAProxy refuses as malformed, never lets a request smuggle
// another (a node never parses more requests of a case than the client got
// answers to), and gives each case the answer RFC 9110/9112 asks for. HAProxy's
// answers are recorded, not asserted: the table of agreement at the end, and
// docs/abuse-suite.md, explain the differences.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { startHaproxy, type RunningHaproxy } from '../../../lab/services/haproxy.ts';
import { freePort } from '../../../lab/process/ports.ts';
import { toolNamed } from '../../../lab/tools/index.ts';
import type { AbuseCase } from './abuse-case.ts';
import { categories } from './abuse-case.ts';
import { framingCases } from './cases-framing.ts';
import { protocolCases } from './cases-protocol.ts';
import { syntaxCases } from './cases-syntax.ts';
import { upstreamCases } from './cases-upstream.ts';
import { startRecordingNode, type RecordingNode } from './recording-node.ts';
import { printAgreement } from './agreement-table.ts';
import { judge, type Row } from './judge.ts';
import { runCase, tagFor } from './runner.ts';

const BATCH = 8;
const allCases: readonly AbuseCase[] = [
  ...framingCases,
  ...syntaxCases,
  ...protocolCases,
  ...upstreamCases,
];

/** Starts `node balancer/main.ts` and resolves with its public URL once it listens. */
async function startLabBalancer(configFile: string): Promise<{ child: ChildProcess; url: string }> {
  const main = path.join(import.meta.dirname, '../../../balancer/main.ts');
  const child = spawn(process.execPath, [main, configFile], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`balancer did not listen: ${stderr}`)), 10000);
    child.once('exit', (code) => reject(new Error(`balancer exited ${code}: ${stderr}`)));
    createInterface({ input: child.stdout }).on('line', (line) => {
      let entry: { msg?: string; url?: string };
      try {
        entry = JSON.parse(line) as typeof entry;
      } catch {
        return; // not a log line: nothing to wait for in it
      }
      if (entry.msg === 'listening' && entry.url) {
        clearTimeout(timer);
        resolve(entry.url);
      }
    });
  });
  return { child, url };
}

describe('abuse suite: the lab balancer beside HAProxy', function () {
  this.timeout(120_000);
  let dir: string;
  let nodes: RecordingNode[] = [];
  let lab: { child: ChildProcess; url: string } | undefined;
  let haproxy: RunningHaproxy | undefined;
  const rows: Row[] = [];
  const started = Date.now();

  before(async () => {
    const binary = await toolNamed('haproxy')?.find();
    if (!binary) throw new Error('haproxy is missing: run `npx lab setup` (or `make test`)');
    dir = await mkdtemp(path.join(os.tmpdir(), 'abuse-'));
    nodes = await Promise.all(['node-1', 'node-2'].map((id) => startRecordingNode(id)));
    const nodeList = nodes.map((n) => ({ id: n.id, url: n.url }));
    const configFile = path.join(dir, 'balancer.json');
    await writeFile(
      configFile,
      JSON.stringify({
        listen: { host: '127.0.0.1', port: 0 },
        admin: { host: '127.0.0.1', port: 0, token: randomBytes(16).toString('hex') },
        sticky: { secret: randomBytes(24).toString('hex') },
        nodes: nodeList,
        // Misbehaving nodes must not be ejected between cases: HAProxy runs without checks.
        health: { errorLimit: 100_000 },
        // Short, like HAProxy's below, so partial requests end within the suite's minute.
        limits: {
          headersTimeoutMs: 1000,
          requestTimeoutMs: 2000,
          connectTimeoutMs: 500,
          upstreamTimeoutMs: 2000,
        },
      }),
    );
    lab = await startLabBalancer(configFile);
    haproxy = await startHaproxy({
      binary: binary.path,
      dir,
      port: await freePort(),
      nodes: nodeList,
      readyPath: '/abuse-ready',
      timeouts: { connect: 500, client: 2000, server: 2000, keepAlive: 2000, httpRequest: 1000 },
    });
  });

  after(async () => {
    await haproxy?.stop();
    if (lab && lab.child.exitCode === null) {
      const exited = new Promise((resolve) => lab!.child.once('exit', resolve));
      lab.child.kill('SIGTERM');
      await exited;
    }
    await Promise.all(nodes.map((n) => n.close()));
    if (dir) await rm(dir, { recursive: true, force: true });
    printAgreement(rows, Date.now() - started);
  });

  /** The balancer process is alive and proxies a normal request. */
  async function assertLabServes(after: string): Promise<void> {
    assert.equal(lab!.child.exitCode, null, `the lab balancer exited after ${after}`);
    const response = await fetch(`${lab!.url}/abuse-health-probe`);
    await response.body?.cancel();
    assert.equal(response.status, 200, `the lab balancer stopped serving after ${after}`);
  }

  function forwarded(tag: string): number {
    return nodes.reduce((sum, n) => sum + n.received.filter((r) => r.tag === tag).length, 0);
  }

  function refusedByNode(tag: string): number {
    return nodes.reduce((sum, n) => sum + n.refused.filter((r) => r.tag === tag).length, 0);
  }

  for (const category of categories) {
    const cases = allCases
      .map((c, index) => ({ c, index }))
      .filter(({ c }) => c.category === category);
    it(`${category}: ${cases.length} cases`, async () => {
      const problems: string[] = [];
      for (let i = 0; i < cases.length; i += BATCH) {
        const batch = cases.slice(i, i + BATCH);
        const answers = await Promise.all(
          batch.map(({ c, index }) =>
            Promise.all([
              runCase(c, tagFor('L', index), Number(new URL(lab!.url).port)),
              runCase(c, tagFor('H', index), Number(new URL(haproxy!.url).port)),
            ]),
          ),
        );
        await assertLabServes(`"${batch.map(({ c }) => c.name).join('", "')}"`);
        batch.forEach(({ c, index }, k) => {
          const [labAnswer, haproxyAnswer] = answers[k]!;
          const row: Row = {
            c,
            lab: labAnswer,
            haproxy: haproxyAnswer,
            labForwarded: forwarded(tagFor('L', index)),
            haproxyForwarded: forwarded(tagFor('H', index)),
          };
          rows.push(row);
          problems.push(...judge(row, refusedByNode(tagFor('L', index))));
        });
      }
      assert.deepEqual(problems, [], problems.join('\n'));
    });
  }
});

import assert from 'node:assert/strict';
import { haproxyConfig } from '../../../../lab/services/haproxy.ts';
import {
  balancerOfLabel,
  runLabels,
  strategyOfLabel,
} from '../../../../lab/run/balancer-choice.ts';

const nodes = [
  { id: 'node-1', url: 'http://127.0.0.1:5001' },
  { id: 'node-2', url: 'http://127.0.0.1:5002' },
];
const health = {
  path: '/healthz',
  intervalMs: 1000,
  timeoutMs: 500,
  fall: 2,
  rise: 3,
  slowStartMs: 5000,
  errorLimit: 5,
};

describe('HAProxy as a run balancer', () => {
  it('pins clients with an inserted cookie named as the lab balancer names it, for sticky only', () => {
    const sticky = haproxyConfig({ binary: 'h', dir: '/t', port: 80, nodes, stickyCookie: 'SLB' });
    assert.match(sticky, /^ {2}cookie SLB insert indirect nocache$/m);
    assert.match(sticky, /^ {2}server node-2 127\.0\.0\.1:5002 cookie node-2$/m);
    const roundRobin = haproxyConfig({ binary: 'h', dir: '/t', port: 80, nodes });
    assert.doesNotMatch(roundRobin, /cookie/);
    assert.match(roundRobin, /balance roundrobin/);
  });

  it("checks the nodes as the lab balancer's config says: path, interval, fall, rise, passive errors, slow start", () => {
    const config = haproxyConfig({
      binary: 'h',
      dir: '/t',
      port: 80,
      nodes,
      health,
      retries: 2,
      statsSocket: '/run/x/haproxy.sock',
    });
    assert.match(config, /option httpchk GET \/healthz/);
    assert.match(config, /timeout check 500ms/);
    assert.match(config, /default-server inter 1000ms fall 2 rise 3/);
    assert.match(
      config,
      /server node-1 127\.0\.0\.1:5001 check observe layer4 error-limit 5 on-error mark-down slowstart 5000ms/,
    );
    assert.match(config, /retries 2\n {2}option redispatch/);
    assert.match(config, /stats socket \/run\/x\/haproxy\.sock mode 600 level admin/);
  });

  it('runs each strategy through each balancer asked for, labelled by the balancer', () => {
    assert.deepEqual(runLabels(['sticky', 'redis:cas'], 'both'), [
      'sticky',
      'sticky @haproxy',
      'redis:cas',
      'redis:cas @haproxy',
    ]);
    assert.deepEqual(runLabels(['sticky'], 'haproxy'), ['sticky @haproxy']);
    assert.deepEqual(runLabels(['sticky'], 'lab'), ['sticky']);
    assert.equal(strategyOfLabel('clustered:partitioned @haproxy'), 'clustered:partitioned');
    assert.equal(balancerOfLabel('clustered:partitioned @haproxy'), 'haproxy');
    assert.equal(balancerOfLabel('sticky'), 'lab');
  });
});

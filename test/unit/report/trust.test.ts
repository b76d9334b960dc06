import assert from 'node:assert/strict';
import { generatorCostText, trustRows } from '../../../report/trust.ts';
import { fixtureSummary, strategyOf } from './fixture.ts';

describe('report/trust: what the load cost its generator', () => {
  it('says "not recorded" for runs made before the figure existed', () => {
    const run = fixtureSummary();
    delete strategyOf(run, 'sticky').cpuPerRequestMicros.generator;
    const row = trustRows(run).find((r) => r.strategy === 'sticky');
    assert.ok(row);
    assert.equal(generatorCostText(row), 'not recorded');
  });

  it('gives one figure for one process, and the sum and each part for several', () => {
    const run = fixtureSummary();
    const sticky = strategyOf(run, 'sticky');
    sticky.cpuPerRequestMicros.generator = 106;
    sticky.load = {
      processes: 1,
      parts: [{ name: 'loadgen', requests: 9000, cpuMicros: 954_000, cpuPerRequestMicros: 106 }],
    };
    const one = trustRows(run).find((r) => r.strategy === 'sticky');
    assert.ok(one);
    assert.equal(generatorCostText(one), '106 µs');
    sticky.load = {
      processes: 2,
      parts: [
        { name: 'loadgen-1', requests: 5000, cpuMicros: 520_000, cpuPerRequestMicros: 104 },
        { name: 'loadgen-2', requests: 5010, cpuMicros: 541_080, cpuPerRequestMicros: 108 },
      ],
    };
    const two = trustRows(run).find((r) => r.strategy === 'sticky');
    assert.ok(two);
    assert.equal(
      generatorCostText(two),
      '106 µs (loadgen-1 104 µs over 5,000 req, loadgen-2 108 µs over 5,010 req)',
    );
  });
});

import assert from 'node:assert/strict';
import { K6_METRIC_FIELDS } from '../../../lab/run/k6-summary.ts';
import { ScenarioSchema } from '../../../lab/run/scenario-schema.ts';
import {
  baseMetric,
  BUILTIN_METRICS,
  COUNTER_METRICS,
  declaredSubmetrics,
  LAB_METRICS,
} from '../../../k6/lib/metric-names.ts';
import {
  k6Thresholds,
  scenarioThresholdOf,
  THRESHOLD_METRICS,
  type ScenarioThresholds,
} from '../../../k6/lib/thresholds.ts';

const EVERY_LIMIT: Required<ScenarioThresholds> = {
  errorRate: 0.01,
  p99Ms: 500,
  sessionsLost: 0,
  staleReads: 0,
  lostUpdates: 0,
  dropped: 0,
};

describe('k6/lib metric names: what the scripts declare, the summary reader knows', () => {
  it('every metric the scripts emit is one the reader turns into a summary.json figure', () => {
    const declared = [
      ...Object.values(COUNTER_METRICS),
      ...Object.values(LAB_METRICS),
      ...Object.values(BUILTIN_METRICS),
    ];
    const unknown = declared.filter((metric) => !(metric in K6_METRIC_FIELDS));
    assert.deepEqual(unknown, []);
  });

  it('every threshold the scripts declare is on a metric the reader knows', () => {
    const thresholds = k6Thresholds(EVERY_LIMIT, 8);
    const unknown = Object.keys(thresholds).filter(
      (name) => !(baseMetric(name) in K6_METRIC_FIELDS),
    );
    assert.deepEqual(unknown, []);
    for (const name of declaredSubmetrics(8)) assert.ok(thresholds[name], name);
  });

  it("every threshold a scenario may set becomes a k6 threshold, and reads back as the scenario's", () => {
    const scenarioNames = Object.keys(ScenarioSchema.shape.thresholds.unwrap().shape).sort();
    assert.deepEqual(Object.keys(THRESHOLD_METRICS).sort(), scenarioNames);
    const thresholds = k6Thresholds(EVERY_LIMIT, 3);
    for (const [name, limit] of Object.entries(EVERY_LIMIT)) {
      const { metric } = THRESHOLD_METRICS[name as keyof ScenarioThresholds];
      const back = (thresholds[metric] ?? [])
        .map((expression) => scenarioThresholdOf(metric, expression))
        .find((found) => found?.name === name);
      assert.deepEqual(back, { name, limit }, name);
    }
  });

  it('a scenario without thresholds declares only the submetrics, which cannot fail', () => {
    const thresholds = k6Thresholds({}, 2);
    for (const expressions of Object.values(thresholds)) {
      assert.deepEqual(
        expressions.filter((e) => !['max>=0', 'rate>=0', 'count>=0'].includes(e)),
        [],
      );
    }
    assert.ok(thresholds['lab_sessions_lost{node:node-2}']);
    assert.equal(thresholds['lab_sessions_lost{node:node-3}'], undefined);
  });
});

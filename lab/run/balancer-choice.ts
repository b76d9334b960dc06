// Which balancer each strategy of a run goes through. With `--balancer
// both` every strategy runs twice, each on its own fresh topology; the
// HAProxy entry is labelled `sticky @haproxy` everywhere (progress, run
// folder, summary.json), the lab balancer's keeps the plain name.
import type { BalancerChoice } from './scenario-schema.ts';

export type Balancer = 'lab' | 'haproxy';

const SUFFIX = ' @haproxy';

/** The labels of a run, strategy by strategy: `sticky`, `sticky @haproxy`, `redis:cas`, ... */
export function runLabels(strategies: readonly string[], choice: BalancerChoice): string[] {
  const balancers: Balancer[] = choice === 'both' ? ['lab', 'haproxy'] : [choice];
  return strategies.flatMap((strategy) =>
    balancers.map((balancer) => (balancer === 'haproxy' ? `${strategy}${SUFFIX}` : strategy)),
  );
}

/** The strategy a label names (`sticky @haproxy` -> `sticky`). */
export function strategyOfLabel(label: string): string {
  return label.endsWith(SUFFIX) ? label.slice(0, -SUFFIX.length) : label;
}

export function balancerOfLabel(label: string): Balancer {
  return label.endsWith(SUFFIX) ? 'haproxy' : 'lab';
}

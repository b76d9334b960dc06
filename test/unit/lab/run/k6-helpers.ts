import { resolveLoadConfig } from '../../../../loadgen/config.ts';
import { settingsOf } from '../../../../loadgen/runner.ts';
import type { GeneratorSettings, LoadConfig } from '../../../../loadgen/types.ts';

/** A load config as `lab run` writes it for a scenario's defaults. */
export function labConfig(changes: Partial<LoadConfig> = {}): LoadConfig {
  return {
    url: 'http://127.0.0.1:8080',
    strategy: 'sticky',
    journey: 'shop',
    model: 'open',
    rate: 20,
    vus: 200,
    durationMs: 20_000,
    steps: 10,
    thinkMs: 100,
    parallelWrites: 5,
    timeoutMs: 5000,
    seed: 42,
    ...changes,
  };
}

/** The settings the k6 path reports for labConfig(). */
export function runnerSettings(): GeneratorSettings {
  return settingsOf(resolveLoadConfig(labConfig()));
}

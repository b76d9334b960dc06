// A strategy as the user names it (`redis`, `redis:lww`,
// `clustered:partitioned`), parsed once at the edge (CLI, scenario file)
// into a typed choice that the rest of the lab passes along.
import { STRATEGY_NAMES, type StrategyName } from '../../nodes/strategies/strategy.ts';
import { LabError } from '../errors.ts';
import type { LabState } from '../topology/state.ts';
import type { AnyProfile } from './profile.ts';
import { PROFILES, type Profiles } from './profiles.ts';

/** The variants strategy `N` takes (never: it has none). */
export type VariantOf<N extends StrategyName> = Profiles[N]['variants'][number];

/** A strategy and its variant: undefined only for a strategy that has none. */
export type StrategyChoice = {
  [N in StrategyName]: {
    name: N;
    variant: [VariantOf<N>] extends [never] ? undefined : VariantOf<N>;
  };
}[StrategyName];

/** The profile of the chosen strategy, its variant taken as checked text. */
export function profileOf(choice: StrategyChoice): AnyProfile {
  return PROFILES[choice.name];
}

/** Every strategy and variant as the user names them, in run order (`redis:cas`, `redis:lww`, ...). */
export const ALL_STRATEGIES: readonly string[] = Object.values(PROFILES).flatMap(
  (profile): string[] =>
    profile.variants.length === 0
      ? [profile.name]
      : profile.variants.map((variant: string) => `${profile.name}:${variant}`),
);

/** `redis:lww` for a choice with a variant, `cookie` for one without. */
export function choiceLabel(choice: StrategyChoice): string {
  return choice.variant ? `${choice.name}:${choice.variant}` : choice.name;
}

function isStrategyName(name: string): name is StrategyName {
  return (STRATEGY_NAMES as readonly string[]).includes(name);
}

export function parseStrategyChoice(text: string): StrategyChoice {
  const [name = '', variant, ...rest] = text.split(':');
  if (!isStrategyName(name) || rest.length > 0) {
    const withVariants = ALL_STRATEGIES.filter((label) => label.includes(':'));
    throw new LabError(
      'UNKNOWN_STRATEGY',
      `unknown strategy "${text}"`,
      `use one of ${STRATEGY_NAMES.join(', ')} (variants: ${withVariants.join(', ')})`,
    );
  }
  const known: readonly string[] = PROFILES[name].variants;
  if (variant !== undefined && !known.includes(variant)) {
    throw new LabError(
      'UNKNOWN_VARIANT',
      `strategy ${name} has no variant "${variant}"`,
      known.length > 0 ? `use one of ${known.join(', ')}` : `${name} has no variants`,
    );
  }
  // The variant was checked against the profile's own list just above.
  return { name, variant: variant ?? known[0] } as StrategyChoice;
}

/** The strategy the topology in `state` runs now. */
export function currentChoice(state: LabState): StrategyChoice {
  return parseStrategyChoice(state.variant ? `${state.strategy}:${state.variant}` : state.strategy);
}

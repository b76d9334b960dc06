import type { StoreKind } from './profile.ts';

/**
 * What each store server brings to a run: the external tool that must be
 * installed (lab/tools) and its name in messages. A strategy lists the
 * stores it needs in its profile; this says what each of them needs.
 */
export const STORES: Record<StoreKind, { tool: string; label: string }> = {
  redis: { tool: 'redis-server', label: 'Redis' },
  hazelcast: { tool: 'hazelcast', label: 'Hazelcast' },
};

import { probeMember } from '../../../store/hazelcast/client.ts';
import type { LabState, ServiceEntry } from '../../topology/state.ts';
import type { ChaosContext, ChaosTarget } from '../action.ts';
import { ownedState } from '../process.ts';

type Cluster = NonNullable<NonNullable<LabState['services']>['hazelcast']>;

/**
 * A Hazelcast member the lab started (`hz-1`...). A (re)start reuses its
 * generated config, which lists every member, so it rejoins the same cluster;
 * it counts as ready once it sees every member that is still running.
 */
export function hazelcastMemberTarget(
  state: LabState,
  cluster: Cluster,
  member: ServiceEntry,
): ChaosTarget {
  let seen = 0;
  const expected = async () => {
    const others = cluster.members.filter((other) => other !== member);
    const alive = await Promise.all(others.map(async (other) => await ownedState(other)));
    return 1 + alive.filter((s) => s !== 'dead').length;
  };
  return {
    kind: 'store',
    id: member.id,
    entry: member,
    // A graceful stop hands partitions over; the member config caps that at 10 s.
    stopGraceMs: 15_000,
    // JVMs start slowly on a machine of a few cores.
    readyTimeoutMs: 60_000,
    async isReady() {
      seen = await probeMember(cluster.clusterName, member.address, 2000);
      return seen >= (await expected());
    },
    lossNote(_context: ChaosContext, graceful: boolean) {
      if (state.strategy !== 'clustered') {
        return Promise.resolve(`the current strategy (${state.strategy}) does not use Hazelcast`);
      }
      return Promise.resolve(
        state.variant === 'partitioned'
          ? graceful
            ? 'it hands its partitions to the other members: no session lost'
            : 'every entry has a synchronous backup on another member: no session lost while the others run'
          : 'every member holds every session: none lost',
      );
    },
    whenGone() {
      return Promise.resolve(undefined);
    },
    whenBack() {
      // Not the cluster name: events and run folders are shared, the name is a secret.
      return Promise.resolve(`rejoined: it sees ${seen} member(s) of its cluster`);
    },
  };
}

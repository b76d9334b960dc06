// The benchmark's HAProxy is the lab's reference HAProxy (shared with the abuse suite).
export { startHaproxy } from '../../lab/services/haproxy.ts';

// The concurrency journey as a k6 script: each journey logs in as a fresh
// user and plays STEPS rounds of PARALLEL_WRITES cart writes at once (a
// read before, a read after); the cart must grow by exactly the writes
// accepted, or updates were lost.
//
//   k6 run k6/concurrency.ts                                  # against `lab up` on :8080
//   k6 run -e BASE_URL=http://127.0.0.1:9000 -e RATE=50 -e DURATION=1m k6/concurrency.ts
//
// Environment (k6 -e NAME=value, or the shell's), each over LAB_SCENARIO's value, over the default:
//   BASE_URL         the balancer                                  http://127.0.0.1:8080
//   MODEL            open: constant-arrival-rate at RATE           open
//                    ramping: ramping-arrival-rate along STAGES
//                    closed: constant-vus, VUS users looping
//   RATE             journeys started per second (open)            20
//   STAGES           ramping: duration:rate pairs, "10s:5,30s:40"  (none)
//   VUS              open: most journeys in flight (one more is    200
//                    dropped: dropped_iterations); closed: users
//   DURATION         the load: seconds or a k6 duration (30s, 2m)  20s
//   STEPS            rounds of parallel writes per journey        10
//   THINK_MS         pause between two requests of a journey, ms   100
//   PARALLEL_WRITES  concurrency journey: cart writes at once      5
//   TIMEOUT_MS       a request without an answer fails after, ms   5000
//   SEED             journey n asks for the same things per seed   42
//   REFRESH_RETRIES, REFRESH_WINDOW_MS   jwt: a refresh answered 5xx or not at all is
//                    tried again with the same token               3, 2000
//   NODES            how many nodes the by-node figures name       3
//   LAB_SCENARIO     a scenario file (absolute path): its load values and thresholds
//   LAB_THRESHOLDS   JSON over the scenario's thresholds: {"errorRate":0.01,"p99Ms":500,
//                    "sessionsLost":0,"staleReads":0,"lostUpdates":0,"dropped":0}
//   LAB_SUMMARY      where handleSummary writes k6's summary as JSON (lab run reads it)
//
// The lab's figures are k6 metrics (docs/k6.md): lab_sessions_lost, lab_stale_reads,
// lab_lost_updates, lab_lost_updates_lower_bound with lab_uncertain_rounds, lab_relogins,
// lab_home_node_share, lab_request_duration{route:...} and more.
import type { Options } from 'k6/options';
import { concurrency } from '../loadgen/core/journeys/concurrency.ts';
import { playJourney } from './lib/journey-script.ts';
import { k6Options } from './lib/options.ts';
import { readSettings } from './lib/settings.ts';
import { summaryOutputs, type SummaryData } from './lib/summary-output.ts';

// open() reads LAB_SCENARIO in the init context, relative to this file when not absolute.
const settings = readSettings(__ENV, (path) => open(path));

export const options: Options = k6Options(settings, 'concurrency');

export default function (): Promise<void> {
  return playJourney(settings, concurrency, 'fresh');
}

export function handleSummary(data: SummaryData): Record<string, string> {
  return summaryOutputs(settings, data);
}

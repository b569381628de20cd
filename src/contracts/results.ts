// results.json, schema 1 (DESIGN.md "Results"). The full record of a run: everything the
// console summary, the HTML report and JUnit are made from, so `chat-bench report` can
// rebuild them later. Times are ms since run start unless the name says otherwise.
import type { Phase } from './metrics';

export interface LatencySummary {
  count: number;
  minUs: number; p50Us: number; p90Us: number; p99Us: number; p999Us: number; maxUs: number; meanUs: number;
}

export interface SecondSample {
  t: number;                   // second index since run start
  latency: LatencySummary;     // deliveries received during that second
  deliveries: number;
  scheduled?: number;          // messages scheduled in that second (the offered load: stages' publish rate); absent in older results
  published: number;           // publish frames first sent
  acked: number;
  connected: number;           // clients connected at the end of that second
  reconnects: number;          // successful reconnects completed in that second
  disconnects: number;
  lost?: number;               // losses attributed to messages scheduled in that second (filled at the end)
}

export interface TimelineEvent {
  atMs: number;
  endMs?: number;
  kind: 'fault' | 'phase' | 'run';
  label: string;               // e.g. "latency 300ms on clients:node-2", "steady", "ramp-up done"
  target?: string;
  phase?: Phase;
  error?: string;              // a fault that could not be applied or undone
  timeToRecoverMs?: number | null; // recovery phase events: fault end → back within baseline (null: not recovered)
}

/** What "back to normal" means after a fault (src/chaos/recovery.ts). */
export interface RecoveryBaseline {
  p99Us: number;               // median per-second p99 of the steady seconds before the first fault
  reconnectsPerSec: number;    // median reconnects per second over the same seconds
  seconds: number;             // how many seconds the baseline was taken from
  fromTarget: boolean;         // true: no steady second before the first fault, p99 held to the 100 ms target
}

/** One recovery window: from the end of a fault period until back within the baseline. */
export interface RecoveryWindow {
  afterFaults: string[];       // labels of the fault(s) of the period it follows
  startMs: number;             // the fault period's end
  endMs: number;
  timeToRecoverMs: number | null; // null: not back within the baseline before the window ended
  endedBy: 'baseline' | 'maximum' | 'next fault' | 'end of publishing';
}

/** DESIGN.md "What the checker counts (v2)": owed deliveries come from chat-bench's own publish log. */
export interface IntegrityTotals {
  scheduled: number;           // messages chat-bench scheduled (open-loop)
  published: number;           // distinct messages sent at least once
  acked: number;
  inDoubt: number;             // sent, never acked
  unsent: number;              // scheduled, never sent (stuck behind a stop-and-wait publisher)
  expected: number;            // deliveries owed to streams (sum over streams)
  delivered: number;           // owed deliveries received
  deliveriesTotal: number;     // every msg frame received, duplicates included
  lost: number;                // silent + announced
  lostSilent: number;
  lostAnnounced: number;
  lostInSession: number;       // lost although the message's whole delivery window lay inside one connected, confirmed session
  notDelivered: number;        // owed, not received when the run was cut short (interrupted): not loss
  duplicated: number;
  reordered: number;
  reorderedN: number;          // of the reordered, a publisher's n went back
  phantom: number;             // never published, or a payload that differs from what was published
  unackedDelivered: number;    // in doubt, yet delivered (counted, not an error)
  serialConflicts: number;     // one serial carried two different messages on a channel
  unconfirmedStreams: number;  // streams whose subscription was never confirmed
  protocolErrors: number;      // frames from the target that broke the protocol
}

export interface ChannelIntegrity extends Omit<IntegrityTotals, 'protocolErrors'> {
  channel: string;
  streams: number;
  lastSerial: number;
}

export interface IntegrityExample {
  kind: 'lost' | 'duplicated' | 'reordered' | 'phantom';
  channel: string;
  serial?: number;
  publisher?: string;
  n?: number;
  clients: string[];           // first few client ids affected
  atMs?: number;               // scheduled send time (ms since run start) when known
  sentAtMs?: number;           // lost: first sent (ms since run start)
  ackedAtMs?: number;          // lost: acked (ms since run start)
  fault?: string;              // label of the fault window it fell into, if any
  announced?: boolean;
}

export interface ThresholdVerdict {
  expression: string;
  condition: string;
  metric: string;
  tags: Record<string, string>;
  actual: number | null;       // null when the metric had no data
  unit: 'us' | 'count' | 'ratio' | 'ms';
  pass: boolean;
  /** 'guarantee': implied by the scenario's guarantee; 'scenario': written under thresholds: */
  source: 'guarantee' | 'scenario';
  message: string;             // e.g. "latency.p99{phase:steady} = 12.3ms < 100ms"
}

export interface ResultsV1 {
  schema: 1;
  tool: { name: 'chat-bench'; version: string };
  runId: string;
  startedAt: string;           // ISO time
  durationMs: number;          // wall time of the whole run incl. drain
  scenario: unknown;           // the scenario as run (normalised)
  environment: { node: string; platform: string; cpus: number; hostname: string; runtime: string; workers: number; nodes: string[] };
  timeline: TimelineEvent[];
  /** Adaptive recovery after each fault period (absent in results written before it existed). */
  recovery?: { baseline: RecoveryBaseline; maxMs: number; windows: RecoveryWindow[] };
  /** The random nemesis's faults, as a user could paste them under `faults:` (replays the seed exactly). */
  generatedFaults?: Array<Record<string, unknown>>;
  clients: {
    target: number; maxConnected: number; connects: number; reconnects: number; disconnects: number;
    connectFailures: number; heartbeatTimeouts: number;
    /** stages, churn: clients that left (for good or for a while); churn with resume: that came back (absent in older results) */
    leaves?: number; returns?: number;
  };
  totals: IntegrityTotals;
  channels: ChannelIntegrity[];
  examples: IntegrityExample[];
  latency: {
    overall: LatencySummary;
    phases: Record<string, LatencySummary>;     // steady / fault / recovery
    connect: LatencySummary;                    // connect time
    reconnect: LatencySummary;                  // drop → resubscribed
    continuity: LatencySummary;                 // drop → first resumed message
    percentiles: Array<{ percentile: number; valueUs: number }>; // HDR curve of the whole run
  };
  histograms: Record<string, string>;          // name → HDR compressed base64 (mergeable)
  series: SecondSample[];
  thresholds: ThresholdVerdict[];
  verdict: 'pass' | 'fail';
  exitCode: number;
}

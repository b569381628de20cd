// Helpers for the checker's tests: publish and deliver hand-made messages with real envelopes,
// on a fake clock (µs): message n of any publisher is scheduled and first sent at T0 + n s and
// acked 1 ms later; subscriptions are confirmed at T0 unless a test says otherwise.
import { sealedPadding } from '../../src/protocol/envelope';
import { IntegrityLedger } from '../../src/verify/ledger';
import type { Stream } from '../../src/verify/ledger';
import { account } from '../../src/verify/accounting';
import type { AccountOptions, FaultWindow, IntegrityAccount } from '../../src/verify/accounting';
import type { LedgerSnapshot } from '../../src/verify/snapshot';

/** Run start on the µs clock; message n of any publisher is scheduled n seconds later. */
export const T0 = 1_700_000_000_000_000;
export const scheduledUs = (n: number): number => T0 + n * 1_000_000;
export const ackedUs = (n: number): number => scheduledUs(n) + 1_000;
/** Every delivery in these tests arrives 2.5 ms after its scheduled time. */
export const LATENCY_US = 2_500;
/** The filler every published padding ends with, in these tests. */
export const FILLER = 'pad';

export const newLedger = (opts: { publishers?: string[]; protocolReasonsKept?: number } = {}) =>
  new IntegrityLedger({ ...opts, filler: FILLER });

/** Schedules and sends (publisher, n); acks it as ackSerial when given. */
export function publish(ledger: IntegrityLedger, channel: string, publisher: string, n: number, ackSerial?: number): void {
  ledger.publishScheduled(channel, publisher, n, scheduledUs(n));
  ledger.publishSent(channel, publisher, n, scheduledUs(n), scheduledUs(n));
  if (ackSerial !== undefined) ledger.publishAcked(channel, publisher, n, ackSerial, ackedUs(n));
}

/** Publisher sends n = 1…count, acked as serials firstSerial, firstSerial + 1, … */
export function publishMany(ledger: IntegrityLedger, channel: string, publisher: string, count: number, firstSerial = 1): void {
  for (let n = 1; n <= count; n++) publish(ledger, channel, publisher, n, firstSerial + n - 1);
}

/** The envelope chat-bench would have published for (publisher, n). */
export const envelope = (publisher: string, n: number) =>
  ({ p: publisher, n, ts: scheduledUs(n), x: sealedPadding(publisher, n, scheduledUs(n), FILLER) });

export function deliver(ledger: IntegrityLedger, stream: Stream, serial: number, publisher: string, n: number): number {
  const id = `${publisher}:${stream.channel}:${n}`;
  return ledger.deliver(stream, serial, id, envelope(publisher, n), scheduledUs(n) + LATENCY_US);
}

export function check(from: IntegrityLedger | LedgerSnapshot[], faultWindows: FaultWindow[] = [], opts: Partial<AccountOptions> = {}): IntegrityAccount {
  const snapshots = Array.isArray(from) ? from : [from.snapshot()];
  // Through JSON, as snapshots travel between processes.
  return account(JSON.parse(JSON.stringify(snapshots)) as LedgerSnapshot[], { faultWindows, runStartUs: T0, ...opts });
}

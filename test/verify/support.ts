// Helpers for the checker's tests: publish and deliver hand-made messages with real envelopes.
import { IntegrityLedger } from '../../src/verify/ledger';
import type { Stream } from '../../src/verify/ledger';
import { account } from '../../src/verify/accounting';
import type { FaultWindow, IntegrityAccount } from '../../src/verify/accounting';
import type { LedgerSnapshot } from '../../src/verify/snapshot';

/** Run start on the µs clock; message n of any publisher is scheduled n seconds later. */
export const T0 = 1_700_000_000_000_000;
export const scheduledUs = (n: number): number => T0 + n * 1_000_000;
/** Every delivery in these tests arrives 2.5 ms after its scheduled time. */
export const LATENCY_US = 2_500;

export function publish(ledger: IntegrityLedger, channel: string, publisher: string, n: number, ackSerial?: number): void {
  ledger.publishSent(channel, publisher, n, scheduledUs(n));
  if (ackSerial !== undefined) ledger.publishAcked(channel, publisher, n, ackSerial);
}

/** Publisher sends n = 1…count, acked as serials firstSerial, firstSerial + 1, … */
export function publishMany(ledger: IntegrityLedger, channel: string, publisher: string, count: number, firstSerial = 1): void {
  for (let n = 1; n <= count; n++) publish(ledger, channel, publisher, n, firstSerial + n - 1);
}

export function deliver(ledger: IntegrityLedger, stream: Stream, serial: number, publisher: string, n: number): number {
  const id = `${publisher}:${stream.channel}:${n}`;
  return ledger.deliver(stream, serial, id, { p: publisher, n, ts: scheduledUs(n), x: 'pad' }, scheduledUs(n) + LATENCY_US);
}

export function check(from: IntegrityLedger | LedgerSnapshot[], faultWindows: FaultWindow[] = []): IntegrityAccount {
  const snapshots = Array.isArray(from) ? from : [from.snapshot()];
  // Through JSON, as snapshots travel between processes.
  return account(JSON.parse(JSON.stringify(snapshots)) as LedgerSnapshot[], { faultWindows, runStartUs: T0 });
}

// A guarantee (DESIGN.md "Guarantees") as the integrity checks it implies. They apply even when
// `thresholds:` says nothing; explicit thresholds add to them, and only a weaker guarantee
// relaxes them. A run that proved nothing (nothing published, or nothing delivered) never passes.
import type { Guarantee } from '../contracts/metrics';
import type { ThresholdSpec } from '../contracts/scenario';

const PROVED_SOMETHING: ThresholdSpec[] = [
  { expression: 'published', condition: '> 0' },
  { expression: 'delivered', condition: '> 0' },
];

const none = (expression: string): ThresholdSpec => ({ expression, condition: '== 0' });

const CHECKS: Record<Guarantee, ThresholdSpec[]> = {
  'exactly-once-ordered': [
    none('loss'), none('duplicates'), none('reorders'), none('phantoms'), none('serial_conflicts'),
    none('unconfirmed_streams'), none('in_doubt'), none('unsent'),
  ],
  // redeliveries are counted, not failures; only a publisher's own order must hold
  'at-least-once': [none('loss'), none('phantoms'), none('reorders.publisher')],
  // loss across the subscriber's own disconnect is expected; loss inside a live session is not
  'at-most-once': [none('duplicates'), none('phantoms'), none('reorders'), none('loss.in_session')],
};

/** The checks a guarantee implies, in a fixed order. */
export function guaranteeChecks(guarantee: Guarantee): ThresholdSpec[] {
  return [...PROVED_SOMETHING, ...CHECKS[guarantee]];
}

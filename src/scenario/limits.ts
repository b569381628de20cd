// Size bounds of a scenario (docs/scenario-format.md, "Limits"). A scenario is a few KiB
// written by a person or a script; anything far beyond that is a mistake or an attack, and
// refusing it early, naming the field, beats running out of memory in the middle of a run.
/** cluster.nodes (and the urls of runtime external) */
export { MAX_NODES } from '../contracts/scenario';

export const LIMITS = {
  /** bytes of a scenario file, checked before it is read */
  fileBytes: 1 << 20,
  /** YAML aliases (*ref) expanded while loading: a "billion laughs" needs many */
  aliases: 1000,
  /** nesting of mappings and lists; the format itself needs 4 */
  depth: 16,
  /** items of any one list, keys of any one mapping */
  entries: 1000,
  /** characters of any one text; `name` has its own, smaller bound */
  textChars: 4096,
  nameChars: 200,
  faults: 1000,
  /** conditions over all of `thresholds` */
  thresholds: 200,
  channels: 1_000_000,
  subscriptionsPerClient: 1000,
  /** messages per second per publisher */
  publishRate: 10_000,
  /** any duration: Node timers overflow at 2^31 ms (24.8 days) */
  durationMs: 7 * 24 * 3_600_000,
  /** a toxic attribute: the embedded proxy's timers and counters stay exact below this */
  attribute: 2_147_483_647,
} as const;

// Systems without a place for the publisher's key (core NATS, Redis pub/sub, MQTT 3.1.1)
// carry it next to the envelope in the message body: {"id":key,"d":envelope}.
import { NO_SERIAL, type AdapterEvents } from './types';

export const encodeKeyed = (key: string, payload: string): string => `{"id":${JSON.stringify(key)},"d":${payload}}`;

/** Parses one body and reports it as a delivery on `channel`, or as a protocol error. */
export function deliverKeyed(events: AdapterEvents, channel: string, body: string, serial = NO_SERIAL): void {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    events.protocolError('message body is not JSON');
    return;
  }
  const m = parsed as { id?: unknown; d?: unknown } | null;
  if (m === null || typeof m !== 'object' || typeof m.id !== 'string') {
    events.protocolError('message body has no string "id"');
    return;
  }
  events.delivered(channel, serial, m.id, m.d);
}

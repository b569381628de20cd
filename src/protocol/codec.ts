// Parsing and validation of protocol frames. Both sides use it, so a malformed frame is
// rejected by the same rules everywhere. Parsing never throws: it returns a reason instead.
import type { BrokerFrame, ClientFrame, ErrorCode, MsgFrame } from './frames';
import { PROTOCOL_ERROR_CODES } from './frames';

export type Parsed<T> = { ok: true; frame: T } | { ok: false; reason: string };

const isSerial = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const isChannel = (v: unknown): v is string => typeof v === 'string' && v.length > 0 && v.length <= 256;
const isKey = (v: unknown): v is string => typeof v === 'string' && v.length > 0 && v.length <= 256;

function parseObject(text: string): Record<string, unknown> | string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return 'not JSON';
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return 'not a JSON object';
  return value as Record<string, unknown>;
}

/** Parse a frame sent by a client (what a broker receives). */
export function parseClientFrame(text: string): Parsed<ClientFrame> {
  const o = parseObject(text);
  if (typeof o === 'string') return { ok: false, reason: o };
  switch (o.t) {
    case 'sub':
      if (!isChannel(o.ch)) return { ok: false, reason: 'sub: ch must be a non-empty string' };
      if (o.from !== undefined && !isSerial(o.from)) return { ok: false, reason: 'sub: from must be a serial (integer >= 0)' };
      return { ok: true, frame: o.from === undefined ? { t: 'sub', ch: o.ch } : { t: 'sub', ch: o.ch, from: o.from } };
    case 'unsub':
      if (!isChannel(o.ch)) return { ok: false, reason: 'unsub: ch must be a non-empty string' };
      return { ok: true, frame: { t: 'unsub', ch: o.ch } };
    case 'pub':
      if (!isChannel(o.ch)) return { ok: false, reason: 'pub: ch must be a non-empty string' };
      if (!isKey(o.id)) return { ok: false, reason: 'pub: id must be a non-empty string' };
      if (!('d' in o)) return { ok: false, reason: 'pub: d is missing' };
      return { ok: true, frame: { t: 'pub', ch: o.ch, id: o.id, d: o.d } };
    default:
      return { ok: false, reason: `unknown frame type ${JSON.stringify(o.t)}` };
  }
}

/** Parse a frame sent by a broker (what a client, or a node's link, receives). */
export function parseBrokerFrame(text: string): Parsed<BrokerFrame> {
  const o = parseObject(text);
  if (typeof o === 'string') return { ok: false, reason: o };
  switch (o.t) {
    case 'msg':
      if (!isChannel(o.ch) || !isSerial(o.s) || o.s < 1 || !isKey(o.id)) return { ok: false, reason: 'msg: needs ch, s >= 1, id' };
      return { ok: true, frame: o as unknown as MsgFrame };
    case 'subd':
      if (!isChannel(o.ch) || !isSerial(o.at)) return { ok: false, reason: 'subd: needs ch and at' };
      if (o.resumed !== undefined && typeof o.resumed !== 'boolean') return { ok: false, reason: 'subd: resumed must be boolean' };
      return { ok: true, frame: { t: 'subd', ch: o.ch, at: o.at, ...(o.resumed === undefined ? {} : { resumed: o.resumed }) } };
    case 'ack':
      if (!isKey(o.id) || !isSerial(o.s) || o.s < 1) return { ok: false, reason: 'ack: needs id and s >= 1' };
      return { ok: true, frame: { t: 'ack', id: o.id, s: o.s } };
    case 'err': {
      const code = PROTOCOL_ERROR_CODES.includes(o.code as ErrorCode) ? (o.code as ErrorCode) : 'internal';
      const frame: BrokerFrame = { t: 'err', code, msg: typeof o.msg === 'string' ? o.msg : '' };
      if (typeof o.id === 'string') frame.id = o.id;
      if (isChannel(o.ch)) frame.ch = o.ch;
      return { ok: true, frame };
    }
    default:
      return { ok: false, reason: `unknown frame type ${JSON.stringify(o.t)}` };
  }
}

export const encode = (frame: ClientFrame | BrokerFrame): string => JSON.stringify(frame);

// Wire protocol v1 (DESIGN.md): WebSocket text frames, one JSON object each, `t` = type.
// Used by the virtual clients AND by the reference broker (including node-to-node links).

export const PROTOCOL_ERROR_CODES = ['bad_request', 'unavailable', 'too_large', 'rate_limited', 'internal'] as const;
export type ErrorCode = (typeof PROTOCOL_ERROR_CODES)[number];

// Client → broker
export interface SubFrame { t: 'sub'; ch: string; from?: number }
export interface UnsubFrame { t: 'unsub'; ch: string }
export interface PubFrame { t: 'pub'; ch: string; id: string; d: unknown }
export type ClientFrame = SubFrame | UnsubFrame | PubFrame;

// Broker → client
export interface SubdFrame { t: 'subd'; ch: string; at: number; resumed?: boolean }
export interface MsgFrame { t: 'msg'; ch: string; s: number; id: string; d: unknown }
export interface AckFrame { t: 'ack'; id: string; s: number }
/** `ch` names the channel of a refused `sub` (e.g. over the subscription limit). */
export interface ErrFrame { t: 'err'; id?: string; ch?: string; code: ErrorCode; msg: string }
export type BrokerFrame = SubdFrame | MsgFrame | AckFrame | ErrFrame;

export type Frame = ClientFrame | BrokerFrame;

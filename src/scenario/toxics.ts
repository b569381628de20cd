// The Toxiproxy 2.x toxics a scenario may use, with the attributes each one understands
// (all integers; Toxiproxy silently drops unknown names, so we refuse them instead).
import type { ToxicType } from '../contracts/scenario';

export const TOXIC_ATTRIBUTES: Record<ToxicType, readonly string[]> = {
  latency: ['latency', 'jitter'],          // ms
  bandwidth: ['rate'],                     // KB/s
  slow_close: ['delay'],                   // ms
  timeout: ['timeout'],                    // ms
  reset_peer: ['timeout'],                 // ms
  slicer: ['average_size', 'size_variation', 'delay'], // bytes, bytes, µs
  limit_data: ['bytes'],                   // bytes
};


/** Unit of each attribute, for hints and docs. */
export const ATTRIBUTE_UNITS: Record<string, string> = {
  latency: 'ms', jitter: 'ms', rate: 'KB/s', delay: 'ms', timeout: 'ms',
  average_size: 'bytes', size_variation: 'bytes', bytes: 'bytes',
};

export const attributeUnit = (toxic: ToxicType, attribute: string): string =>
  toxic === 'slicer' && attribute === 'delay' ? 'µs' : ATTRIBUTE_UNITS[attribute] ?? '';

// One clock for every process of a run: microseconds since the epoch with sub-ms
// resolution (performance.timeOrigin is shared wall time, performance.now() is monotonic).
export const nowUs = (): number => Math.round((performance.timeOrigin + performance.now()) * 1000);
export const nowMs = (): number => performance.timeOrigin + performance.now();

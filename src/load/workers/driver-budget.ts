// File descriptors of the load processes: a client costs one socket in the process that runs it.
import { infraError } from '../../util/errors';
import { FD_CHURN, FD_RESERVE, limitNow, overLimit } from '../../util/fd-limits';

export const driverFds = (clients: number): number => Math.ceil(clients * FD_CHURN) + FD_RESERVE;

/** Most clients one load process can run under `limit`. */
export const clientsPerDriver = (limit: number): number => Math.max(0, Math.floor((limit - FD_RESERVE) / FD_CHURN));

/** The load processes: `clients` spread over `workers` processes. */
export function checkDriverFds(clients: number, workers: number, limitIn?: number): void {
  const limit = limitNow(limitIn);
  if (!Number.isFinite(limit)) return;
  const perWorker = Math.ceil(clients / Math.max(1, workers));
  if (driverFds(perWorker) <= limit) return;
  const need = Math.ceil(clients / Math.max(1, clientsPerDriver(limit)));
  throw infraError(
    `${clients} clients in ${workers} load process${workers === 1 ? '' : 'es'} need about ${driverFds(perWorker)} file descriptors per process, ${overLimit(limit)}`,
    `run with --workers ${need} or more, or fewer clients`);
}

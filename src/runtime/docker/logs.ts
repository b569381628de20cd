// Container output: read back (docker keeps it across kill/start), waited on, saved to the run dir.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type Dockerode from 'dockerode';

/**
 * Docker's log stream for a container without a TTY is multiplexed: frames of an 8-byte header
 * (stream id, 3 zero bytes, big-endian length) and a payload. Returns the payloads joined.
 */
export function demuxDockerLog(buf: Buffer): string {
  const parts: Buffer[] = [];
  let at = 0;
  while (at + 8 <= buf.length) {
    const size = buf.readUInt32BE(at + 4);
    parts.push(buf.subarray(at + 8, at + 8 + size));
    at += 8 + size;
  }
  return Buffer.concat(parts).toString('utf8');
}

/** Everything the container printed (stdout and stderr), over every start it had. */
export async function readContainerLog(container: Dockerode.Container): Promise<string> {
  const raw = (await container.logs({ stdout: true, stderr: true, follow: false })) as unknown as Buffer;
  return demuxDockerLog(Buffer.isBuffer(raw) ? raw : Buffer.from(String(raw)));
}

export const countOccurrences = (text: string, needle: string): number => text.split(needle).length - 1;

/** Saves a container's output to `file`; never throws (used while tearing down). */
export async function saveContainerLog(container: Dockerode.Container, file: string): Promise<void> {
  try {
    const text = await readContainerLog(container);
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, text);
  } catch {
    /* the container may already be gone; logs are a diagnostic, not a result */
  }
}

/** The last lines of a container's output, to put in an error message. */
export async function logTail(container: Dockerode.Container, lines = 5): Promise<string> {
  try {
    return (await readContainerLog(container)).trim().split('\n').slice(-lines).join(' | ');
  } catch {
    return '';
  }
}

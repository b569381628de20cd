// Which images a docker cluster runs, and building the bundled one when it is not cached.
// Nothing is ever pulled implicitly: the official Toxiproxy image is used only when it is
// already in the local image list.
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { infraError } from '../../util/errors';
import { collectContext, writeContext } from './context';
import { loadTestcontainers, withTimeout, type RuntimeClient } from './env';

export const BUNDLED_REPO = 'chat-bench/bundled';
export const OFFLINE_BASE_IMAGE = 'chat-bench/node-base:20'; // made by test/support/docker-engine.sh
export const DEFAULT_BASE_IMAGE = 'node:20-slim';
export const OFFICIAL_TOXIPROXY_IMAGE = 'ghcr.io/shopify/toxiproxy:2.12.0';
/** Paths inside the bundled image (reference-broker/Dockerfile). */
export const BUNDLED_TOXIPROXY_MAIN = '/app/dist/src/toxiproxy/toxiproxy-main.js';

const BUILD_TIMEOUT_MS = 180_000;

/**
 * The compiled tree this code runs from, whose broker and Toxiproxy server go into the image:
 * dist/ when installed, build/ under the tests. This file is <tree>/src/runtime/docker/image.js.
 */
export const compiledRoot = (): string => resolve(__dirname, '..', '..', '..');
/** The package root (reference-broker/Dockerfile, node_modules): the compiled tree's parent. */
export const packageRoot = (): string => resolve(compiledRoot(), '..');

export async function imageExists(client: RuntimeClient, image: string): Promise<boolean> {
  const { ImageName } = loadTestcontainers();
  return client.image.exists(ImageName.fromString(image));
}

/** CHAT_BENCH_BASE_IMAGE, else the offline base if it was imported here, else node:20-slim. */
export async function chooseBaseImage(client: RuntimeClient): Promise<string> {
  const fromEnv = process.env.CHAT_BENCH_BASE_IMAGE?.trim();
  if (fromEnv) return fromEnv;
  return (await imageExists(client, OFFLINE_BASE_IMAGE)) ? OFFLINE_BASE_IMAGE : DEFAULT_BASE_IMAGE;
}

const building = new Map<string, Promise<string>>();

/**
 * The bundled image (broker + embedded Toxiproxy), tagged by the hash of everything that goes
 * into it: when the compiled code, node_modules, Dockerfile and base are unchanged the existing
 * image is used and nothing is built.
 */
export async function ensureBundledImage(client: RuntimeClient, log: (line: string) => void): Promise<string> {
  const root = compiledRoot();
  const brokerMain = join(root, 'reference-broker', 'main.js');
  if (!existsSync(brokerMain)) {
    throw infraError(`the compiled broker is missing (${brokerMain})`, 'run `npx tsc -p .` first');
  }
  const entries = [brokerMain, join(root, 'src', 'toxiproxy', 'toxiproxy-main.js')].filter((f) => existsSync(f));
  const dockerfile = join(packageRoot(), 'reference-broker', 'Dockerfile');
  const base = await chooseBaseImage(client);
  const baseId = (await imageExists(client, base)) ? (await client.image.inspect(loadTestcontainers().ImageName.fromString(base))).Id : base;
  const ctx = collectContext(root, entries, `${await readFile(dockerfile, 'utf8')}\0${baseId}`);
  const tag = `${BUNDLED_REPO}:${ctx.hash}`;

  const pending = building.get(tag);
  if (pending) return pending;
  const job = (async () => {
    if (await imageExists(client, tag)) return tag;
    log(`docker: building ${tag} FROM ${base}`);
    const dir = await mkdtemp(join(tmpdir(), 'chat-bench-image-'));
    try {
      await writeContext(root, ctx, dockerfile, dir);
      const { GenericContainer } = loadTestcontainers();
      // A daemon that rejects a build can leave build() pending forever: bound it.
      await withTimeout(
        GenericContainer.fromDockerfile(dir).withBuildArgs({ BASE_IMAGE: base }).build(tag, { deleteOnExit: false }),
        BUILD_TIMEOUT_MS,
        () => new Error(`timed out after ${BUILD_TIMEOUT_MS / 1000} s`),
      );
      return tag;
    } catch (err) {
      const cause = err instanceof Error ? err.message : String(err);
      throw infraError(
        `could not build the broker image ${tag} FROM ${base} (${cause})`,
        `the base image must exist locally or be pullable: run test/support/docker-engine.sh as root, or set CHAT_BENCH_BASE_IMAGE`,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  })();
  building.set(tag, job);
  job.catch(() => building.delete(tag));
  return job;
}

export interface ToxiproxyImageChoice {
  image: string;
  /** Entrypoint+command for the bundled server; undefined: the image's own (real Toxiproxy). */
  command?: { entrypoint: string[]; args: string[] };
}

/**
 * spec.toxiproxyImage if given (a real Toxiproxy, run with its own entrypoint); else the official
 * image when it is already local; else the embedded server from the bundled image (same API).
 */
export async function chooseToxiproxyImage(
  client: RuntimeClient,
  requested: string | undefined,
  bundled: () => Promise<string>,
  apiPort: number,
): Promise<ToxiproxyImageChoice> {
  const embedded = async (image: string): Promise<ToxiproxyImageChoice> => ({
    image,
    command: { entrypoint: ['node', BUNDLED_TOXIPROXY_MAIN], args: ['--host', '0.0.0.0', '--port', String(apiPort)] },
  });
  if (requested) return requested.startsWith(`${BUNDLED_REPO}:`) ? embedded(requested) : { image: requested };
  if (await imageExists(client, OFFICIAL_TOXIPROXY_IMAGE)) return { image: OFFICIAL_TOXIPROXY_IMAGE };
  const main = join(compiledRoot(), 'src', 'toxiproxy', 'toxiproxy-main.js');
  if (!existsSync(main)) {
    throw infraError(`no Toxiproxy image: ${OFFICIAL_TOXIPROXY_IMAGE} is not local and ${main} is missing`, 'run `npx tsc -p .`, or pass --toxiproxy-image');
  }
  return embedded(await bundled());
}

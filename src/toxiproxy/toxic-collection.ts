// A proxy's toxics: one ordered chain per direction, and every open link that runs them.
// Adding, updating or removing a toxic applies to the links already open, at once; a new
// link starts with the chains as they are when it is accepted.
import * as errors from './api-errors';
import type { LinkRegistry } from './proxied-connection';
import { decodeFirstValue, decodeStruct, GoJsonError, type Decoded, type GoStruct, type JValue } from './go-json';
import type { Direction, Link, LinkToxic } from './link';
import { toxicDefinitions, type Attributes, type ToxicDefinition } from './toxics';

export interface ToxicEntry extends LinkToxic {
  name: string;
  type: string;
  /** as sent (case kept, e.g. "UpStream"); `direction` is what it means */
  stream: string;
  direction: Direction;
}

/** Toxiproxy's toxic JSON: {"attributes","name","type","stream","toxicity"} */
export function toxicJson(t: ToxicEntry): object {
  const attributes = Object.fromEntries(t.definition.attributes.map((a) => [a.name, t.attributes[a.name] ?? 0]));
  return { attributes, name: t.name, type: t.type, stream: t.stream, toxicity: t.toxicity };
}

/** Parses a body like json.Decoder.Decode, turning Go's decoder errors into 400s. */
export function parseBody(text: string): JValue {
  try {
    return decodeFirstValue(text);
  } catch (err) {
    if (err instanceof GoJsonError) throw errors.badRequestBody(err.message);
    throw err;
  }
}

function decodeOrReject(value: JValue, spec: GoStruct, goType: string, start?: Decoded): Decoded {
  try {
    return decodeStruct(value, spec, goType, start);
  } catch (err) {
    if (err instanceof GoJsonError) throw errors.badRequestBody(err.message);
    throw err;
  }
}

const NOOP_STRUCT: GoStruct = { name: 'NoopToxic', fields: [] };
const TOXIC_WRAPPER: GoStruct = {
  name: 'ToxicWrapper',
  fields: [
    { key: 'attributes', struct: NOOP_STRUCT, goType: 'toxics.NoopToxic' },
    { key: 'name', type: 'string' },
    { key: 'type', type: 'string' },
    { key: 'stream', type: 'string' },
    { key: 'toxicity', type: 'float32' },
  ],
};

const attributesStruct = (def: ToxicDefinition): GoStruct => ({
  name: def.goStruct,
  fields: def.attributes.map((a) => ({ key: a.name, type: a.goType })),
});

function parseDirection(stream: string): Direction | null {
  const s = stream.toLowerCase();
  return s === 'upstream' || s === 'downstream' ? s : null;
}

export class ToxicCollection implements LinkRegistry {
  private readonly chains: Record<Direction, ToxicEntry[]> = { upstream: [], downstream: [] };
  private readonly links = new Set<Link>();

  chain(direction: Direction): readonly ToxicEntry[] {
    return this.chains[direction];
  }
  addLink(link: Link): void {
    this.links.add(link);
  }
  removeLink(link: Link): void {
    this.links.delete(link);
  }
  private linksOf(direction: Direction): Link[] {
    return [...this.links].filter((l) => l.direction === direction);
  }

  /** upstream toxics, then downstream, each in insertion order */
  list(): ToxicEntry[] {
    return [...this.chains.upstream, ...this.chains.downstream];
  }

  find(name: string): ToxicEntry | undefined {
    return this.list().find((t) => t.name === name);
  }

  /** POST /proxies/{p}/toxics, checked in Toxiproxy's order (AddToxicJson). */
  addJson(body: string): ToxicEntry {
    const root = parseBody(body);
    const wrapper = decodeOrReject(root, TOXIC_WRAPPER, 'toxics.ToxicWrapper', { stream: 'downstream', toxicity: 1 });
    const stream = String(wrapper.stream);
    const direction = parseDirection(stream);
    if (!direction) throw errors.invalidStream();
    const type = String(wrapper.type ?? '');
    const name = wrapper.name ? String(wrapper.name) : `${type}_${stream}`;
    const definition = toxicDefinitions.get(type);
    if (!definition) throw errors.invalidToxicType();
    if (this.find(name)) throw errors.toxicAlreadyExists();
    const decoded = decodeOrReject(
      root,
      { name: '', fields: [{ key: 'attributes', struct: attributesStruct(definition), goType: `toxics.${definition.goStruct}` }] },
      'struct { Attributes interface {} "json:\\"attributes\\"" }',
    );
    const attributes: Attributes = Object.fromEntries(definition.attributes.map((a) => [a.name, 0]));
    Object.assign(attributes, decoded.attributes ?? {});
    const toxic: ToxicEntry = { name, type, stream, direction, toxicity: Number(wrapper.toxicity), attributes, definition };
    this.chains[direction].push(toxic);
    for (const link of this.linksOf(direction)) link.addToxic(toxic);
    return toxic;
  }

  /** POST/PATCH /proxies/{p}/toxics/{t}: attributes merge field by field, toxicity only if sent. */
  updateJson(name: string, body: string): ToxicEntry {
    const toxic = this.find(name);
    if (!toxic) throw errors.toxicNotFound();
    const root = parseBody(body);
    const decoded = decodeOrReject(
      root,
      {
        name: '',
        fields: [
          { key: 'attributes', struct: attributesStruct(toxic.definition), goType: `toxics.${toxic.definition.goStruct}` },
          { key: 'toxicity', type: 'float32' },
        ],
      },
      'struct { Attributes interface {} "json:\\"attributes\\""; Toxicity float32 "json:\\"toxicity\\"" }',
      { attributes: { ...toxic.attributes }, toxicity: toxic.toxicity },
    );
    toxic.attributes = decoded.attributes as Attributes;
    toxic.toxicity = Number(decoded.toxicity);
    for (const link of this.linksOf(toxic.direction)) link.updateToxic(toxic);
    return toxic;
  }

  remove(name: string): void {
    const toxic = this.find(name);
    if (!toxic) throw errors.toxicNotFound();
    this.removeEntry(toxic);
  }

  private removeEntry(toxic: ToxicEntry): void {
    const chain = this.chains[toxic.direction];
    chain.splice(chain.indexOf(toxic), 1);
    for (const link of this.linksOf(toxic.direction)) link.removeToxic(toxic);
  }

  /** /reset: remove every toxic, first to last (open connections stay, except timeout's). */
  reset(): void {
    for (const direction of ['upstream', 'downstream'] as const) {
      while (this.chains[direction].length > 0) this.removeEntry(this.chains[direction][0]);
    }
  }
}

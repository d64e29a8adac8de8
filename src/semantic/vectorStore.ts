/**
 * Sentence vectors kept compactly and saved in `CACHE_DIR`, keyed by a hash of the passage text,
 * so that a restart or reload embeds only text it has not seen.
 *
 * - In memory, each vector is 512 signed bytes plus one scale (a quarter of float32): cosine
 *   similarities change by well under 0.01, far below the thresholds that use them.
 * - On disk, `CACHE_DIR/vectors/<model>/` holds segment files of records (key, sentence count,
 *   then per sentence its scale and bytes). Each opened store appends to a segment of its own, so
 *   engine workers, shards or HTTP workers sharing the folder never interleave writes; old
 *   segments are folded into one when there are many (see `open`).
 */
import { createHash } from 'node:crypto';
import { appendFile, mkdir, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { EMBEDDING_DIMENSIONS } from './embedder.js';

/** A passage's sentence vectors, quantised. */
export interface QuantizedVectors {
  /** One scale per sentence: value = byte × scale. */
  scales: Float32Array;
  /** Sentence after sentence, EMBEDDING_DIMENSIONS bytes each. */
  values: Int8Array;
}

const KEY_BYTES = 16;
const RECORD_HEADER_BYTES = KEY_BYTES + 2;
const SENTENCE_BYTES = 4 + EMBEDDING_DIMENSIONS;

/** The key vectors are stored under: a hash of the exact text they were computed from. */
export function vectorKey(text: string): string {
  return createHash('sha256').update(text).digest('base64url').slice(0, KEY_BYTES);
}

export function quantize(vectors: readonly Float32Array[]): QuantizedVectors {
  const scales = new Float32Array(vectors.length);
  const values = new Int8Array(vectors.length * EMBEDDING_DIMENSIONS);
  vectors.forEach((vector, sentence) => {
    let largest = 0;
    for (const value of vector) largest = Math.max(largest, Math.abs(value));
    const scale = largest === 0 ? 0 : largest / 127;
    scales[sentence] = scale;
    for (let i = 0; i < EMBEDDING_DIMENSIONS; i++) values[sentence * EMBEDDING_DIMENSIONS + i] = scale === 0 ? 0 : Math.round(vector[i]! / scale);
  });
  return { scales, values };
}

/** Cosine of a unit vector with sentence `sentence` of `vectors` (also unit length before quantising). */
export function cosineWith(question: Float32Array, vectors: QuantizedVectors, sentence: number): number {
  const offset = sentence * EMBEDDING_DIMENSIONS;
  let dot = 0;
  for (let i = 0; i < EMBEDDING_DIMENSIONS; i++) dot += question[i]! * vectors.values[offset + i]!;
  return dot * vectors.scales[sentence]!;
}

function encode(key: string, vectors: QuantizedVectors): Buffer {
  const count = vectors.scales.length;
  const record = Buffer.alloc(RECORD_HEADER_BYTES + count * SENTENCE_BYTES);
  record.write(key.padEnd(KEY_BYTES), 0, 'latin1');
  record.writeUInt16LE(count, KEY_BYTES);
  for (let sentence = 0; sentence < count; sentence++) {
    const offset = RECORD_HEADER_BYTES + sentence * SENTENCE_BYTES;
    record.writeFloatLE(vectors.scales[sentence]!, offset);
    Buffer.from(vectors.values.buffer, vectors.values.byteOffset + sentence * EMBEDDING_DIMENSIONS, EMBEDDING_DIMENSIONS).copy(record, offset + 4);
  }
  return record;
}

/** Reads every whole record of a segment; a truncated tail (a crash mid-append) is ignored. */
function decode(segment: Buffer, into: Map<string, QuantizedVectors>, wanted: ReadonlySet<string>): void {
  let offset = 0;
  while (offset + RECORD_HEADER_BYTES <= segment.length) {
    const key = segment.toString('latin1', offset, offset + KEY_BYTES);
    const count = segment.readUInt16LE(offset + KEY_BYTES);
    const end = offset + RECORD_HEADER_BYTES + count * SENTENCE_BYTES;
    if (end > segment.length) break;
    if (wanted.has(key)) {
      const scales = new Float32Array(count);
      const values = new Int8Array(count * EMBEDDING_DIMENSIONS);
      for (let sentence = 0; sentence < count; sentence++) {
        const start = offset + RECORD_HEADER_BYTES + sentence * SENTENCE_BYTES;
        scales[sentence] = segment.readFloatLE(start);
        values.set(new Int8Array(segment.buffer, segment.byteOffset + start + 4, EMBEDDING_DIMENSIONS), sentence * EMBEDDING_DIMENSIONS);
      }
      into.set(key, { scales, values });
    }
    offset = end;
  }
}

/** Segments beyond this many are folded into one when the store is opened. */
const MAX_SEGMENTS = 8;
/** A segment unchanged for this long has no writer left: it may be folded into another. */
const IDLE_SEGMENT_MS = 60 * 60_000;

export class VectorStore {
  readonly #vectors = new Map<string, QuantizedVectors>();
  readonly #folder: string | undefined;
  readonly #segment: string | undefined;

  private constructor(folder: string | undefined) {
    this.#folder = folder;
    this.#segment = folder && path.join(folder, `${Date.now().toString(36)}-${process.pid}-${Math.random().toString(36).slice(2, 8)}.bin`);
  }

  /**
   * The saved vectors of the passages whose keys are `wanted` (others are not kept in memory).
   * Without a folder nothing is saved. Unreadable segments are skipped: their vectors are
   * computed again.
   */
  static async open(folder: string | undefined, wanted: ReadonlySet<string>): Promise<VectorStore> {
    const store = new VectorStore(folder);
    if (!folder) return store;
    await mkdir(folder, { recursive: true });
    const segments = (await readdir(folder)).filter((name) => name.endsWith('.bin')).sort();
    for (const name of segments) {
      const bytes = await readFile(path.join(folder, name)).catch(() => undefined);
      if (bytes) decode(bytes, store.#vectors, wanted);
    }
    if (segments.length > MAX_SEGMENTS) {
      // Only segments nobody has written to for a while: another worker may still be appending to a recent one.
      const idle = [];
      for (const name of segments) {
        const info = await stat(path.join(folder, name)).catch(() => undefined);
        if (info && Date.now() - info.mtimeMs > IDLE_SEGMENT_MS) idle.push(name);
      }
      if (idle.length > 1) await store.#compact(idle);
    }
    return store;
  }

  get(key: string): QuantizedVectors | undefined {
    return this.#vectors.get(key);
  }

  has(key: string): boolean {
    return this.#vectors.has(key);
  }

  /**
   * A store that only appends what it is given to a segment of its own, reading nothing and
   * keeping nothing in memory (the encoder worker's: serving workers keep what they read). Without
   * a folder nothing is saved.
   */
  static async forWriting(folder: string | undefined): Promise<VectorStore> {
    if (folder) await mkdir(folder, { recursive: true });
    return new VectorStore(folder);
  }

  /** Keeps `vectors` in memory (for questions from now on). */
  keep(entries: ReadonlyArray<[string, QuantizedVectors]>): void {
    for (const [key, vectors] of entries) this.#vectors.set(key, vectors);
  }

  /** Appends `vectors` to this store's segment (none without a folder). */
  async save(entries: ReadonlyArray<[string, QuantizedVectors]>): Promise<void> {
    if (this.#segment) await appendFile(this.#segment, Buffer.concat(entries.map(([key, vectors]) => encode(key, vectors))));
  }

  /** Rewrites what is in memory as one segment, then removes the segments it replaces. */
  async #compact(segments: string[]): Promise<void> {
    const folder = this.#folder!;
    const temporary = path.join(folder, `.compacting-${process.pid}-${Math.random().toString(36).slice(2, 8)}`);
    await writeFile(temporary, Buffer.concat([...this.#vectors].map(([key, vectors]) => encode(key, vectors))));
    await rename(temporary, path.join(folder, `${Date.now().toString(36)}-compacted-${process.pid}.bin`));
    for (const name of segments) await rm(path.join(folder, name), { force: true });
  }
}

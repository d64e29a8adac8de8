/** Vector helpers for embeddings. */

/** `vector` scaled to unit length, in place; a zero vector stays zero. */
export function normalize(vector: Float32Array): Float32Array {
  let sumOfSquares = 0;
  for (const value of vector) sumOfSquares += value * value;
  if (sumOfSquares > 0) {
    const scale = 1 / Math.sqrt(sumOfSquares);
    for (let i = 0; i < vector.length; i += 1) vector[i]! *= scale;
  }
  return vector;
}

/** Cosine similarity of two unit-length vectors (their dot product), −1…1; 0 against a zero vector. */
export function cosine(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) throw new Error(`cosine: vectors of different lengths (${a.length}, ${b.length})`);
  let dot = 0;
  for (let i = 0; i < a.length; i += 1) dot += a[i]! * b[i]!;
  return dot;
}

/**
 * Worker for tests/integration/semantic.test.ts: loads the embedder inside a worker thread with every way
 * out to the network made to throw, and reports what it embedded and any network attempt.
 */
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { parentPort, workerData } from 'node:worker_threads';

const attempts: string[] = [];
function refuse(name: string): never {
  attempts.push(name);
  throw new Error(`network access attempted: ${name}`);
}
globalThis.fetch = () => refuse('fetch');
http.request = () => refuse('http.request');
http.get = () => refuse('http.get');
https.request = () => refuse('https.request');
https.get = () => refuse('https.get');
net.connect = () => refuse('net.connect');
net.createConnection = () => refuse('net.createConnection');

const { loadEmbedder } = await import('../../src/semantic/embedder.js');
const embedder = await loadEmbedder();
const vectors = await embedder.embed(workerData as string[]);
parentPort!.postMessage({ vectors, attempts });

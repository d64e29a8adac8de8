/** Starting the engine's worker threads, from TypeScript source (tests, the CLI) or built JavaScript alike. */
import { Worker, type TransferListItem } from 'node:worker_threads';

/**
 * A worker entry file in this folder (`name` without extension): .ts when this runs as
 * TypeScript source (under tsx: tests, the CLI), .js when built.
 */
export function siblingWorker(name: string): URL {
  return new URL(`./${name}${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url);
}

/**
 * A worker thread running `url`. TypeScript source needs tsx's loader, which a worker does not
 * inherit from `--import tsx`: it registers the loader itself, then imports the file.
 */
export function startWorker(url: URL, workerData: unknown, transferList: readonly TransferListItem[] = []): Worker {
  if (!url.pathname.endsWith('.ts')) return new Worker(url, { workerData, transferList: [...transferList] });
  const bootstrap = `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(url.href)}); })`;
  return new Worker(bootstrap, { eval: true, workerData, transferList: [...transferList] });
}

/** Starting the engine's worker threads, from TypeScript source (tests, the CLI) or built JavaScript alike. */
import { Worker, type ResourceLimits, type TransferListItem } from 'node:worker_threads';

/**
 * A worker entry file in this folder, or in the folder of the module at `from` (`name` without
 * extension): .ts when this runs as TypeScript source (under tsx: tests, the CLI), .js when built.
 */
export function siblingWorker(name: string, from = import.meta.url): URL {
  return new URL(`./${name}${from.endsWith('.ts') ? '.ts' : '.js'}`, from);
}

/**
 * A worker thread running `url`, within `resourceLimits` when given (untrusted input). TypeScript source needs tsx's loader, which a worker does not
 * inherit from `--import tsx`: it registers the loader itself, then imports the file.
 */
export function startWorker(url: URL, workerData: unknown, transferList: readonly TransferListItem[] = [], resourceLimits?: ResourceLimits): Worker {
  const options = { workerData, transferList: [...transferList], ...(resourceLimits && { resourceLimits }) };
  if (!url.pathname.endsWith('.ts')) return new Worker(url, options);
  const bootstrap = `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(url.href)}); })`;
  return new Worker(bootstrap, { ...options, eval: true });
}

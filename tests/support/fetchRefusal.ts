/** The one-line message a fetch (safeFetch, fetchFeed) refuses `address` with; fails the test if it does not refuse. */
import { expect } from 'vitest';
import { FetchRefused } from '../../src/ingest/safeFetch.js';

export async function refusalOf(fetch: (address: string, options: object) => Promise<unknown>, address: string, options = {}): Promise<string> {
  const error = await fetch(address, options).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(FetchRefused);
  const { message } = error as FetchRefused;
  expect(message).not.toContain('\n');
  return message;
}

/** Which database errors are answered "Storage is unavailable, try again shortly." rather than taken for a bug. */
import { describe, expect, it } from 'vitest';
import { StoreUnavailable } from '../../src/engine/corpusTasks.js';
import { asUnavailable, isUnreachable } from '../../src/store/database.js';

const withCode = (code: string, message = 'failed') => Object.assign(new Error(message), { code });

describe('isUnreachable', () => {
  it('says so for a database down, restarting, full or out of reach', () => {
    for (const error of [
      withCode('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432'),
      withCode('ETIMEDOUT'),
      withCode('ENOTFOUND', 'getaddrinfo ENOTFOUND db.internal'),
      withCode('57P01', 'terminating connection due to administrator command'),
      withCode('57P03', 'the database system is starting up'),
      withCode('53300', 'sorry, too many clients already'),
      withCode('08006', 'connection failure'),
      new Error('Connection terminated unexpectedly'),
      new Error('timeout exceeded when trying to connect'),
      new Error('Query read timeout'),
      new StoreUnavailable('down'),
    ])
      expect(isUnreachable(error), error.message).toBe(true);
  });

  it('does not for a query or data the database refuses, nor for anything else', () => {
    for (const error of [
      withCode('42601', 'syntax error at or near "SELEC"'),
      withCode('23505', 'duplicate key value violates unique constraint'),
      withCode('28P01', 'password authentication failed for user "citebot"'),
      withCode('ENOENT'),
      new TypeError('Cannot read properties of undefined'),
    ])
      expect(isUnreachable(error), error.message).toBe(false);
    expect(isUnreachable(undefined)).toBe(false);
  });
});

describe('asUnavailable', () => {
  it('turns an unreachable database into StoreUnavailable, keeping the cause, and leaves any other error as it is', () => {
    const refused = withCode('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432');
    const mapped = asUnavailable(refused);
    expect(mapped).toBeInstanceOf(StoreUnavailable);
    expect((mapped as Error).cause).toBe(refused);
    const syntax = withCode('42601');
    expect(asUnavailable(syntax)).toBe(syntax);
  });
});

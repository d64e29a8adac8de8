/** Special addresses are refused in every spelling, before any connection is tried. */
import { describe, expect, it } from 'vitest';
import { refusedAddress } from '../../src/ingest/addressCheck.js';
import { FetchRefused, safeFetch } from '../../src/ingest/safeFetch.js';

describe('every spelling of a special address is refused before connecting', () => {
  const spellings = [
    'http://127.0.0.1/',
    'http://2130706433/',
    'http://0177.0.0.1/',
    'http://0x7f.0.0.1/',
    'http://127.1/',
    'http://[::1]/',
    'http://[::ffff:127.0.0.1]/',
    'http://[::ffff:7f00:1]/',
    'http://[0:0:0:0:0:ffff:127.0.0.1]/',
    'http://[::127.0.0.1]/',
    'http://0.0.0.0/',
    'http://0/',
    'http://10.1.2.3/',
    'http://172.16.0.1/',
    'http://192.168.1.1/',
    'http://3232235777/',
    'http://100.64.0.1/',
    'http://169.254.169.254/',
    'http://[fe80::1]/',
    'http://[fc00::1]/',
    'http://[fd12:3456::1]/',
    'http://224.0.0.1/',
    'http://255.255.255.255/',
    'http://[2002:7f00:1::]/',
    'http://[64:ff9b::7f00:1]/',
    'http://[::ffff:169.254.169.254]/',
  ];
  it.each(spellings)('%s', async (address) => {
    const error = await safeFetch(address).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(FetchRefused);
    expect((error as Error).message).toMatch(/was not fetched: /);
  });
});

describe('refusedAddress', () => {
  it('lets public unicast addresses through, IPv4 and IPv6', () => {
    expect(refusedAddress('93.184.216.34', false)).toBeUndefined();
    expect(refusedAddress('2606:2800:220:1:248:1893:25c8:1946', false)).toBeUndefined();
  });

  it('lets private networks through only when allowed, and never link-local or multicast', () => {
    expect(refusedAddress('10.0.0.1', false)).toMatch(/private network.*FETCH_ALLOW_PRIVATE=true/);
    expect(refusedAddress('10.0.0.1', true)).toBeUndefined();
    expect(refusedAddress('::ffff:127.0.0.1', true)).toBeUndefined();
    expect(refusedAddress('169.254.169.254', true)).toMatch(/link-local/);
    expect(refusedAddress('ff02::1', true)).toMatch(/multicast/);
  });

  it('checks IPv4 inside IPv6 as the IPv4 address it is', () => {
    expect(refusedAddress('::ffff:10.0.0.1', false)).toMatch(/^10\.0\.0\.1 is a private network address/);
    expect(refusedAddress('::ffff:93.184.216.34', false)).toBeUndefined();
    expect(refusedAddress('::7f00:1', true)).toMatch(/IPv4 address written as IPv6/);
  });
});

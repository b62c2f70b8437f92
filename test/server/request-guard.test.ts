// Findings 1 (cross-site), 4 (Host check on every bind) and the body bound of issue 10, as pure
// functions; test/e2e/security.test.ts checks the same through a running board.
import { hostname, networkInterfaces } from 'node:os';
import { describe, expect, test } from 'vitest';
import { allowedHostNames, checkBody, checkHost, checkSameOrigin, hostName, MAX_BODY_BYTES } from '../../lib/server/request-guard.ts';

describe('hostName', () => {
  test('strips port, brackets, trailing dot; lower-cases; rejects garbage', () => {
    expect(hostName('LocalHost:6006')).toBe('localhost');
    expect(hostName('[::1]:6006')).toBe('::1');
    expect(hostName('example.com.')).toBe('example.com');
    expect(hostName('127.0.0.1')).toBe('127.0.0.1');
    expect(hostName(undefined)).toBeNull();
    expect(hostName('')).toBeNull();
    expect(hostName('a b')).toBeNull();
    expect(hostName('user@evil.example')).toBeNull();
    expect(hostName('[::1')).toBeNull();
    expect(hostName('[::1]x')).toBeNull();
  });
});

describe('checkHost', () => {
  test('a loopback bind answers loopback names and the machine name, not a rebinding domain', () => {
    const allowed = allowedHostNames('127.0.0.1');
    expect(checkHost('127.0.0.1:6006', allowed)).toBeNull();
    expect(checkHost('localhost:6006', allowed)).toBeNull();
    expect(checkHost('[::1]:6006', allowed)).toBeNull();
    expect(checkHost(`${hostname()}:6006`, allowed)).toBeNull();
    expect(checkHost('evil.example:6006', allowed)).toMatch(/refused request for Host 'evil.example'.*--allowed_hosts evil.example/);
    expect(checkHost(undefined, allowed)).toMatch(/missing or malformed Host/);
  });

  test('a non-loopback bind is checked too (the report: --host 0.0.0.0 skipped the check)', () => {
    for (const bind of ['0.0.0.0', '::', '127.0.0.2', '10.1.2.3']) {
      const allowed = allowedHostNames(bind);
      expect(checkHost('rebind.attacker.example', allowed), bind).not.toBeNull();
      expect(checkHost('localhost', allowed), bind).toBeNull();
    }
    expect(checkHost('10.1.2.3:6006', allowedHostNames('10.1.2.3'))).toBeNull();
    expect(checkHost('127.0.0.2:6006', allowedHostNames('127.0.0.2'))).toBeNull();
  });

  test('a wildcard bind answers every address of this machine', () => {
    const allowed = allowedHostNames('0.0.0.0');
    for (const list of Object.values(networkInterfaces())) {
      for (const a of list ?? []) {
        const header = a.family === 'IPv6' ? `[${a.address}]:6006` : `${a.address}:6006`;
        if (!a.address.includes('%')) expect(checkHost(header, allowed), header).toBeNull();
      }
    }
  });

  test('--allowed_hosts adds names and addresses', () => {
    const allowed = allowedHostNames('0.0.0.0', ['Board.Example.com', 'fd00::1', '[fd00::2]', '192.0.2.7']);
    expect(checkHost('board.example.com:8080', allowed)).toBeNull();
    expect(checkHost('[fd00::1]:6006', allowed)).toBeNull();
    expect(checkHost('[fd00::2]', allowed)).toBeNull();
    expect(checkHost('192.0.2.7', allowed)).toBeNull();
    expect(checkHost('other.example.com', allowed)).not.toBeNull();
  });
});

describe('checkSameOrigin', () => {
  const host = '127.0.0.1:6006';
  test('same-origin, direct navigation and non-browser clients pass', () => {
    expect(checkSameOrigin({ host })).toBeNull();
    expect(checkSameOrigin({ host, 'sec-fetch-site': 'same-origin' })).toBeNull();
    expect(checkSameOrigin({ host, 'sec-fetch-site': 'none' })).toBeNull();
    expect(checkSameOrigin({ host, origin: 'http://127.0.0.1:6006', 'sec-fetch-site': 'same-origin' })).toBeNull();
  });
  test('cross-site and same-site (another port) browsers are refused, and so is a foreign or null Origin', () => {
    expect(checkSameOrigin({ host, 'sec-fetch-site': 'cross-site' })).toMatch(/cross-site request refused/);
    expect(checkSameOrigin({ host, 'sec-fetch-site': 'same-site' })).toMatch(/cross-site request refused/);
    expect(checkSameOrigin({ host, origin: 'http://evil.example' })).toMatch(
      /cross-origin request refused \(Origin: http:\/\/evil.example\)/,
    );
    expect(checkSameOrigin({ host, origin: 'http://127.0.0.1:8888' })).toMatch(/cross-origin/);
    expect(checkSameOrigin({ host, origin: 'null' })).toMatch(/cross-origin/);
    expect(checkSameOrigin({ origin: 'http://127.0.0.1:6006' })).toMatch(/cross-origin/);
  });
});

describe('checkBody', () => {
  test('GET carries no body; other methods announce a size within the limit', () => {
    expect(checkBody('GET', {})).toBeNull();
    expect(checkBody('GET', { 'content-length': '0' })).toBeNull();
    expect(checkBody('GET', { 'content-length': '10' })?.[0]).toBe(400);
    expect(checkBody('POST', { 'content-length': '100' })).toBeNull();
    expect(checkBody('POST', { 'content-length': String(MAX_BODY_BYTES + 1) })).toEqual([
      413,
      `request body of ${MAX_BODY_BYTES + 1} bytes is over the limit of ${MAX_BODY_BYTES} bytes`,
    ]);
    expect(checkBody('POST', { 'transfer-encoding': 'chunked' })?.[0]).toBe(411);
  });
});

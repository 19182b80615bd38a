import { isIPv4 } from 'node:net';
import type { NetworkInterfaceInfo } from 'node:os';
import { networkInterfaces } from 'node:os';
import { describe, expect, it } from 'vitest';
import { detectHostAddress } from '../src/node.js';

const entry = (address: string, family: 'IPv4' | 'IPv6', internal: boolean): NetworkInterfaceInfo =>
  ({ address, family, internal, netmask: '', mac: '', cidr: null }) as NetworkInterfaceInfo;

describe('detectHostAddress', () => {
  it('picks the first non-internal IPv4 address', () => {
    expect(
      detectHostAddress({
        lo: [entry('127.0.0.1', 'IPv4', true), entry('::1', 'IPv6', true)],
        eth0: [entry('fe80::1', 'IPv6', false), entry('10.1.2.3', 'IPv4', false)],
        eth1: [entry('10.9.9.9', 'IPv4', false)],
      }),
    ).toBe('10.1.2.3');
  });

  it('falls back to 127.0.0.1 when there is only loopback or IPv6', () => {
    expect(
      detectHostAddress({ lo: [entry('127.0.0.1', 'IPv4', true)], eth0: [entry('fe80::1', 'IPv6', false)] }),
    ).toBe('127.0.0.1');
    expect(detectHostAddress({ gone: undefined })).toBe('127.0.0.1');
    expect(detectHostAddress({})).toBe('127.0.0.1');
  });

  it("reads this machine's interfaces by default", () => {
    const address = detectHostAddress();
    expect(isIPv4(address)).toBe(true);
    const external = Object.values(networkInterfaces())
      .flat()
      .filter((i) => i !== undefined && i.family === 'IPv4' && !i.internal);
    expect(address).toBe(external[0]?.address ?? '127.0.0.1');
  });
});

import { describe, expect, it } from 'vitest';
import { type LoadBalancer, leastRequest, peakEwma, roundRobin } from '../src/index.js';
import { engineHarness, ok, startUpstreams } from './support/upstreams.js';

const harness = engineHarness();

/**
 * 600 GETs, 16 in flight, to three instances of which the last answers thirty times slower
 * (60 ms against 2 ms): the share of calls each instance received. The servers share this
 * process with the client, so on a loaded machine the event loop's own delays add to every
 * answer alike and shrink the ratio the balancers see; thirty times keeps the measured ratio
 * far above ten whatever the load. The 10x case, with the servers in processes of their own, is
 * caller's chaos test and the resilience bench.
 */
async function shares(loadBalancer: LoadBalancer): Promise<number[]> {
  const up = harness.track(
    await startUpstreams(3, (i, _n, _req, res) => {
      setTimeout(() => ok(i, res), i === 2 ? 60 : 2);
    }),
  );
  const { engine } = harness.engineOn(
    up.servers.map((s) => s.port),
    { loadBalancer },
  );
  const calls = 600;
  let next = 0;
  const worker = async () => {
    while (next < calls) {
      next++;
      await engine.request('GET', 'svc', '/x');
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
  return up.counts().map((count) => count / calls);
}

describe('load-aware balancers against an instance thirty times slower', () => {
  it('round_robin gives it a third of the calls', async () => {
    const [, , slow] = await shares(roundRobin());
    expect(slow).toBeCloseTo(1 / 3, 2);
  });

  it.each([
    ['least_request', () => leastRequest()],
    ['peak_ewma', () => peakEwma()],
  ])('%s gives it less than 15%% of the calls', async (_name, create) => {
    const [fastA, fastB, slow] = await shares(create());
    expect(slow).toBeLessThan(0.15);
    expect(fastA! + fastB! + slow!).toBeCloseTo(1, 5);
  });
});

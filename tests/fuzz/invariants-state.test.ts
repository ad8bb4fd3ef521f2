/**
 * The invariant property of tests/fuzz/invariants.test.ts, run again with the state table:
 * every container of a scenario shares a fresh table in dynalite (a real DynamoDB
 * implementation on loopback). With it, two containers racing on one endpoint write once and
 * a fix whose alert failed is announced by the retry on any container.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Standin } from '../../standin/index';
import { startDynalite, type Dynalite } from '../helpers/dynalite';
import { fuzzRun, fuzzTimeout, reportCounts } from '../helpers/fuzz';
import { BASE_SCENARIO, newTally, runScenario, scenario, type Harness } from '../helpers/invariants';
import { standinForAccount } from '../helpers/standin-runtime';

const RUN = fuzzRun(0x1a7a, 150);
const tally = newTally();
let standin: Standin;
let dynalite: Dynalite;

beforeAll(async () => {
  [standin, dynalite] = await Promise.all([standinForAccount(), startDynalite()]);
}, 60_000);
afterAll(async () => {
  reportCounts('invariants-state', { ...tally }, RUN);
  await Promise.all([standin.close(), dynalite.close()]);
});

describe('invariants under seeded faults, with the state table', () => {
  it('the same invariants hold; no concurrent double write, no lost remediation alert', async () => {
    const harness: Harness = { standin, topicArn: '', dynalite };
    await fc.assert(
      fc.asyncProperty(scenario, (s) => runScenario(harness, s, tally)),
      { ...RUN, endOnFailure: true },
    );
    expect(tally.concurrentDoubleWrites).toBe(0);
    expect(tally.remediationAlertsLost).toBe(0);
  }, fuzzTimeout(180_000));

  it('two containers at once on one endpoint: one Modify, one alert', async () => {
    for (let i = 0; i < 5; i++) {
      await runScenario({ standin, topicArn: '', dynalite }, { ...BASE_SCENARIO, duplicate: 'two-containers-at-once' }, tally);
      expect(standin.callsTo('ModifyClientVpnEndpoint').filter((c) => c.status === 200)).toHaveLength(1);
      expect(standin.published().filter((m) => m.attributes.outcome?.stringValue === 'remediated')).toHaveLength(1);
    }
  });
});

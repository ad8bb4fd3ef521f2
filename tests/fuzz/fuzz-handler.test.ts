/**
 * Property-based tests of the Lambda handler against the stand-in (real SDK, real wire
 * protocols): arbitrary and mutated events end as `dropped` or `processed`, never as an
 * unexpected throw; an event the parser rejects makes no AWS call at all; and whatever a valid
 * event does, its one endpoint write carries only the endpoint ID and ConnectionLogOptions.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidEventError } from '../../src/domain/errors';
import { parseTriggerEvent } from '../../src/domain/event';
import type { Standin } from '../../standin/index';
import {
  arbitraryInput,
  counter,
  envelope,
  extraFields,
  addExtraFields,
  fuzzRun,
  huge,
  mutate,
  mutation,
  realRecord,
  reportCounts,
  validEnvelope,
} from '../helpers/fuzz';
import { ACCOUNT, ENDPOINT, handlerFor, lambdaContext, REGION, runtimeFor, standinForAccount } from '../helpers/standin-runtime';

const WRITE_ACTIONS = new Set(['ModifyClientVpnEndpoint', 'CreateLogGroup', 'PutRetentionPolicy', 'Publish', 'TagResource', 'TagLogGroup']);
const MODIFY_KEYS = /^(ClientVpnEndpointId|ConnectionLogOptions\.(Enabled|CloudwatchLogGroup|CloudwatchLogStream))$/;

const counts = counter('events', 'processed', 'dropped', 'writes', 'crashes');
const RUN = fuzzRun(0x5eed2, 80);

let standin: Standin;
let topicArn: string;
/** Created once: the handler (and its warm-container state) lives across events, as in Lambda. */
let harness: ReturnType<typeof handlerFor>;

beforeAll(async () => {
  standin = await standinForAccount();
  topicArn = standin.createTopic(REGION, 'alerts');
  harness = handlerFor(runtimeFor(standin, { CVPN_TOPIC_ARN: topicArn }));
});
afterAll(async () => {
  reportCounts('fuzz-handler', counts, RUN);
  await standin.close();
});

/** A fresh account: the fixture endpoint exists with logging off, so any valid event would write. */
function freshAccount(): void {
  standin.reset();
  topicArn = standin.createTopic(REGION, 'alerts');
  standin.addEndpoint(REGION, { id: ENDPOINT, logging: { enabled: false } });
}

type Expected = { kind: 'invalid'; message: string } | { kind: 'valid'; foreign: boolean };

function expectedFor(event: unknown): Expected {
  try {
    const trigger = parseTriggerEvent(event);
    return { kind: 'valid', foreign: trigger.account !== ACCOUNT };
  } catch (error) {
    if (error instanceof InvalidEventError) return { kind: 'invalid', message: error.message };
    throw error;
  }
}

/** Runs one event through the handler and checks the retry-or-drop contract. */
async function check(event: unknown): Promise<void> {
  freshAccount();
  counts.events = (counts.events ?? 0) + 1;
  // Middy hands the handler `{}` for an undefined event (Lambda never sends one).
  const expected = expectedFor(event === undefined ? {} : event);
  let result;
  try {
    result = await harness.handler(event, lambdaContext());
  } catch (error) {
    counts.crashes = (counts.crashes ?? 0) + 1;
    throw new Error(`handler threw for a ${expected.kind} event: ${String(error)}`, { cause: error });
  }
  const calls = standin.calls;
  const writes = calls.filter((c) => WRITE_ACTIONS.has(c.action));
  counts.writes = (counts.writes ?? 0) + writes.length;
  if (result.status === 'dropped') counts.dropped = (counts.dropped ?? 0) + 1;
  else counts.processed = (counts.processed ?? 0) + 1;

  if (expected.kind === 'invalid') {
    expect(result).toEqual({ status: 'dropped', reason: expected.message });
    expect(calls, 'an invalid event must not reach AWS at all').toHaveLength(0);
    return;
  }
  if (expected.foreign) {
    expect(result).toMatchObject({ status: 'dropped', reason: expect.stringMatching(/^The event is from account \d{12}/) });
    expect(writes).toHaveLength(0);
    return;
  }
  expect(result.status).toBe('processed');
  for (const modify of standin.callsTo('ModifyClientVpnEndpoint')) {
    for (const key of Object.keys(modify.params)) expect(key).toMatch(MODIFY_KEYS);
  }
  expect(standin.callsTo('ModifyClientVpnEndpoint').length).toBeLessThanOrEqual(1);
}

describe('remediate handler under hostile input (property-based, against the stand-in)', () => {
  it('arbitrary values are dropped with the parser\'s reason and make no AWS call', async () => {
    await fc.assert(fc.asyncProperty(arbitraryInput, check), RUN);
  });

  it('mutated real events: dropped without any call, or processed with at most one clean write', async () => {
    await fc.assert(
      fc.asyncProperty(validEnvelope, fc.array(mutation, { minLength: 1, maxLength: 3 }), async (event, mutations) => {
        await check(mutate(event, mutations));
      }),
      RUN,
    );
  });

  it('real events with fields AWS may add later are processed as usual', async () => {
    await fc.assert(
      fc.asyncProperty(extraFields, async (additions) => {
        const event = addExtraFields(envelope(realRecord('modify')), additions);
        await check(event);
        expect(standin.getEndpoint(REGION, ENDPOINT)?.logging.enabled).toBe(true);
      }),
      { ...RUN, numRuns: Math.ceil(RUN.numRuns / 2) },
    );
  });

  it('a 1 MiB event is handled like any other', async () => {
    const record = realRecord('modify');
    record.requestParameters.ModifyClientVpnEndpointRequest.Description = huge('<!channel> ');
    record.futureField = { blob: huge() };
    await check(envelope(record));
    expect(standin.getEndpoint(REGION, ENDPOINT)?.logging.enabled).toBe(true);

    const bad = realRecord('modify');
    bad.eventID = huge();
    await check(envelope(bad));
  });
});

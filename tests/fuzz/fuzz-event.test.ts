/**
 * Property-based tests of the event parser (parseTriggerEvent): whatever arrives, the answer is a
 * well-formed TriggerEvent or an InvalidEventError with a short, single-line, specific message;
 * never another exception. Real records with fields AWS may add later still parse, unchanged.
 */
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { InvalidEventError } from '../../src/domain/errors';
import { envelopeFromRecord, parseTriggerEvent, type TriggerEvent } from '../../src/domain/event';
import { ENDPOINT_ID_PATTERN } from '../../src/domain/patterns';
import {
  arbitraryInput,
  badEndpointId,
  counter,
  ENDPOINT_ID,
  envelope,
  extraFields,
  addExtraFields,
  fuzzRun,
  huge,
  mutate,
  mutation,
  otherEventName,
  realRecord,
  reportCounts,
  validEnvelope,
} from '../helpers/fuzz';

const counts = counter('inputs', 'parsed', 'invalid', 'ignored', 'crashes');
const RUN = fuzzRun(0x5eed1, 100);
afterAll(() => {
  reportCounts('fuzz-event', counts, RUN);
});

/** The longest error message a driver may have to log or print. */
const MAX_MESSAGE = 1_000;

type Result = { ok: true; trigger: TriggerEvent } | { ok: false; error: InvalidEventError };

/** Parses, checks the result's contract, and counts. Anything but InvalidEventError is a crash. */
function parse(input: unknown): Result {
  counts.inputs = (counts.inputs ?? 0) + 1;
  let result: Result;
  try {
    result = { ok: true, trigger: parseTriggerEvent(input) };
  } catch (error) {
    if (!(error instanceof InvalidEventError)) {
      counts.crashes = (counts.crashes ?? 0) + 1;
      throw new Error(`parseTriggerEvent threw ${String(error)}`, { cause: error });
    }
    result = { ok: false, error };
  }
  if (result.ok) {
    counts.parsed = (counts.parsed ?? 0) + 1;
    const t = result.trigger;
    expect(t.endpointId).toMatch(ENDPOINT_ID_PATTERN);
    expect(t.account).toMatch(/^\d{12}$/);
    expect(t.region).toMatch(/^[a-z]{2}(-[a-z]+)+-\d$/);
    expect(new Date(t.eventTime).toISOString()).toBe(t.eventTime);
    expect(['CreateClientVpnEndpoint', 'ModifyClientVpnEndpoint']).toContain(t.eventName);
    expect(t.eventId.length).toBeGreaterThan(0);
    expect(t.eventId.length).toBeLessThanOrEqual(128);
  } else {
    if (result.error.irrelevant) counts.ignored = (counts.ignored ?? 0) + 1;
    else counts.invalid = (counts.invalid ?? 0) + 1;
    const message = result.error.message;
    expect(message.trim()).not.toBe('');
    expect(message).not.toMatch(/[\r\n\u2028\u2029]/);
    expect(message.length).toBeLessThanOrEqual(MAX_MESSAGE);
  }
  return result;
}

describe('parseTriggerEvent under hostile input (property-based)', () => {
  it('arbitrary values: a TriggerEvent or a clear InvalidEventError, nothing else', () => {
    fc.assert(
      fc.property(arbitraryInput, (input) => {
        parse(input);
      }),
      { ...RUN, numRuns: RUN.numRuns * 2 },
    );
  });

  it('mutated real records (deleted, replaced, wrong-typed, huge fields): same contract', () => {
    fc.assert(
      fc.property(
        validEnvelope,
        fc.boolean(),
        fc.array(mutation, { minLength: 1, maxLength: 4 }),
        (event, bare, mutations) => {
          const input = bare ? envelopeFromRecord(mutate(event.detail, mutations), 'fuzz') : mutate(event, mutations);
          parse(input);
        },
      ),
      RUN,
    );
  });

  it('fields AWS may add later, at any depth, change nothing', () => {
    fc.assert(
      fc.property(validEnvelope, extraFields, (event, additions) => {
        const before = parse(event);
        const after = parse(addExtraFields(event, additions));
        expect(after).toEqual(before);
        expect(after.ok).toBe(true);
      }),
      RUN,
    );
  });

  it('malformed endpoint IDs are named as such; well-formed ones parse', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('create' as const, 'modify' as const),
        fc.oneof(badEndpointId, ENDPOINT_ID),
        (kind, id) => {
          const record = realRecord(kind);
          if (kind === 'create') record.responseElements.CreateClientVpnEndpointResponse.clientVpnEndpointId = id;
          else record.requestParameters.ModifyClientVpnEndpointRequest.ClientVpnEndpointId = id;
          const result = parse(envelope(record));
          if (ENDPOINT_ID_PATTERN.test(id)) {
            expect(result).toMatchObject({ ok: true, trigger: { endpointId: id } });
          } else {
            expect(result.ok).toBe(false);
            if (!result.ok) expect(result.error.message).toMatch(/is not a Client VPN endpoint ID|is missing/);
          }
        },
      ),
      RUN,
    );
  });

  it('unknown event names are ignored (not errors), with the name quoted and cut', () => {
    fc.assert(
      fc.property(otherEventName, (name) => {
        fc.pre(name !== 'CreateClientVpnEndpoint' && name !== 'ModifyClientVpnEndpoint');
        const record = realRecord('modify');
        record.eventName = name;
        const result = parse(envelope(record));
        expect(result.ok).toBe(false);
        if (!result.ok) {
          expect(result.error.irrelevant).toBe(true);
          expect(result.error.message).toMatch(/does not change connection logging; nothing to do$/);
        }
      }),
      RUN,
    );
  });

  it.each([
    ['eventName', 'Modify\u2028ClientVpnEndpoint'],
    ['eventName', 'x\r\ny'],
    ['eventSource', 'ec2\u2029amazonaws.com'],
    ['errorCode', 'Client.Bad\nInjected: line'],
    ['errorCode', 'Client.Bad\u2028line'],
  ])('a line break in %s stays out of the message (%j)', (field, value) => {
    const record = realRecord('modify');
    record[field] = value;
    const result = parse(envelope(record));
    expect(result.ok).toBe(false);
  });

  it('huge (1 MiB) values anywhere: answered quickly, message bounded', () => {
    const where = [
      ['detail', 'eventID'],
      ['detail', 'eventName'],
      ['detail', 'eventSource'],
      ['detail', 'eventTime'],
      ['detail', 'userAgent'],
      ['detail', 'errorCode'],
      ['detail', 'awsRegion'],
      ['detail', 'userIdentity', 'arn'],
      ['detail', 'userIdentity', 'type'],
      ['detail', 'requestParameters', 'ModifyClientVpnEndpointRequest', 'ClientVpnEndpointId'],
      ['detail', 'requestParameters', 'ModifyClientVpnEndpointRequest', 'Description'],
      ['detail', 'futureField'],
      ['account'],
      ['region'],
      ['id'],
      ['replay-name'],
    ];
    fc.assert(
      fc.property(fc.constantFrom(...where), fc.constantFrom('A', 'é', '😀', '\n', '<!channel> '), (path, unit) => {
        const event = envelope(realRecord('modify'));
        let node = event;
        for (const key of path.slice(0, -1)) node = node[key];
        node[path[path.length - 1] ?? ''] = huge(unit);
        const started = performance.now();
        const result = parse(event);
        expect(performance.now() - started).toBeLessThan(2_000);
        // Unknown and free-text fields are not the parser's business: the event still works.
        if (path.includes('Description') || path.includes('futureField') || path.includes('replay-name')) {
          expect(result.ok).toBe(true);
        }
      }),
      { ...RUN, numRuns: Math.min(RUN.numRuns, 80) },
    );
  });

  it('a record holding a 1 MiB payload in requestParameters still parses', () => {
    const record = realRecord('modify');
    record.requestParameters.ModifyClientVpnEndpointRequest.ClientRouteEnforcementOptions = { blob: huge() };
    record.additionalEventData = Array.from({ length: 1000 }, (_, i) => ({ i, pad: 'x'.repeat(1000) }));
    expect(parse(envelope(record)).ok).toBe(true);
  });
});

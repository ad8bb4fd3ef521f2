/** The example event the README's "Running the function locally" uses, and what the CLI makes of it. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Standin } from '../../standin/index';
import { envelope, modifyRecord } from '../helpers/events';
import { ENDPOINT, REGION, runCliAgainst, standinForAccount } from '../helpers/standin-runtime';

const EXAMPLE = join(import.meta.dirname, '..', '..', 'examples', 'modify-logging-off.json');
let standin: Standin;

beforeAll(async () => {
  standin = await standinForAccount();
});
afterAll(async () => {
  await standin.close();
});

describe('examples/modify-logging-off.json', () => {
  it('is the real fixture made successful, in the EventBridge envelope, as the tests build it', () => {
    expect(JSON.parse(readFileSync(EXAMPLE, 'utf8'))).toEqual(envelope(modifyRecord()));
  });

  it('turns logging back on for the endpoint the stand-in seeds, and alerts', async () => {
    standin.reset();
    standin.addEndpoint(REGION, { id: ENDPOINT, logging: { enabled: false } });
    const topic = standin.createTopic(REGION, 'cvpn-log-guard-dev-alerts');
    const r = await runCliAgainst(standin, ['replay', '--file', EXAMPLE, '--topic-arn', topic], { AWS_REGION: REGION });
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/^1 event: 1 remediated$/m);
    expect(standin.published(topic)).toHaveLength(1);
  });

  it('says that no alert went out when no topic is configured', async () => {
    standin.reset();
    standin.addEndpoint(REGION, { id: ENDPOINT, logging: { enabled: false } });
    const r = await runCliAgainst(standin, ['replay', '--file', EXAMPLE], { AWS_REGION: REGION });
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/^1 event: 1 remediated; no alerts sent \(no topic\)$/m);
  });
});

/**
 * `npm run demo`: the main job, offline. Starts the loopback AWS stand-in with one Client VPN
 * endpoint whose connection logging is off, sends a real-shaped console ModifyClientVpnEndpoint
 * event through the packaged Lambda with `serverless invoke local`, and shows what a person sees.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startStandin } from '../standin/index';
import { startDynalite } from '../tests/helpers/dynalite';
import { demoEvent, DEMO_ACCOUNT, DEMO_ENDPOINT, DEMO_REGION } from './demo-event';

const bold = (s: string) => (process.stdout.isTTY ? `\x1b[1m${s}\x1b[0m` : s);
const rule = (title: string) => { console.log(`\n${bold(`── ${title} `.padEnd(78, '─'))}`); };

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => { resolve({ code: code ?? 1, out }); });
  });
}

/** Renders the Amazon Q Developer custom notification roughly as Slack shows it. */
function renderChat(json: string): string {
  const msg = JSON.parse(json) as {
    content: { title: string; description: string; nextSteps?: string[] };
  };
  const steps = (msg.content.nextSteps ?? []).map((s) => `  • ${s}`).join('\n');
  return `${msg.content.title}\n${msg.content.description}${steps ? `\nNext steps:\n${steps}` : ''}`;
}

async function main(): Promise<number> {
  // The state table runs in dynalite (a DynamoDB implementation) on loopback, created from the packaged template.
  const dynalite = await startDynalite();
  const stateTable = await dynalite.createTable('cvpn-log-guard-demo-state');
  const standin = await startStandin({
    accountId: DEMO_ACCOUNT,
    callerArn: `arn:aws:sts::${DEMO_ACCOUNT}:assumed-role/cvpn-log-guard-dev-${DEMO_REGION}-lambdaRole/cvpn-log-guard-dev-remediate`,
  });
  const dir = mkdtempSync(join(tmpdir(), 'cvpn-demo-'));
  try {
    const topicArn = standin.createTopic(DEMO_REGION, 'cvpn-log-guard-dev-alerts');
    standin.addEndpoint(DEMO_REGION, {
      id: DEMO_ENDPOINT,
      description: 'onecloud-lawson',
      status: 'available',
      logging: { enabled: false },
      tags: { Name: 'onecloud-lawson' },
    });
    const eventPath = join(dir, 'event.json');
    writeFileSync(eventPath, JSON.stringify(demoEvent(), null, 2));

    rule('Before');
    console.log(`AWS stand-in on ${standin.url} (account ${DEMO_ACCOUNT}, region ${DEMO_REGION})`);
    console.log(`${DEMO_ENDPOINT}: connection logging ${standin.getEndpoint(DEMO_REGION, DEMO_ENDPOINT)?.logging.enabled ? 'ON' : 'OFF'}`);
    console.log('Event: a console ModifyClientVpnEndpoint by role KTOU_SwitchRole (requestParameters say logging off)');

    rule('serverless invoke local -f remediate');
    const started = Date.now();
    const { code, out } = await run(
      process.platform === 'win32' ? 'npx.cmd' : 'npx',
      ['serverless', 'invoke', 'local', '-f', 'remediate', '--path', eventPath, '--region', DEMO_REGION],
      {
        ...process.env,
        AWS_ENDPOINT_URL: standin.url,
        AWS_ENDPOINT_URL_DYNAMODB: dynalite.url,
        CVPN_STATE_TABLE: stateTable,
        AWS_ACCESS_KEY_ID: 'demo',
        AWS_SECRET_ACCESS_KEY: 'demo',
        AWS_REGION: DEMO_REGION,
        AWS_EC2_METADATA_DISABLED: 'true',
        CVPN_TOPIC_ARN: topicArn,
        POWERTOOLS_METRICS_DISABLED: 'true',
        SLS_TELEMETRY_DISABLED: '1',
        SLS_NOTIFICATIONS_MODE: 'off',
      },
    );
    const outcomeLine = out.split('\n').find((l) => l.includes('"Remediation outcome"'));
    if (outcomeLine) {
      const parsed = JSON.parse(outcomeLine) as { outcome: Record<string, unknown> };
      console.log('The one structured log line the function writes per event:');
      console.log(JSON.stringify(parsed.outcome, null, 2));
    } else {
      console.log(out.trim());
    }
    console.log(`(invoke local finished with exit code ${code} in ${((Date.now() - started) / 1000).toFixed(1)} s, bundling included)`);

    rule('AWS calls the function made');
    for (const c of standin.calls) {
      const extra = c.action === 'ModifyClientVpnEndpoint' ? `  ${JSON.stringify(c.params)}` : '';
      console.log(`${c.service.padEnd(5)} ${c.action.padEnd(28)} -> ${c.status}${c.errorCode ? ` ${c.errorCode}` : ''}${extra}`);
    }

    const published = standin.published(topicArn);
    for (const m of published) {
      const bodies = JSON.parse(m.message) as { default: string; email: string };
      rule('Email (the "email" protocol body)');
      console.log(`Subject: ${m.subject ?? ''}\n`);
      console.log(bodies.email);
      rule('Slack (Amazon Q Developer custom notification, rendered)');
      console.log(renderChat(bodies.default));
    }

    rule('After');
    const after = standin.getEndpoint(DEMO_REGION, DEMO_ENDPOINT)?.logging;
    const group = after?.logGroup ? standin.getLogGroup(DEMO_REGION, after.logGroup) : undefined;
    console.log(`${DEMO_ENDPOINT}: connection logging ${after?.enabled ? 'ON' : 'OFF'} -> ${after?.logGroup ?? '(none)'}`);
    if (group) console.log(`log group ${after?.logGroup}: retention ${group.retentionInDays ?? 'never expire'} days, tags ${JSON.stringify(group.tags ?? {})}`);
    const ok = code === 0 && after?.enabled === true && published.length === 1;
    console.log(ok ? '\nDemo OK: logging is back on and one alert went out.' : '\nDemo FAILED: see above.');
    return ok ? 0 : 1;
  } finally {
    await standin.close();
    await dynalite.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`demo failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);

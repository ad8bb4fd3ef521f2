import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { ConfiguredRetryStrategy } from '@smithy/util-retry';
import type { Context } from 'aws-lambda';
import { vi } from 'vitest';
import { runCli } from '../../src/cli/main';
import { createRemediateHandler } from '../../src/handlers/create-remediate-handler';
import type { AwsClientOptions } from '../../src/aws/clients';
import { parseSettings } from '../../src/app/config';
import { createRuntime, type Runtime } from '../../src/app/runtime';
import { startStandin, type Standin } from '../../standin/index';

export const ACCOUNT = '999999999999';
export const REGION = 'ap-northeast-1';
export const ENDPOINT = 'cvpn-endpoint-00979964d0389482a';
export const LAMBDA_ROLE = `cvpn-log-guard-test-${REGION}-lambdaRole`;
export const LAMBDA_CALLER_ARN = `arn:aws:sts::${ACCOUNT}:assumed-role/${LAMBDA_ROLE}/cvpn-log-guard-test-remediate`;

export async function standinForAccount(): Promise<Standin> {
  return startStandin({ accountId: ACCOUNT, callerArn: LAMBDA_CALLER_ARN });
}

/** Real SDK clients against the stand-in; same retry semantics as production, without the waiting. */
export function clientOptionsFor(standin: Standin): AwsClientOptions {
  return {
    endpoint: standin.url,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    retryStrategy: new ConfiguredRetryStrategy(3, 5),
  };
}

export function runtimeFor(
  standin: Standin,
  env: Record<string, string>,
  ignoreOwnRole = true,
): Runtime {
  return createRuntime({
    settings: parseSettings(env),
    homeRegion: REGION,
    clientOptions: clientOptionsFor(standin),
    ignoreOwnRole,
    overrides: { verifyDelaysMs: [0, 0], propagationDelaysMs: [0, 0], sleep: async () => {} },
  });
}

export function lambdaContext(): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: 'cvpn-log-guard-test-remediate',
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:cvpn-log-guard-test-remediate`,
    memoryLimitInMB: '256',
    awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
    logGroupName: '/aws/lambda/cvpn-log-guard-test-remediate',
    logStreamName: '2026/11/26/[$LATEST]abcdef',
    getRemainingTimeInMillis: () => 60_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/** A handler wired like production, with its log lines captured for assertions. */
export function handlerFor(runtime: Runtime) {
  const logger = new Logger({ serviceName: 'cvpn-log-guard', logLevel: 'SILENT' });
  const lines: { level: string; message: string; attributes: unknown }[] = [];
  for (const level of ['info', 'warn', 'error'] as const) {
    vi.spyOn(logger, level).mockImplementation((message: unknown, ...rest: unknown[]) => {
      lines.push({ level, message: String(message), attributes: rest[0] });
    });
  }
  const metrics = new Metrics({ namespace: 'CvpnLogGuardTest', serviceName: 'cvpn-log-guard' });
  const handler = createRemediateHandler({ runtime, logger, metrics });
  return { handler, lines, metrics };
}

export interface CliRun {
  code: number;
  stdout: string[];
  stderr: string[];
  out: string;
  err: string;
}

/** Runs the CLI in process against the stand-in, capturing what it prints. */
export async function runCliAgainst(standin: Standin, args: string[], env: Record<string, string | undefined>): Promise<CliRun> {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const code = await runCli(args, {
    stdout: (l) => stdout.push(l),
    stderr: (l) => stderr.push(l),
    env,
    clientOptions: clientOptionsFor(standin),
    fastWaits: true,
  });
  return { code, stdout, stderr, out: stdout.join('\n'), err: stderr.join('\n') };
}

import { FailureQueue, type QueueMessage } from '../app/services';
import { AwsCallError } from '../domain/errors';
import { plainText } from '../util/plain-text';
import { ensureCredentials, type CliContext } from './context';
import { EXIT_FAILED, EXIT_OK } from './io';
import { formatResultLine, isFailure, jsonResult, noTopicNote, replayOne, resultKey, type ReplayResult } from './replay';
import { UsageError } from './usage-error';

/** Long enough to process a batch; kept messages are made visible again right after. */
const VISIBILITY_SECONDS = 300;
const BATCH = 10;

interface Redriven {
  messageId: string;
  result?: ReplayResult;
  deleted: boolean;
  why?: string;
}

/**
 * The original event inside an on-failure record. Lambda's destination record carries it as
 * `requestPayload`; a bare event (sent by hand) is accepted too.
 */
function eventOf(body: string): { event?: unknown; why?: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return { why: 'message body is not JSON' };
  }
  if (typeof parsed === 'object' && parsed !== null && 'requestPayload' in parsed) {
    return { event: (parsed).requestPayload };
  }
  return { event: parsed };
}

function queueRegion(url: string, fallback: string | undefined): string | undefined {
  return /^https?:\/\/sqs[.-]([a-z]{2}(?:-[a-z]+)+-\d{1,2})\./.exec(url)?.[1] ?? fallback;
}

async function resolveQueueUrl(ctx: CliContext): Promise<{ url: string; region: string }> {
  const given = ctx.flags['queue-url'] ?? ctx.io.env.CVPN_FAILURE_QUEUE_URL;
  if (given) {
    const region = queueRegion(given, ctx.home);
    if (!region) throw new UsageError('cannot tell the queue\'s region: pass --region');
    return { url: given, region };
  }
  if (!ctx.home) throw new UsageError('pass --queue-url (the stack output FailureQueueUrl), or --region and --stage');
  const name = `cvpn-log-guard-${ctx.flags.stage ?? 'dev'}-failed-events`;
  // Before the lookup, whose failures read as "no such queue".
  await ensureCredentials(ctx);
  try {
    const url = await FailureQueue.find(ctx.runtime, ctx.home, name);
    if (!url) throw new UsageError(`queue ${name} has no URL`);
    return { url, region: ctx.home };
  } catch (error) {
    if (!(error instanceof AwsCallError)) throw error;
    throw new UsageError(`cannot find the failure queue ${name} in ${ctx.home} (${error.code}); pass --queue-url`);
  }
}

/**
 * `redrive`: re-processes the events parked in the remediate function's on-failure queue and
 * deletes only those that now succeed; the rest stay, with the reason.
 */
export async function redrive(ctx: CliContext): Promise<number> {
  const { url, region } = await resolveQueueUrl(ctx);
  await ensureCredentials(ctx);
  const queue = new FailureQueue(ctx.runtime, region, url);
  const done: Redriven[] = [];
  const seen = new Set<string>();
  const kept: QueueMessage[] = [];
  const dryRun = ctx.flags['dry-run'];

  for (;;) {
    const batch = await queue.receive(BATCH, VISIBILITY_SECONDS);
    const fresh = batch.filter((m) => !seen.has(m.messageId));
    if (fresh.length === 0) break;
    for (const message of fresh) {
      const { messageId } = message;
      seen.add(messageId);
      const { event, why } = eventOf(message.body);
      if (why !== undefined) {
        done.push({ messageId, deleted: false, why });
        kept.push(message);
        continue;
      }
      const result = await replayOne(ctx.runtime, { where: `message ${messageId}`, event, time: 0 }, !dryRun);
      ctx.progress.update(region, { messages: done.length + 1 });
      const succeeded = !isFailure(result) && result.kind !== 'ignored';
      if (succeeded && !dryRun) {
        try {
          await queue.delete(message);
          done.push({ messageId, result, deleted: true });
          continue;
        } catch (error) {
          if (!(error instanceof AwsCallError)) throw error;
          done.push({ messageId, result, deleted: false, why: `processed, but could not delete: ${error.code}` });
          continue;
        }
      }
      done.push({ messageId, result, deleted: false, why: dryRun ? 'dry run' : resultKey(result) });
      kept.push(message);
    }
  }
  // What stays becomes visible again at once, for the alarm and the next redrive.
  for (const message of kept) {
    try {
      await queue.release(message);
    } catch {
      // It reappears on its own after the visibility timeout.
    }
  }
  ctx.progress.done();

  const left = done.filter((d) => !d.deleted);
  if (ctx.flags.json) {
    for (const d of done) {
      ctx.io.stdout(
        JSON.stringify({ kind: 'message', messageId: d.messageId, deleted: d.deleted, why: d.why, result: d.result ? JSON.parse(jsonResult(d.result)) as unknown : undefined }),
      );
    }
  } else {
    for (const d of done) {
      const line = d.result ? formatResultLine(d.result) : `invalid           message ${d.messageId}: ${d.why ?? ''}`;
      ctx.out(`${d.deleted ? 'deleted' : 'kept   '} ${line}`);
    }
    ctx.io.stdout(
      `${done.length} message${done.length === 1 ? '' : 's'} in ${plainText(url, 200)}: ${done.length - left.length} now succeeded and deleted, ${left.length} left` +
        noTopicNote(done.flatMap((d) => (d.result ? [d.result] : []))) +
        (dryRun ? ' (dry run: nothing changed, nothing deleted)' : ''),
    );
  }
  return left.length > 0 && !dryRun ? EXIT_FAILED : EXIT_OK;
}

import { readFile } from 'node:fs/promises';
import { UsageError } from './usage-error';

/** Large enough for a day of CloudTrail exports; small enough to fail clearly instead of swapping. */
export const MAX_FILE_BYTES = 64 * 1024 * 1024;

export interface LoadedEvents {
  events: unknown[];
  /** Entries that could not be read as events, with where they were and why. */
  unreadable: { where: string; reason: string }[];
}

async function readAll(path: string): Promise<Buffer> {
  if (path === '-') {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of process.stdin) {
      const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
      size += buf.length;
      if (size > MAX_FILE_BYTES) throw new UsageError(`standard input is larger than ${MAX_FILE_BYTES} bytes`);
      chunks.push(buf);
    }
    return Buffer.concat(chunks);
  }
  try {
    const buf = await readFile(path);
    if (buf.length > MAX_FILE_BYTES) {
      throw new UsageError(`${path} is larger than ${MAX_FILE_BYTES / 1024 / 1024} MiB; split it`);
    }
    return buf;
  } catch (error) {
    if (error instanceof UsageError) throw error;
    const code = (error as { code?: unknown }).code;
    if (code === 'ENOENT') throw new UsageError(`${path}: no such file`);
    if (code === 'EISDIR') throw new UsageError(`${path} is a directory, not an event file`);
    if (code === 'EACCES') throw new UsageError(`${path}: permission denied`);
    throw new UsageError(`${path}: cannot read (${String(code ?? error)})`);
  }
}

function describeJsonError(error: unknown): string {
  return error instanceof Error ? error.message.replace(/\s+/g, ' ').slice(0, 200) : 'not valid JSON';
}

/**
 * Unwraps the containers events are saved in: a trail's S3 file (`{"Records": [...]}`) and the
 * output of `aws cloudtrail lookup-events` (`{"Events": [{"CloudTrailEvent": "<json>"}]}`).
 */
function unwrap(value: unknown, where: string, out: LoadedEvents): void {
  if (Array.isArray(value)) {
    value.forEach((item, i) => {
      unwrap(item, `${where}[${i}]`, out);
    });
    return;
  }
  if (typeof value === 'object' && value !== null) {
    const o = value as Record<string, unknown>;
    if (Array.isArray(o.Records) && !('detail' in o)) {
      o.Records.forEach((item, i) => {
        unwrap(item, `${where}.Records[${i}]`, out);
      });
      return;
    }
    if (Array.isArray(o.Events) && !('detail' in o)) {
      o.Events.forEach((item, i) => {
        unwrap(item, `${where}.Events[${i}]`, out);
      });
      return;
    }
    if (typeof o.CloudTrailEvent === 'string') {
      try {
        out.events.push(JSON.parse(o.CloudTrailEvent));
      } catch (error) {
        out.unreadable.push({ where: `${where}.CloudTrailEvent`, reason: describeJsonError(error) });
      }
      return;
    }
  }
  out.events.push(value);
}

/**
 * Reads saved events: one JSON object, a JSON array, or JSON lines. A file that is not JSON at
 * all is a usage error; in JSON lines, each bad line is reported and the rest still run.
 */
export async function loadEventFile(path: string): Promise<LoadedEvents> {
  const buf = await readAll(path);
  const name = path === '-' ? 'standard input' : path;
  if (buf.includes(0)) throw new UsageError(`${name} is binary, not JSON events`);
  const text = buf.toString('utf8').replace(/^\uFEFF/, '');
  if (text.trim() === '') throw new UsageError(`${name} is empty: expected JSON events`);

  const out: LoadedEvents = { events: [], unreadable: [] };
  try {
    unwrap(JSON.parse(text), 'file', out);
    return out;
  } catch (wholeError) {
    const lines = text.split(/\r?\n/);
    const nonEmpty = lines.filter((l) => l.trim() !== '').length;
    if (nonEmpty <= 1) {
      throw new UsageError(`${name} is not valid JSON: ${describeJsonError(wholeError)}`);
    }
    lines.forEach((line, i) => {
      if (line.trim() === '') return;
      try {
        unwrap(JSON.parse(line), `line ${i + 1}`, out);
      } catch (error) {
        out.unreadable.push({ where: `line ${i + 1}`, reason: `not valid JSON: ${describeJsonError(error)}` });
      }
    });
    if (out.events.length === 0) {
      throw new UsageError(
        `${name} is neither JSON nor JSON lines: ${out.unreadable[0]?.where ?? 'line 1'}: ${out.unreadable[0]?.reason ?? describeJsonError(wholeError)}`,
      );
    }
    return out;
  }
}

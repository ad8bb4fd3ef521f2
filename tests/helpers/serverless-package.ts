/**
 * Runs `serverless package` offline and reads what it produced: the CloudFormation template and
 * the function zips. Shared by the packaging tests.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire, isBuiltin } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { inflateRawSync } from 'node:zlib';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SERVERLESS_BIN = path.join(REPO_ROOT, 'node_modules', 'osls', 'bin', 'serverless.js');

export type CfnValue = unknown;
export interface CfnResource {
  Type: string;
  Properties?: Record<string, CfnValue>;
  Condition?: string;
  DependsOn?: string | string[];
}
export interface CfnTemplate {
  Resources: Record<string, CfnResource>;
  Conditions?: Record<string, CfnValue>;
  Outputs?: Record<string, { Value: CfnValue; Description?: string }>;
}

export interface ServerlessRun {
  code: number | null;
  stdout: string;
  stderr: string;
  output: string;
}

/**
 * An environment with no real AWS identity: fake keys, no instance-metadata probing, no
 * telemetry, and none of the CVPN_* overrides (serverless.yml refuses to package with them).
 */
export function offlineEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (key.startsWith('CVPN_') || key.startsWith('AWS_')) continue;
    env[key] = value;
  }
  return {
    ...env,
    AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    AWS_EC2_METADATA_DISABLED: 'true',
    SLS_TELEMETRY_DISABLED: '1',
    SLS_NOTIFICATIONS_MODE: 'off',
    ...extra,
  };
}

/** Runs the project's own osls with the given arguments; never rejects on a non-zero exit. */
export function runServerless(
  args: string[],
  options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<ServerlessRun> {
  const timeoutMs = options.timeoutMs ?? 90_000;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [SERVERLESS_BIN, ...args], {
      cwd: REPO_ROOT,
      env: options.env ?? offlineEnv(),
      // osls must not wait for a terminal.
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`serverless ${args.join(' ')} did not finish in ${timeoutMs} ms\n${stdout}${stderr}`));
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, output: stdout + stderr });
    });
  });
}

export interface PackagedService {
  dir: string;
  template: CfnTemplate;
  zipPath(functionName: string): string;
  cleanup(): void;
}

/** `serverless package --package <fresh temp dir> ...args`; throws with osls's output on failure. */
export async function packageService(args: string[]): Promise<PackagedService> {
  const dir = mkdtempSync(path.join(tmpdir(), 'cvpn-package-'));
  const run = await runServerless(['package', '--package', dir, ...args]);
  if (run.code !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`serverless package ${args.join(' ')} exited with ${run.code}:\n${run.output}`);
  }
  return {
    dir,
    template: loadTemplate(dir),
    zipPath: (functionName) => path.join(dir, `${functionName}.zip`),
    cleanup: () => {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function loadTemplate(packageDir: string): CfnTemplate {
  return JSON.parse(
    readFileSync(path.join(packageDir, 'cloudformation-template-update-stack.json'), 'utf8'),
  ) as CfnTemplate;
}

/** Logical IDs of the resources of one type. */
export function resourcesOfType(template: CfnTemplate, type: string): [string, CfnResource][] {
  return Object.entries(template.Resources).filter(([, r]) => r.Type === type);
}

export function onlyResourceOfType(template: CfnTemplate, type: string): [string, CfnResource] {
  const found = resourcesOfType(template, type);
  if (found.length !== 1) throw new Error(`expected one ${type}, found ${found.length}`);
  return found[0] as [string, CfnResource];
}

export interface IamStatement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: CfnValue;
  NotResource?: CfnValue;
  Principal?: CfnValue;
  Condition?: Record<string, Record<string, CfnValue>>;
}

const isNoValue = (v: CfnValue): boolean =>
  typeof v === 'object' && v !== null && (v as { Ref?: unknown }).Ref === 'AWS::NoValue';

const fnIf = (v: CfnValue): [string, CfnValue, CfnValue] | undefined => {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return undefined;
  const args = (v as Record<string, unknown>)['Fn::If'];
  return Array.isArray(args) && args.length === 3 ? (args as [string, CfnValue, CfnValue]) : undefined;
};

/**
 * Statements of a policy document, with statement-level `Fn::If`s opened up: both branches
 * count (whichever the condition picks must be acceptable), `AWS::NoValue` drops out.
 */
export function statementsOf(document: CfnValue): IamStatement[] {
  const list = (document as { Statement?: CfnValue }).Statement;
  const raw = Array.isArray(list) ? list : [list];
  const out: IamStatement[] = [];
  const visit = (s: CfnValue): void => {
    const branches = fnIf(s);
    if (branches) {
      visit(branches[1]);
      visit(branches[2]);
    } else if (!isNoValue(s)) {
      out.push(s as IamStatement);
    }
  };
  raw.forEach(visit);
  return out;
}

/** Every statement granted to a role: its inline policies plus AWS::IAM::Policy resources attached to it. */
export function roleStatements(template: CfnTemplate, roleLogicalId: string): IamStatement[] {
  const role = template.Resources[roleLogicalId];
  if (!role || role.Type !== 'AWS::IAM::Role') throw new Error(`no role ${roleLogicalId}`);
  const inline = (role.Properties?.Policies ?? []) as { PolicyDocument: CfnValue }[];
  const attached = resourcesOfType(template, 'AWS::IAM::Policy')
    .filter(([, p]) =>
      ((p.Properties?.Roles ?? []) as CfnValue[]).some(
        (r) => JSON.stringify(r) === JSON.stringify({ Ref: roleLogicalId }),
      ),
    )
    .map(([, p]) => p.Properties?.PolicyDocument);
  return [...inline.map((p) => p.PolicyDocument), ...attached].flatMap(statementsOf);
}

export const asArray = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/**
 * The resources a statement names, with resource-level `Fn::If`s opened up (both branches;
 * empty strings, the unused branch of an optional parameter, dropped).
 */
export function resourcesOf(statement: IamStatement): CfnValue[] {
  const out: CfnValue[] = [];
  const visit = (r: CfnValue): void => {
    const branches = fnIf(r);
    if (branches) {
      visit(branches[1]);
      visit(branches[2]);
    } else if (r !== '' && !isNoValue(r)) {
      out.push(r);
    }
  };
  asArray(statement.Resource).forEach(visit);
  return out;
}

/** A resource as text: plain strings as they are, `{"Fn::Sub": "..."}` as its pattern. */
export function resourceText(r: CfnValue): string {
  if (typeof r === 'string') return r;
  const sub = (r as { 'Fn::Sub'?: unknown })['Fn::Sub'];
  if (typeof sub === 'string') return sub;
  return JSON.stringify(r);
}

export interface ZipEntry {
  name: string;
  method: number;
  compressedSize: number;
  size: number;
  localHeaderOffset: number;
}

/** Reads a zip's central directory (no zip64, which no Lambda package needs). */
export function readZipEntries(zip: Buffer): ZipEntry[] {
  const EOCD = 0x06054b50;
  let eocd = -1;
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 22 - 0xffff); i--) {
    if (zip.readUInt32LE(i) === EOCD) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error('not a zip file (no end-of-central-directory record)');
  const count = zip.readUInt16LE(eocd + 10);
  let offset = zip.readUInt32LE(eocd + 16);
  const entries: ZipEntry[] = [];
  for (let i = 0; i < count; i++) {
    if (zip.readUInt32LE(offset) !== 0x02014b50) throw new Error(`bad central-directory entry ${i}`);
    const nameLength = zip.readUInt16LE(offset + 28);
    const extraLength = zip.readUInt16LE(offset + 30);
    const commentLength = zip.readUInt16LE(offset + 32);
    entries.push({
      method: zip.readUInt16LE(offset + 10),
      compressedSize: zip.readUInt32LE(offset + 20),
      size: zip.readUInt32LE(offset + 24),
      localHeaderOffset: zip.readUInt32LE(offset + 42),
      name: zip.toString('utf8', offset + 46, offset + 46 + nameLength),
    });
    offset += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

/** The uncompressed bytes of one entry (stored or deflated). */
export function readZipEntry(zip: Buffer, entry: ZipEntry): Buffer {
  const at = entry.localHeaderOffset;
  if (zip.readUInt32LE(at) !== 0x04034b50) throw new Error(`bad local header for ${entry.name}`);
  const start = at + 30 + zip.readUInt16LE(at + 26) + zip.readUInt16LE(at + 28);
  const data = zip.subarray(start, start + entry.compressedSize);
  if (entry.method === 0) return Buffer.from(data);
  if (entry.method === 8) return inflateRawSync(data);
  throw new Error(`unsupported compression method ${entry.method} for ${entry.name}`);
}

export interface LoadedBundle {
  exports: Record<string, unknown>;
  /** Every module the bundle asked for while loading. */
  requested: string[];
}

/**
 * Evaluates a CommonJS bundle the way Lambda would load it, with `env` as process.env (restored
 * afterwards), and a `require` that serves Node built-ins only: anything else means the bundle
 * is not self-contained and the load fails.
 */
export function loadBundle(code: string, filename: string, env: NodeJS.ProcessEnv): LoadedBundle {
  const requested: string[] = [];
  const hostRequire = createRequire(import.meta.url);
  const bundleRequire = (id: string): unknown => {
    requested.push(id);
    if (!isBuiltin(id)) throw new Error(`the bundle requires "${id}", which is not bundled`);
    return hostRequire(id);
  };
  const module = { exports: {} as Record<string, unknown> };
  const saved = process.env;
  process.env = { ...env };
  try {
    // eslint-disable-next-line @typescript-eslint/no-implied-eval -- evaluating the build output is the point
    const wrapper = new Function('exports', 'require', 'module', '__filename', '__dirname', code) as (
      ...args: unknown[]
    ) => void;
    wrapper(module.exports, bundleRequire, module, filename, path.dirname(filename));
  } finally {
    process.env = saved;
  }
  return { exports: module.exports, requested };
}

import type { RemediationOutcome } from '../domain/outcome';
import { announce, SCAN_POLICY } from '../app/announce';
import { Fleet } from '../app/fleet';
import { ACCOUNT_CONCURRENCY, guardedAccounts, scanAccounts, type AccountScan, type AccountTarget } from '../app/fleet-scan';
import { scanRegion, type RegionScan, type ScanRow } from '../app/services';
import { DEFAULT_MEMBER_ROLE_NAME } from '../domain/settings';
import { plainText } from '../util/plain-text';
import { ensureCredentials, type CliContext } from './context';
import { EXIT_FAILED, EXIT_OK } from './io';
import { table, wrapText } from './progress';
import { parseRegionList, resolveRegions } from './regions';
import { UsageError } from './usage-error';
import { failedRegionsNote, longError, NO_TOPIC_NOTE, plural, rethrowCredentialFailure, shortError, type RegionFailure } from './summary';

/**
 * Six columns fit 80: the 32-character endpoint ID (kept whole, to be copied) leaves room for five
 * short ones; log group, last records, exemption and status go on a detail line below the row.
 * Upper case marks what needs someone.
 */
const HEADER = ['endpoint', 'logs', 'retention', 'key', 'delivers', 'result'];

const KEY_CELL: Record<NonNullable<ScanRow['keyStatus']>, string> = {
  ok: 'ok',
  none: 'none',
  unencrypted: 'NONE',
  'other-key': 'OTHER',
  unusable: 'UNUSABLE',
  unknown: '?',
};

const RESULT_CELL: Partial<Record<RemediationOutcome['action'], string>> = {
  remediated: 'fixed',
  'retention-raised': 'raised',
  failed: 'FAILED',
  'would-remediate': 'dry-run',
  'already-compliant': 'ok',
  'skipped-deleted': 'gone',
  'not-found': 'gone',
  exempt: 'exempt',
};

function retentionCell(row: ScanRow): string {
  if (!row.loggingEnabled || row.logGroupExists !== true) return '-';
  if (row.retentionDays === undefined) return 'never';
  return row.retentionMeets === false && row.requiredRetentionDays !== undefined
    ? `${row.retentionDays} d <${row.requiredRetentionDays}`
    : `${row.retentionDays} d`;
}

function cells(row: ScanRow): string[] {
  const delivers = row.delivering === undefined ? '-' : row.delivering === 'yes' ? 'yes' : row.delivering === 'no' ? 'NO' : '?';
  const result = row.outcome ? (RESULT_CELL[row.outcome.action] ?? 'NO') : row.compliant ? 'ok' : 'NO';
  return [row.endpointId, row.loggingEnabled ? 'on' : 'OFF', retentionCell(row), row.keyStatus ? KEY_CELL[row.keyStatus] : '-', delivers, result];
}

function detail(row: ScanRow): string | undefined {
  const parts: string[] = [];
  if (row.logGroup !== undefined) parts.push(`${plainText(row.logGroup, 200)}${row.logGroupExists === false ? ' (MISSING)' : ''}`);
  if (row.lastIngestionTime) parts.push(`last records ${row.lastIngestionTime.slice(0, 16).replace('T', ' ')} UTC`);
  if (row.exemption) parts.push(plainText(row.exemption.replace(/^yes/, 'exempt').replace(/^not honoured/, 'exemption not honoured'), 80));
  if (row.status !== 'available') parts.push(row.status);
  return parts.length > 0 ? wrapText(`  ${parts.join(' · ')}`, 80, '    ') : undefined;
}

function regionTable(heading: string, rows: ScanRow[]): string {
  const lines = table(HEADER, rows.map(cells)).split('\n');
  const out = [heading, ...lines.slice(0, 2)];
  rows.forEach((row, i) => {
    out.push(lines[i + 2] ?? '');
    const more = detail(row);
    if (more) out.push(more);
  });
  return out.join('\n');
}

/**
 * `scan`: every endpoint in every region asked, with its logging, log group and exemption. With
 * `--apply`, non-compliant endpoints are remediated through the core, alerts included.
 */
export async function scan(ctx: CliContext): Promise<number> {
  if (ctx.flags.org || ctx.flags.accounts) return scanAccountsCommand(ctx);
  const regions = await resolveRegions(ctx.flags.regions, ctx.home, ctx.runtime);
  await ensureCredentials(ctx);
  const notifyErrors: string[] = [];
  let unannounced = 0;
  const alertFor = async (outcome: RemediationOutcome): Promise<void> => {
    const sent = await announce(ctx.runtime, outcome, SCAN_POLICY);
    if (sent.status === 'unsent') notifyErrors.push(`${outcome.endpointId}: ${sent.error.message}`);
    if (sent.status === 'not-announced' && sent.why === 'no-topic') unannounced++;
  };
  ctx.progress.start(regions.length, 'regions');
  const scans = await Promise.all(
    regions.map(async (region): Promise<{ scan: RegionScan; failure?: RegionFailure }> => {
      try {
        return {
          scan: await scanRegion(ctx.runtime, region, {
            apply: ctx.flags.apply,
            deliveryCheck: !ctx.flags['no-delivery-check'],
            onOutcome: alertFor,
            onProgress: (p) => {
              ctx.progress.update(region, { endpoints: p.endpoints, fixed: p.remediated, failed: p.failed });
            },
          }),
        };
      } catch (error) {
        return { scan: { region, rows: [], pages: 0 }, failure: { region, error } };
      } finally {
        ctx.progress.step();
      }
    }),
  );
  ctx.progress.done();

  const rows = scans.flatMap((s) => s.scan.rows);
  const nonCompliant = rows.filter((r) => !r.compliant);
  const failures = scans.flatMap((s) => (s.failure ? [s.failure] : []));
  rethrowCredentialFailure(failures);
  if (ctx.flags.json) {
    for (const r of rows) ctx.io.stdout(JSON.stringify({ kind: 'endpoint', ...r }));
    for (const f of failures) ctx.io.stdout(JSON.stringify({ kind: 'region-error', region: f.region, error: longError(f.error) }));
  } else {
    for (const { scan: region } of scans) {
      if (region.rows.length > 0) ctx.out(`${regionTable(region.region, region.rows)}\n`);
    }
    for (const r of nonCompliant) {
      ctx.out(`NON-COMPLIANT ${r.endpointId} (${r.region})\n${wrapText(`  ${plainText(r.problem ?? '', 300)}`)}`);
    }
    for (const f of failures) ctx.io.stdout(wrapText(`error in ${f.region}: ${plainText(longError(f.error), 300)}`));
    for (const e of notifyErrors) ctx.io.stdout(wrapText(`alert NOT sent for ${plainText(e, 300)}`));
    const fixed = rows.filter((r) => r.outcome?.action === 'remediated').length;
    // Counts of a run where a region could not be read describe only what was read; with nothing
    // read at all they would read as "all fine", so they are left out.
    const counts =
      failures.length > 0 && rows.length === 0
        ? ''
        : `: ${rows.length - nonCompliant.length} compliant${ctx.flags.apply ? ` (${fixed} fixed now)` : ''}, ${nonCompliant.length} non-compliant` +
          (!ctx.flags.apply && nonCompliant.length > 0 ? '; run with --apply to fix' : '');
    ctx.io.stdout(
      wrapText(
        `${plural(rows.length, 'endpoint')} in ${plural(regions.length, 'region')}${failedRegionsNote(failures)}${counts}` +
          (unannounced > 0 ? `; ${NO_TOPIC_NOTE}` : ''),
      ),
    );
  }
  return nonCompliant.length > 0 || failures.length > 0 || notifyErrors.length > 0 ? EXIT_FAILED : EXIT_OK;
}

/** "111111111111 (Prod)": the account as a heading shows it (the name cut, made plain). */
function accountLabel(account: string, name: string | undefined): string {
  return name ? `${account} (${plainText(name, 40)})` : account;
}

/** `--regions` for many accounts: a list for every account, `all` = each account's own enabled regions, none = the home region. */
function regionsForAccounts(spec: string | undefined, home: string): string[] | undefined {
  if (spec === undefined) return [home];
  if (spec.trim() === 'all') return undefined;
  const { regions, invalid } = parseRegionList(spec);
  if (invalid.length > 0) throw new UsageError(`--regions: not region names: ${invalid.join(', ')}`);
  if (regions.length === 0) throw new UsageError('--regions needs a list such as eu-west-1,us-east-1, or all');
  return regions;
}

/**
 * `scan --org` / `scan --accounts`: the same scan in every account, through the member role (one
 * AssumeRole per account per run; the account the CLI runs in uses its own credentials). An
 * account whose role can't be assumed is reported and fails the run; the others go on.
 */
async function scanAccountsCommand(ctx: CliContext): Promise<number> {
  const home = ctx.home;
  if (!home) throw new UsageError('--org and --accounts need a region to ask STS and Organizations in: pass --region or set AWS_REGION');
  const regions = regionsForAccounts(ctx.flags.regions, home);
  await ensureCredentials(ctx);
  const roleName = ctx.flags['role-name'] ?? DEFAULT_MEMBER_ROLE_NAME;
  const fleet = new Fleet({
    settings: { ...ctx.settings, memberRoleName: roleName, accounts: ctx.flags.accounts },
    clients: ctx.runtime.clients,
    homeRegion: home,
    sessionName: 'cvpn-log-guard-cli',
    ignoreOwnRole: false,
  });
  try {
    const central = (await ctx.runtime.core.identity(home)).account;
    const listed = ctx.flags.accounts;
    const targets: AccountTarget[] = listed
      ? await Promise.all(listed.map(async (id) => ({ id, ...(await nameOf(fleet, id)) })))
      : await guardedAccounts(fleet, central);
    const notifyErrors: string[] = [];
    let unannounced = 0;
    const alertFor = async (outcome: RemediationOutcome): Promise<void> => {
      const sent = await announce(ctx.runtime, outcome, SCAN_POLICY);
      if (sent.status === 'unsent') notifyErrors.push(`${outcome.endpointId} (${outcome.account}): ${sent.error.message}`);
      if (sent.status === 'not-announced' && sent.why === 'no-topic') unannounced++;
    };
    ctx.progress.start(targets.length, 'accounts');
    const scans = await scanAccounts(ctx.runtime, fleet, targets, {
      ...(regions ? { regions } : {}),
      askIn: home,
      concurrency: ACCOUNT_CONCURRENCY,
      scan: { apply: ctx.flags.apply, deliveryCheck: !ctx.flags['no-delivery-check'], onOutcome: alertFor },
      onAccountDone: () => {
        ctx.progress.step();
      },
    });
    ctx.progress.done();
    return report(ctx, scans, notifyErrors, unannounced);
  } finally {
    fleet.destroy();
  }
}

/**
 * AWS's AccessDenied message quotes two ARNs that no 80-column line can hold, and says nothing a
 * person can act on: the code and what to do instead (`--json` carries the whole message).
 */
function accountErrorText(s: AccountScan): string {
  const error = s.error;
  if (!error) return '';
  if (!s.roleArn) return `could not be scanned: ${plainText(shortError(error), 300)}`;
  const hint =
    error.code === 'AccessDenied'
      ? ' (the role is missing there or does not trust this caller: deploy the member stack set to the account, ' +
        'or deploy/member-template.json by hand in the management account, with this role in OperatorRoleArns)'
      : '';
  return `could not assume ${s.roleArn}: ${plainText(error.code, 100)}${hint}`;
}

async function nameOf(fleet: Fleet, account: string): Promise<{ name?: string }> {
  const name = await fleet.directory.nameOf(account);
  return name ? { name } : {};
}

function report(ctx: CliContext, scans: AccountScan[], notifyErrors: string[], unannounced: number): number {
  const entered = scans.filter((s) => !s.error);
  const refused = scans.filter((s) => s.error);
  const accountRegions = entered.flatMap((s) => s.regions.map((r) => ({ account: s, ...r })));
  const failures: RegionFailure[] = accountRegions.flatMap((r) => (r.error ? [{ region: `${r.account.account} ${r.region}`, error: r.error }] : []));
  rethrowCredentialFailure(failures);
  const rows = accountRegions.flatMap((r) => (r.scan?.rows ?? []).map((row) => ({ account: r.account, row })));
  const nonCompliant = rows.filter((r) => !r.row.compliant);
  if (ctx.flags.json) {
    for (const { account, row } of rows) {
      ctx.io.stdout(JSON.stringify({ kind: 'endpoint', account: account.account, accountName: account.accountName, ...row }));
    }
    for (const s of refused) {
      ctx.io.stdout(JSON.stringify({ kind: 'account-error', account: s.account, accountName: s.accountName, roleArn: s.roleArn, error: longError(s.error) }));
    }
    for (const f of failures) ctx.io.stdout(JSON.stringify({ kind: 'region-error', region: f.region, error: longError(f.error) }));
  } else {
    for (const r of accountRegions) {
      if (r.scan && r.scan.rows.length > 0) ctx.out(`${regionTable(`${accountLabel(r.account.account, r.account.accountName)} ${r.region}`, r.scan.rows)}\n`);
    }
    for (const { account, row } of nonCompliant) {
      ctx.out(`NON-COMPLIANT ${row.endpointId} (${account.account} ${row.region})\n${wrapText(`  ${plainText(row.problem ?? '', 300)}`)}`);
    }
    for (const s of refused) {
      ctx.io.stdout(wrapText(`error in account ${accountLabel(s.account, s.accountName)}: ${accountErrorText(s)}`));
    }
    for (const f of failures) ctx.io.stdout(wrapText(`error in ${f.region}: ${plainText(longError(f.error), 300)}`));
    for (const e of notifyErrors) ctx.io.stdout(wrapText(`alert NOT sent for ${plainText(e, 300)}`));
    const fixed = rows.filter((r) => r.row.outcome?.action === 'remediated').length;
    const counts =
      rows.length === 0 && (failures.length > 0 || refused.length > 0)
        ? ''
        : `: ${rows.length - nonCompliant.length} compliant${ctx.flags.apply ? ` (${fixed} fixed now)` : ''}, ${nonCompliant.length} non-compliant` +
          (!ctx.flags.apply && nonCompliant.length > 0 ? '; run with --apply to fix' : '');
    const notEntered = refused.length > 0 ? ` (${refused.length} could not be entered)` : '';
    ctx.io.stdout(
      wrapText(
        `${plural(rows.length, 'endpoint')} in ${plural(accountRegions.length, 'region')} of ${plural(scans.length, 'account')}${notEntered}` +
          `${failedRegionsNote(failures)}${counts}` +
          (unannounced > 0 ? `; ${NO_TOPIC_NOTE}` : ''),
      ),
    );
  }
  return nonCompliant.length > 0 || failures.length > 0 || refused.length > 0 || notifyErrors.length > 0 ? EXIT_FAILED : EXIT_OK;
}

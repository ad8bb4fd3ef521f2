import type { RemediationOutcome } from '../domain/outcome';
import { announce, SCAN_POLICY } from '../app/announce';
import { scanRegion, type RegionScan, type ScanRow } from '../app/services';
import { plainText } from '../util/plain-text';
import { ensureCredentials, type CliContext } from './context';
import { EXIT_FAILED, EXIT_OK } from './io';
import { table, wrapText } from './progress';
import { resolveRegions } from './regions';
import { failedRegionsNote, longError, NO_TOPIC_NOTE, plural, rethrowCredentialFailure, type RegionFailure } from './summary';

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

function regionTable(region: string, rows: ScanRow[]): string {
  const lines = table(HEADER, rows.map(cells)).split('\n');
  const out = [region, ...lines.slice(0, 2)];
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

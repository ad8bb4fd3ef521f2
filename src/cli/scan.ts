import type { RemediationOutcome } from '../domain/outcome';
import { announce, SCAN_POLICY } from '../app/announce';
import { scanRegion, type RegionScan, type ScanRow } from '../app/services';
import { plainText } from '../util/plain-text';
import { ensureCredentials, type CliContext } from './context';
import { EXIT_FAILED, EXIT_OK } from './io';
import { table } from './progress';
import { resolveRegions } from './regions';
import { failedRegionsNote, longError, NO_TOPIC_NOTE, plural, rethrowCredentialFailure, type RegionFailure } from './summary';

function cell(row: ScanRow): string[] {
  const logging = row.loggingEnabled ? 'on' : 'OFF';
  const exists = row.logGroupExists === undefined ? '-' : row.logGroupExists ? 'yes' : 'NO';
  const outcome = row.outcome ? row.outcome.action : row.compliant ? 'ok' : 'NON-COMPLIANT';
  return [
    row.region,
    row.endpointId,
    row.status,
    logging,
    plainText(row.logGroup ?? '-', 60),
    exists,
    row.retentionDays === undefined ? '-' : String(row.retentionDays),
    plainText(row.exemption ?? '-', 40),
    outcome,
  ];
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
    ctx.out(table(['region', 'endpoint', 'status', 'logging', 'log group', 'exists', 'retention', 'exempt', 'result'], rows.map(cell)));
    for (const r of nonCompliant) ctx.out(`NON-COMPLIANT ${r.endpointId} (${r.region}): ${plainText(r.problem ?? '', 200)}`);
    for (const f of failures) ctx.io.stdout(`error in ${f.region}: ${plainText(longError(f.error), 200)}`);
    for (const e of notifyErrors) ctx.io.stdout(`alert NOT sent for ${plainText(e, 200)}`);
    const fixed = rows.filter((r) => r.outcome?.action === 'remediated').length;
    // Counts of a run where a region could not be read describe only what was read; with nothing
    // read at all they would read as "all fine", so they are left out.
    const counts =
      failures.length > 0 && rows.length === 0
        ? ''
        : `: ${rows.length - nonCompliant.length} compliant${ctx.flags.apply ? ` (${fixed} fixed now)` : ''}, ${nonCompliant.length} non-compliant` +
          (!ctx.flags.apply && nonCompliant.length > 0 ? '; run with --apply to fix' : '');
    ctx.io.stdout(
      `${plural(rows.length, 'endpoint')} in ${plural(regions.length, 'region')}${failedRegionsNote(failures)}${counts}` +
        (unannounced > 0 ? `; ${NO_TOPIC_NOTE}` : ''),
    );
  }
  return nonCompliant.length > 0 || failures.length > 0 || notifyErrors.length > 0 ? EXIT_FAILED : EXIT_OK;
}

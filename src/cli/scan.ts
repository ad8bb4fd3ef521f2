import type { RemediationOutcome } from '../domain/outcome';
import { announce, SCAN_POLICY } from '../app/announce';
import { scanRegion, type RegionScan, type ScanRow } from '../app/services';
import { plainText } from '../util/plain-text';
import type { CliContext } from './context';
import { EXIT_FAILED, EXIT_OK } from './io';
import { table } from './progress';
import { resolveRegions } from './regions';

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
  const notifyErrors: string[] = [];
  const alertFor = async (outcome: RemediationOutcome): Promise<void> => {
    const sent = await announce(ctx.runtime, outcome, SCAN_POLICY);
    if (sent.status === 'unsent') notifyErrors.push(`${outcome.endpointId}: ${sent.error.message}`);
  };
  const scans = await Promise.all(
    regions.map(async (region): Promise<RegionScan & { error?: string }> => {
      try {
        return await scanRegion(ctx.runtime, region, {
          apply: ctx.flags.apply,
          onOutcome: alertFor,
          onProgress: (p) => {
            ctx.progress.update(region, { pages: p.pages, endpoints: p.endpoints, remediated: p.remediated, failed: p.failed });
          },
        });
      } catch (error) {
        return { region, rows: [], pages: 0, error: error instanceof Error ? error.message : String(error) };
      }
    }),
  );
  ctx.progress.done();

  const rows = scans.flatMap((s) => s.rows);
  const nonCompliant = rows.filter((r) => !r.compliant);
  const regionErrors = scans.filter((s) => s.error);
  if (ctx.flags.json) {
    for (const r of rows) ctx.io.stdout(JSON.stringify({ kind: 'endpoint', ...r }));
    for (const s of regionErrors) ctx.io.stdout(JSON.stringify({ kind: 'region-error', region: s.region, error: s.error }));
  } else {
    ctx.out(table(['region', 'endpoint', 'status', 'logging', 'log group', 'exists', 'retention', 'exempt', 'result'], rows.map(cell)));
    for (const r of nonCompliant) ctx.out(`NON-COMPLIANT ${r.endpointId} (${r.region}): ${plainText(r.problem ?? '', 200)}`);
    for (const s of regionErrors) ctx.io.stdout(`error in ${s.region}: ${plainText(s.error ?? '', 200)}`);
    for (const e of notifyErrors) ctx.io.stdout(`alert NOT sent for ${plainText(e, 200)}`);
    const fixed = rows.filter((r) => r.outcome?.action === 'remediated').length;
    ctx.io.stdout(
      `${rows.length} endpoint${rows.length === 1 ? '' : 's'} in ${regions.length} region${regions.length === 1 ? '' : 's'}: ` +
        `${rows.length - nonCompliant.length} compliant${ctx.flags.apply ? ` (${fixed} fixed now)` : ''}, ${nonCompliant.length} non-compliant` +
        (!ctx.flags.apply && nonCompliant.length > 0 ? '; run with --apply to fix' : ''),
    );
  }
  return nonCompliant.length > 0 || regionErrors.length > 0 || notifyErrors.length > 0 ? EXIT_FAILED : EXIT_OK;
}

import {
  coverageTargets,
  gapsOf,
  runCoverage,
  summarize,
  type Check,
  type CoverageRow,
  type CoverageSummary,
  type CoverageTargets,
  type Gap,
} from '../app/coverage';
import { AwsCallError } from '../domain/errors';
import { EVENT_BUS_ARN_PATTERN } from '../domain/patterns';
import { plainText } from '../util/plain-text';
import { ensureCredentials, type CliContext } from './context';
import { EVENT_BUS_ARN_MESSAGE } from './flags';
import { EXIT_FAILED, EXIT_OK } from './io';
import { table, wrapText } from './progress';
import { resolveRegions } from './regions';
import { plural } from './summary';
import { UsageError } from './usage-error';

export const DEFAULT_RULE_NAME = 'cvpn-log-guard-forward';

/**
 * Fits 80 columns: account (12), a name cut to 16, the longest region names (14), and three
 * short cells. Upper case marks what needs someone, as in `scan`.
 */
const HEADER = ['account', 'name', 'region', 'role', 'rule', 'trail'];
const NAME_WIDTH = 16;
const CELL: Record<Check['status'], string> = { ok: 'ok', missing: 'MISSING', unknown: '?', 'not-needed': '-' };
const LEGEND = 'ok: in place · MISSING: a gap · ?: not checked · -: not needed (central account)';

interface CoverageInput {
  spec: { org: true } | { accounts: string[] };
  centralBusArn: string;
  roleName: string;
  ruleName: string;
}

/** Checked before any AWS call: usage errors come first (exit 2). */
function coverageInput(ctx: CliContext): CoverageInput {
  const { flags } = ctx;
  if (flags.org && flags.accounts !== undefined) throw new UsageError('coverage takes --org or --accounts <list>, not both');
  if (!flags.org && flags.accounts === undefined) {
    throw new UsageError('coverage needs --org (every account of the organization) or --accounts <list>');
  }
  const fromEnv = ctx.io.env.CVPN_CENTRAL_BUS_ARN?.trim();
  const centralBusArn = flags['central-bus-arn'] ?? (fromEnv === '' ? undefined : fromEnv);
  if (centralBusArn === undefined) {
    throw new UsageError('coverage needs --central-bus-arn <arn> (the central stack output CentralEventBusArn) or CVPN_CENTRAL_BUS_ARN');
  }
  if (!EVENT_BUS_ARN_PATTERN.test(centralBusArn)) throw new UsageError(`CVPN_CENTRAL_BUS_ARN (--central-bus-arn): ${EVENT_BUS_ARN_MESSAGE}`);
  const accounts = flags.accounts ?? [];
  return {
    spec: flags.org ? { org: true } : { accounts },
    centralBusArn,
    roleName: flags['role-name'] ?? ctx.settings.memberRoleName,
    ruleName: flags['rule-name'] ?? DEFAULT_RULE_NAME,
  };
}

function nameCell(name: string | undefined): string {
  const clean = plainText(name ?? '', 200);
  const chars = Array.from(clean);
  return chars.length <= NAME_WIDTH ? clean : `${chars.slice(0, NAME_WIDTH - 1).join('')}…`;
}

function where(gap: Gap, regions: string[]): string {
  return gap.region ?? (regions.length === 1 ? (regions[0] ?? '') : 'every region');
}

function summaryLine(s: CoverageSummary, skippedNote: string): string {
  const regions = `${s.regions} region${s.regions === 1 ? '' : 's'}`;
  return `${s.coveredAccounts} of ${plural(s.accounts, 'account')} × ${regions} covered; ${plural(s.gaps, 'gap')}${skippedNote}`;
}

function printHuman(ctx: CliContext, input: CoverageInput, targets: CoverageTargets, regions: string[], rows: CoverageRow[], gaps: Gap[], summary: CoverageSummary): void {
  const at = new Date().toISOString().slice(0, 16).replace('T', ' ');
  ctx.out(
    [
      `cvpn-log-guard coverage, ${at} UTC, checked as`,
      `  ${plainText(targets.caller.arn, 300)}`,
      `central bus ${input.centralBusArn}`,
      `forwarding rule ${input.ruleName} · member role ${input.roleName}`,
      '',
      table(HEADER, rows.map((r) => [r.account, nameCell(r.accountName), r.region, CELL[r.role.status], CELL[r.rule.status], CELL[r.trail.status]])),
      LEGEND,
      '',
    ].join('\n'),
  );
  for (const s of targets.skipped) {
    ctx.out(wrapText(`skipped ${s.id}${s.name ? ` (${plainText(s.name, 60)})` : ''}: ${plainText(s.state, 40)}, nothing to guard`));
  }
  for (const g of gaps) ctx.io.stdout(wrapText(`GAP ${g.account} ${where(g, regions)}: ${plainText(g.text, 600)}`, 80, '    '));
  const skippedNote = summary.skipped > 0 ? `; ${plural(summary.skipped, 'account')} skipped (not ACTIVE)` : '';
  ctx.io.stdout(summaryLine(summary, skippedNote));
}

function printJson(ctx: CliContext, input: CoverageInput, targets: CoverageTargets, regions: string[], rows: CoverageRow[], gaps: Gap[], summary: CoverageSummary): void {
  for (const r of rows) ctx.io.stdout(JSON.stringify({ kind: 'coverage', ...r }));
  for (const s of targets.skipped) ctx.io.stdout(JSON.stringify({ kind: 'skipped', account: s.id, ...(s.name ? { accountName: s.name } : {}), state: s.state }));
  for (const g of gaps) ctx.io.stdout(JSON.stringify({ kind: 'gap', ...g }));
  ctx.io.stdout(
    JSON.stringify({
      kind: 'summary',
      checkedAt: new Date().toISOString(),
      caller: targets.caller.arn,
      centralBusArn: input.centralBusArn,
      ruleName: input.ruleName,
      roleName: input.roleName,
      regions,
      accounts: summary.accounts,
      coveredAccounts: summary.coveredAccounts,
      gaps: summary.gaps,
      skipped: summary.skipped,
    }),
  );
}

/**
 * `coverage`: proof that every ACTIVE account × region is guarded (member role, forwarding rule, trail). Reads
 * only. Exit 1 when anything is missing or could not be checked.
 */
export async function coverage(ctx: CliContext): Promise<number> {
  const input = coverageInput(ctx);
  const regions = await resolveRegions(ctx.flags.regions, ctx.home, ctx.runtime);
  await ensureCredentials(ctx);
  const stsRegion = ctx.home ?? regions[0] ?? 'us-east-1';
  let targets: CoverageTargets;
  try {
    targets = await coverageTargets(ctx.runtime, stsRegion, input.spec);
  } catch (error) {
    if (error instanceof AwsCallError && error.operation === 'ListAccounts' && !error.retryable) {
      ctx.io.stderr(
        wrapText(
          `cvpn-log-guard: ${plainText(error.message, 400)}; --org needs the management account or a delegated administrator: ` +
            'list the accounts with --accounts instead',
        ),
      );
      return EXIT_FAILED;
    }
    throw error;
  }
  ctx.progress.start(targets.accounts.length, 'accounts');
  const rows = await runCoverage(ctx.runtime, {
    targets,
    regions,
    roleName: input.roleName,
    ruleName: input.ruleName,
    centralBusArn: input.centralBusArn,
    stsRegion,
    onAccountDone: () => {
      ctx.progress.step();
    },
  });
  ctx.progress.done();
  const gaps = gapsOf(rows, input.roleName);
  const summary = summarize(rows, gaps, targets.accounts.length, regions.length, targets.skipped.length);
  if (ctx.flags.json) printJson(ctx, input, targets, regions, rows, gaps, summary);
  else printHuman(ctx, input, targets, regions, rows, gaps, summary);
  return gaps.length > 0 ? EXIT_FAILED : EXIT_OK;
}

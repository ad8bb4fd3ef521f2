/** What to do next, per outcome: the steps both renderers list. */
import type { RepeatedSwitchOff } from '../domain/outcome';
import { ISO_TIME_PATTERN } from '../domain/patterns';
import { templateFight } from '../domain/repeat';
import { humanDuration } from '../util/duration';
import type { NotificationContext, NotifiedOutcome } from './input';
import { STEP_CONSEQUENCE, STEP_PERMISSIONS } from './wording';
import { id, identifier, join, t, type Text } from './values';

/**
 * "switched off again 12 min after cvpn-log-guard turned it back on (at ...); turned back on 3
 * times in the last 24 h". Built from our own numbers and a checked timestamp only.
 */
export function repeatText(r: RepeatedSwitchOff): string {
  const who = r.previousByRemediator ? 'cvpn-log-guard turned it back on' : 'it was turned back on';
  const at = ISO_TIME_PATTERN.test(r.previousEnableAt) ? ` (at ${r.previousEnableAt})` : '';
  const rounds = Math.max(1, Math.floor(r.enablesInWindow));
  const window = humanDuration(r.windowMs);
  const times = rounds === 1 ? 'once' : `${rounds} times`;
  return `switched off again ${humanDuration(r.afterMs)} after ${who}${at}; turned back on ${times} in the last ${window}`;
}

const untilDay = (until: string | undefined): Text => [identifier('day', until, 40)];

/** `logGroup`: the trusted log group name, if there is one. */
export function nextSteps(o: NotifiedOutcome, ctx: NotificationContext, logGroup: string | undefined): Text[] {
  const group = logGroup ? t`log group ${id(logGroup)}` : t`a log group`;
  const steps: Text[] = [];
  const iac = templateFight(o.tool);
  const templateNote = (): void => {
    if (!iac) return;
    // The fix is spelled out with the real group name, so it can be pasted into the template.
    const on = iac.onSetting.replace('{logGroup}', logGroup ?? 'LOG_GROUP_NAME');
    const source = iac.tool === 'terraform' ? 'configuration' : 'template';
    const next = iac.tool === 'terraform' ? 'the next apply' : 'the next stack update';
    steps.push(
      join(
        t`This came from ${iac.label}: the ${source} of this ${id(iac.resource)} sets ${id(iac.offSetting)}, so `,
        t`${next} turns logging off again, and so will ${iac.later}, until the ${source} is changed. `,
        t`Change it to ${id(on)}.`,
      ),
    );
  };
  const repeatNote = (): void => {
    if (!o.repeat) return;
    const cause = iac
      ? `${iac.label} keeps undoing the fix (see the next step)`
      : 'something keeps turning it off (a script, a pipeline, a person)';
    steps.push([
      `Logging was ${repeatText(o.repeat)}: ${cause}. cvpn-log-guard turns it back on each time, but every round ` +
        'leaves a gap with no connection records. Stop the cause rather than rely on the automatic fix.',
    ]);
  };

  // The guard's own role made the change: someone can run code as it. Said first, whatever the action.
  if (o.byGuardRole) {
    steps.push([
      "The change was made with cvpn-log-guard's own execution role, which only ever turns logging on. Someone can " +
        'run code as that role: check who may pass it (iam:PassRole) or change the function (lambda:UpdateFunctionCode, ' +
        "lambda:UpdateFunctionConfiguration), and review the role's recent activity in CloudTrail.",
    ]);
  }

  switch (o.action) {
    case 'remediated': {
      repeatNote();
      templateNote();
      if (!iac && !o.repeat) {
        steps.push(
          join(
            t`Find out why logging was turned off. If it must stay off for a while, tag the endpoint with `,
            t`the exemption tag (${id('CVPN_EXEMPT_TAG')}), a reason and ${id('until=YYYY-MM-DD')}.`,
          ),
        );
      }
      if (o.verification !== 'verified') {
        steps.push(['Check the endpoint in the console: a read-back has not shown logging on yet.']);
      }
      if (o.logGroupCreated) {
        const kms = ctx.kmsKeyArn ? ' and the configured KMS key' : '';
        steps.push(
          join(
            t`cvpn-log-guard created ${group} with ${String(ctx.retentionDays)}-day retention`,
            t`${kms}: check it meets your retention and encryption policy.`,
          ),
        );
      }
      if (o.exemption?.expired) {
        steps.push(
          join(
            t`The endpoint's exemption expired on ${untilDay(o.exemption.until)}: `,
            t`remove the tag, or renew it if the endpoint should still be exempt.`,
          ),
        );
      }
      break;
    }
    case 'exempt': {
      steps.push(['Logging stays off while the exemption holds; its reason is shown above.']);
      steps.push(
        o.exemption?.until
          ? join(
              t`Review the exemption before it expires on ${untilDay(o.exemption.until)} `,
              t`(inclusive, UTC); after that cvpn-log-guard turns logging back on at the next change.`,
            )
          : t`The exemption has no end date: review whether it is still needed and add ${id('until=YYYY-MM-DD')}.`,
      );
      steps.push(['To end it early, remove the tag and turn connection logging on in the console.']);
      break;
    }
    case 'would-remediate': {
      steps.push(t`Logging is OFF and nothing was changed: cvpn-log-guard runs with ${id('CVPN_MODE=notify-only')}.`);
      steps.push(
        t`Turn connection logging on by hand (to ${group}), or set ${id('CVPN_MODE=remediate')} so that cvpn-log-guard does it.`,
      );
      repeatNote();
      templateNote();
      break;
    }
    case 'failed': {
      const err = o.error;
      if (err) {
        const perms = STEP_PERMISSIONS[err.step].flatMap((p, i) => (i === 0 ? [id(p)] : [', ', id(p)]));
        steps.push(
          join(
            t`Logging is still OFF. ${STEP_CONSEQUENCE[err.step]} Check the permission or setting named in the error `,
            t`(this step needs ${perms}).`,
          ),
        );
      } else {
        steps.push(['Logging is still OFF. Check the Lambda function logs for the cause.']);
      }
      steps.push(
        join(
          t`Once fixed, run ${id('cvpn-log-guard replay --file EVENT_FILE')} (failed events are kept in the `,
          t`on-failure queue) or wait for the automatic retry.`,
        ),
      );
      steps.push(['Until then, turn connection logging on by hand in the console.']);
      repeatNote();
      templateNote();
      break;
    }
    default:
      steps.push(['No action needed.']);
  }
  return steps;
}

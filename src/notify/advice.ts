/** What to do next, per outcome: the steps both renderers list. */
import type { RepeatedSwitchOff } from '../domain/outcome';
import { ISO_TIME_PATTERN } from '../domain/patterns';
import { raisedRetentionDays } from '../domain/log-group-requirements';
import { templateFight } from '../domain/repeat';
import { humanDuration } from '../util/duration';
import type { NotificationContext, NotifiedOutcome } from './input';
import { STEP_CONSEQUENCE, STEP_PERMISSIONS } from './wording';
import type { Story } from './story';
import { callerPhrase, sourceIpValue } from './summary';
import { id, identifier, join, ours, t, trusted, type Text } from './values';

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

/** Error codes that mean a permission is missing (IAM policy, permissions boundary, SCP, key policy). */
const PERMISSION_CODE = /AccessDenied|Unauthorized|Forbidden|NotAuthorized/i;
const KMS_CODE = /^KMS|Kms|KeyUnavailable|DisabledException|KMSInvalidState/;

/** `logGroup`: the trusted log group name, if there is one. */
export function nextSteps(o: NotifiedOutcome, story: Story, ctx: NotificationContext, logGroup: string | undefined): Text[] {
  const group = logGroup ? t`log group ${id(logGroup)}` : t`a log group`;
  const region = trusted(o.region, 'region') ?? 'REGION';
  const exemptTag = id(ctx.exemptTagKey);
  const steps: Text[] = [];
  const iac = templateFight(o.tool);
  const templateNote = (): void => {
    if (!iac) return;
    // The fix is spelled out with the real group name, so it can be pasted into the template.
    const on = iac.onSetting.replace('{logGroup}', logGroup ?? 'LOG_GROUP_NAME');
    const { source, next } = iac;
    // The CDK deploys through CloudFormation: CloudTrail names CloudFormation as the caller.
    const cdk = iac.tool === 'cloudformation' ? t` With the AWS CDK, set ${id('connectionLogOptions')} of the endpoint in the app.` : [];
    steps.push(
      join(
        t`This came from ${iac.label}: the ${source} of this ${ours(iac.resource)} sets ${ours(iac.offSetting)}, so `,
        t`${next} turns logging off again, and so will ${iac.later}, until the ${source} is changed. `,
        t`Fix the code, not the endpoint: change it to ${id(on)}.`,
        cdk,
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
  const exemptionHint = (): void => {
    steps.push(
      join(
        t`If the endpoint must run without logging for a while, tag it with the key ${exemptTag} and a value `,
        t`such as ${id('change CHG-123 until=YYYY-MM-DD')} (a reason and the last day, UTC): cvpn-log-guard then leaves it off until that day.`,
      ),
    );
  };
  const askCaller = (what: string): void => {
    if (story.byScan) return;
    const ip = o.sourceIp ? t`the call came from ${sourceIpValue(o.sourceIp)}; ` : [];
    steps.push(
      join(
        t`Ask ${callerPhrase(o.actor)} why ${what} (${ip}the CloudTrail event is linked below). If nobody meant to, `,
        t`treat it as a possible attempt to hide activity: review what else this caller did around that time.`,
      ),
    );
  };
  const remediatedExtras = (): void => {
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
  };
  const lostRecords = (): void => {
    steps.push(
      join(
        t`The connection records between the deletion of ${group} and now are lost: Client VPN keeps no copy and `,
        t`CloudTrail records no connections. To find who deleted it and when, look for ${id('DeleteLogGroup')} `,
        t`(a CloudWatch Logs call) in the CloudTrail event history of ${id(region)}.`,
      ),
    );
    steps.push(t`Keep it from happening again: deny ${id('logs:DeleteLogGroup')} on the group to everyone who does not own it.`);
  };
  const missedEvent = (): void => {
    steps.push(
      join(
        t`No CloudTrail event about this change reached cvpn-log-guard. Check that its EventBridge rule exists and is `,
        t`enabled in ${id(region)}, and look for errors of the remediate function and messages in its on-failure queue.`,
      ),
    );
    steps.push(
      t`To find who switched logging off and when, open the endpoint's CloudTrail event history (linked below) and look for ${id('ModifyClientVpnEndpoint')}.`,
    );
  };
  const redrive = ours(`cvpn-log-guard redrive --region ${region} --stage STAGE`);
  const scanApply = ours(`cvpn-log-guard scan --regions ${region} --apply`);
  const failureCause = (): void => {
    const err = o.error;
    if (!err) {
      steps.push(['Check the Lambda function logs for the cause.']);
      return;
    }
    const perms = STEP_PERMISSIONS[err.step].flatMap((p, i) => (i === 0 ? [id(p)] : [', ', id(p)]));
    const code = identifier('error-code', err.code, 100);
    // A group created with a KMS key also needs the key policy to let CloudWatch Logs use the key.
    const kms = err.step === 'ensure-log-group' && ctx.kmsKeyArn ? ' (and a key policy that lets CloudWatch Logs use the configured KMS key)' : '';
    const what = PERMISSION_CODE.test(err.code)
      ? t`AWS refused the call (${code}): give cvpn-log-guard's role ${perms}${kms}, and check that no permissions boundary, SCP or key policy denies it.`
      : KMS_CODE.test(err.code)
        ? t`AWS refused the call (${code}): check the KMS key of the log group (enabled, and its key policy lets CloudWatch Logs use it).`
        : t`AWS refused the call (${code}): fix the setting or state the error message names (this step needs ${perms}).`;
    steps.push(join([`${STEP_CONSEQUENCE[err.step]} `], what));
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
      // AWS accepted the change but no read-back showed it: the one thing to check first.
      if (o.verification !== 'verified') {
        steps.push(['Check the endpoint in the console: AWS accepted the change, but a read-back has not shown logging on yet.']);
      }
      switch (story.key === 'guard-role' ? 'guard-role' : story.situation) {
        case 'guard-role':
          break;
        case 'created':
          if (iac) templateNote();
          else {
            steps.push(
              t`Logging is on now. Find out why the endpoint was created without it, and change the template, script or runbook that created it so that new endpoints start with connection logging on.`,
            );
          }
          exemptionHint();
          break;
        case 'switched-off-again':
          repeatNote();
          templateNote();
          askCaller('logging keeps being switched off');
          break;
        case 'iac':
          templateNote();
          steps.push([
            `Until then, every ${iac?.run ?? 'run'} is another gap with no connection records, each closed again within seconds.`,
          ]);
          break;
        case 'log-group-missing':
          lostRecords();
          break;
        case 'found-by-scan':
          missedEvent();
          break;
        default:
          askCaller('they switched connection logging off');
          exemptionHint();
      }
      remediatedExtras();
      break;
    }
    case 'exempt': {
      if (story.situation === 'log-group-missing') lostRecords();
      steps.push([`Logging stays ${story.situation === 'log-group-missing' ? 'as it is' : 'off'} while the exemption holds; its reason is shown above.`]);
      steps.push(
        o.exemption?.until
          ? join(
              t`Review the exemption before it expires on ${untilDay(o.exemption.until)} `,
              t`(inclusive, UTC); after that cvpn-log-guard turns logging back on at the next change.`,
            )
          : t`The exemption has no end date: review whether it is still needed and add ${id('until=YYYY-MM-DD')} to the tag's value.`,
      );
      steps.push(t`To end it early, remove the tag ${exemptTag} and turn connection logging on in the console.`);
      break;
    }
    case 'would-remediate': {
      steps.push(t`Nothing was changed: cvpn-log-guard runs with ${id('CVPN_MODE=notify-only')}.`);
      steps.push(
        story.situation === 'log-group-missing'
          ? t`Re-create ${group} and turn connection logging off and on again so Client VPN writes to it, or set ${id('CVPN_MODE=remediate')} so that cvpn-log-guard does it.`
          : t`Turn connection logging on by hand (to ${group}), or set ${id('CVPN_MODE=remediate')} so that cvpn-log-guard does it.`,
      );
      if (story.situation === 'log-group-missing') lostRecords();
      if (story.situation === 'found-by-scan') missedEvent();
      repeatNote();
      templateNote();
      break;
    }
    case 'failed': {
      if (o.error?.retryable) {
        steps.push(
          story.byScan
            ? t`Nothing to do yet: the error looks temporary (throttling, a timeout, a service error), and the next hourly sweep tries again. To try now, run ${scanApply}.`
            : join(
                t`Nothing to do yet: the error looks temporary (throttling, a timeout, a service error). Lambda retries the `,
                t`event automatically; if it still fails, the event lands in the on-failure queue: run ${redrive} `,
                t`(STAGE: your stack's stage) once AWS answers again. The hourly sweep also retries.`,
              ),
        );
        steps.push(['If this alert repeats, or logging must be on at once, turn connection logging on by hand in the console.']);
      } else {
        failureCause();
        steps.push(
          story.byScan
            ? t`Then run ${scanApply}, or let the next hourly sweep fix it.`
            : t`Then run ${redrive} (STAGE: your stack's stage): the event is kept in the on-failure queue. The hourly sweep also fixes the endpoint once the cause is gone.`,
        );
        steps.push([
          story.situation === 'log-group-missing'
            ? 'Until then, re-create the log group by hand and turn connection logging off and on again in the console.'
            : 'Until then, turn connection logging on by hand in the console.',
        ]);
      }
      if (story.situation === 'log-group-missing') lostRecords();
      repeatNote();
      templateNote();
      break;
    }
    default:
      logGroupSteps(o, story, steps, group, region);
  }
  return steps;
}

function logGroupSteps(o: NotifiedOutcome, story: Story, steps: Text[], group: Text, region: string): void {
  const name = o.logGroup ?? o.loggingAfter?.logGroup ?? 'LOG_GROUP_NAME';
  const groupId = trusted(name, 'log-group') ?? 'LOG_GROUP_NAME';
  switch (story.key) {
    case 'retention-short': {
      const days = o.retentionShort?.requiredDays ?? o.requiredRetentionDays;
      const to = days === undefined ? 'DAYS' : String(raisedRetentionDays(o.retentionShort?.retentionDays ?? 0, days));
      steps.push(
        t`Raise the retention: ${ours(`aws logs put-retention-policy --region ${region} --log-group-name ${groupId} --retention-in-days ${to}`)}, or set ${id('CVPN_RAISE_RETENTION=true')} so that cvpn-log-guard raises it.`,
      );
      if (o.retentionRaiseError) {
        steps.push(
          t`cvpn-log-guard's raise was refused (${identifier('error-code', o.retentionRaiseError.code, 100)}): it may raise only groups under its log group prefix.`,
        );
      }
      steps.push(['If the shorter retention was chosen on purpose, change the requirement (CVPN_MIN_RETENTION_DAYS) instead.']);
      break;
    }
    case 'retention-raised':
      steps.push(['Nothing to do: this alert is the record of the change (CVPN_RAISE_RETENTION=true).']);
      break;
    case 'key-mismatch': {
      const keyArg = trusted(o.keyRequirement?.expectedKeyArn, 'kms-key-arn') ?? 'KEY_ARN';
      steps.push(
        join(
          t`Associate the required key: ${ours(`aws logs associate-kms-key --region ${region} --log-group-name ${groupId} --kms-key-id ${keyArg}`)} `,
          t`(it encrypts new records only; the key policy must let CloudWatch Logs use it), or change the requirement if this key is accepted.`,
        ),
      );
      break;
    }
    case 'cannot-write':
      steps.push(
        join(
          t`Enable the key or cancel its deletion, or add the CloudWatch Logs statement (principal `,
          t`${ours(`logs.${region}.amazonaws.com`)}) to its key policy. Until then no connection record is kept.`,
        ),
      );
      break;
    case 'not-delivering': {
      const causes = o.delivery?.likelyCauses ?? [];
      steps.push(['Look at the likely causes above, confirmed ones first.']);
      if (causes.some((c) => c.cause === 'group-recreated')) {
        steps.push(
          t`If ${group} was deleted and re-created after logging was turned on, turn connection logging off and on again (or point it at another group and back) so that Client VPN writes to the new group.`,
        );
      }
      break;
    }
    case 'service-role-missing':
      steps.push(
        t`Re-create the role: ${ours('aws iam create-service-linked-role --aws-service-name clientvpn.amazonaws.com')}. Then check that records arrive (the next sweep does).`,
      );
      steps.push(t`Find out who deleted it: look for ${id('DeleteServiceLinkedRole')} in the CloudTrail event history of ${id('us-east-1')} (IAM is global).`);
      break;
    default:
      steps.push(['No action needed.']);
  }
}

/**
 * The summary: one or two sentences that open the email and the chat message, saying what
 * happened (the situation) and what cvpn-log-guard did (the action), from the story chosen once
 * in story.ts.
 */
import type { Actor, ToolKind } from '../domain/outcome';
import { ROLE_ARN_PATTERN } from '../domain/patterns';
import { templateFight } from '../domain/repeat';
import { humanDuration } from '../util/duration';
import type { NotificationContext, NotifiedOutcome } from './input';
import { isGroupStory, type Story } from './story';
import { id, identifier, join, t, trusted, type IdKind, type Text, type Value } from './values';

/**
 * The summary holds no free text: a value is named only when it has its AWS shape, and otherwise
 * by words of our own (the sections below show it, neutralised). Free text in a paragraph could
 * start a line of the email once wrapped, and pass for a line of ours.
 */
function only(kind: IdKind, value: string | undefined, fallback: string): Value | string {
  const ok = trusted(value, kind);
  return ok === undefined ? fallback : identifier(kind, ok, 2048);
}

const USER_ARN = /^arn:aws[a-z-]*:iam::\d{12}:user\/(?:.*\/)?([^/]+)$/;

/** Who made the call, in a few words: "ktou (role KTOU_SwitchRole)", "IAM user jane". */
export function callerPhrase(actor: Actor): Text {
  const roleName = actor.arn?.match(ROLE_ARN_PATTERN)?.[1];
  if (roleName !== undefined) {
    const role = only('role-name', roleName, 'a role');
    const session = trusted(actor.sessionName, 'session-name');
    return session ? t`${id(session)} (role ${role})` : t`role ${role}`;
  }
  const userName = actor.arn?.match(USER_ARN)?.[1];
  if (userName !== undefined) return t`IAM user ${only('role-name', userName, '(see Who below)')}`;
  if (actor.type === 'Root') return ['The root user'];
  if (actor.invokedBy) return t`The AWS service ${only('service-principal', actor.invokedBy, '(see Who below)')}`;
  if (actor.arn) return [only('principal-arn', actor.arn, 'Someone (see Who below)')];
  return ['Someone (CloudTrail names no caller)'];
}

/** CloudTrail's `sourceIPAddress`: an address, a service's name, or free text (`AWS Internal`). */
export function sourceIpValue(ip: string): Text {
  const limits = { email: 64, chat: 64 };
  return [trusted(ip, 'service-principal') ? identifier('service-principal', ip, limits) : identifier('source-ip', ip, limits)];
}

const WITH_TOOL: Record<ToolKind, string> = {
  console: ', using the AWS Management Console',
  'aws-cli': ', using the AWS CLI',
  sdk: ', using an AWS SDK',
  terraform: ', using Terraform',
  cloudformation: ', using CloudFormation',
  pulumi: ', using Pulumi',
  other: '',
};

/** "Client VPN endpoint cvpn-endpoint-… in eu-west-1" (its Name tag is free text: in the Endpoint section). */
export function endpointPhrase(o: NotifiedOutcome): Text {
  return t`Client VPN endpoint ${only('endpoint-id', o.endpointId, 'with an unrecognised ID')} in ${only('region', o.region, 'an unknown region')}`;
}

function situationSentence(o: NotifiedOutcome, story: Story): Text {
  const endpoint = endpointPhrase(o);
  const who = callerPhrase(o.actor);
  const tool = WITH_TOOL[o.tool];
  const group = only('log-group', o.logGroup ?? o.loggingBefore?.logGroup, '(see Logging below)');
  if (story.key === 'guard-role') {
    const role = o.actor.arn?.match(ROLE_ARN_PATTERN)?.[1];
    const name = trusted(role, 'role-name') === undefined ? [] : t` (${only('role-name', role, '')})`;
    return t`cvpn-log-guard's own execution role${name} changed ${endpoint}, leaving connection logging off${tool}: whoever did this can run code as that role.`;
  }
  switch (story.situation) {
    case 'created':
      return t`${who} created ${endpoint}${tool}, without connection logging: it was never on.`;
    case 'switched-off-again': {
      const after = o.repeat ? `${humanDuration(o.repeat.afterMs)} after it had been turned back on` : 'soon after it had been turned back on';
      return story.byScan
        ? t`A cvpn-log-guard scan found connection logging off again on ${endpoint}, ${after}.`
        : t`${who} switched off connection logging on ${endpoint} again, ${after}${tool}.`;
    }
    case 'iac': {
      const label = templateFight(o.tool)?.label ?? 'Infrastructure as code';
      return t`${label}, running as ${who}, switched off connection logging on ${endpoint}.`;
    }
    case 'log-group-missing':
      return join(
        t`${endpoint} has connection logging on, but its log group ${group} no longer exists, so connection `,
        t`records have been going nowhere. Records since the group was deleted are lost, and when that happened is `,
        t`unknown: a cvpn-log-guard scan found it, not a CloudTrail event.`,
      );
    case 'found-by-scan':
      return join(
        t`A cvpn-log-guard scan (or the hourly sweep) found connection logging off on ${endpoint}. No CloudTrail `,
        t`event about the change reached cvpn-log-guard, so who switched it off, and when, is not known here.`,
      );
    default:
      return t`${who} switched off connection logging on ${endpoint}${tool}.`;
  }
}

function actionSentence(o: NotifiedOutcome, story: Story, ctx: NotificationContext): Text {
  const missing = story.situation === 'log-group-missing';
  const created = story.situation === 'created';
  switch (o.action) {
    case 'remediated': {
      if (o.verification !== 'verified') {
        return ['cvpn-log-guard asked AWS to turn logging on, but a read-back has not shown it on yet.'];
      }
      if (missing) return ['cvpn-log-guard re-created the log group under the same name and turned logging on to it again.'];
      const iac = templateFight(o.tool);
      if (iac && story.key !== 'guard-role') {
        return [`cvpn-log-guard turned it ${created ? '' : 'back '}on, but ${iac.next} will switch it off again until the ${iac.source} is changed.`];
      }
      return [created ? 'cvpn-log-guard turned it on and confirmed it.' : 'cvpn-log-guard turned it back on and confirmed it.'];
    }
    case 'exempt':
      return t`The endpoint carries the exemption tag ${id(ctx.exemptTagKey)}, so cvpn-log-guard changed nothing${missing ? '' : ': logging is off'}.`;
    case 'would-remediate':
      return [
        `cvpn-log-guard runs in notify-only mode and changed nothing: ${missing ? 'records still go nowhere' : 'logging is still OFF'}.`,
      ];
    case 'failed': {
      const still = missing ? 'records still go nowhere' : 'logging is still OFF';
      const retry = o.error?.retryable ? (story.byScan ? ' The next sweep tries again.' : ' It is retried automatically.') : '';
      const what = missing ? 're-create the log group or point logging at it' : `turn it ${created ? '' : 'back '}on`;
      return [`cvpn-log-guard could NOT ${what}: ${still}.${retry}`];
    }
    default:
      return [];
  }
}

function keyProblem(o: NotifiedOutcome): Text {
  const k = o.key;
  if (!k || k.usable !== 'no') return ['CloudWatch Logs cannot use its KMS key'];
  const key = only('kms-key-arn', k.keyArn, '(see below)');
  const state: Record<typeof k.why, string> = {
    disabled: 'is disabled',
    'pending-deletion': 'is pending deletion',
    unavailable: 'is unavailable',
    'not-found': 'no longer exists',
    'policy-excludes-logs': 'has a key policy that does not let CloudWatch Logs use it',
  };
  return t`its KMS key ${key} ${state[k.why]}`;
}

/** The log-group stories: logging is on; the group is what falls short. */
function logGroupSummary(o: NotifiedOutcome, story: Story): Text {
  const endpoint = endpointPhrase(o);
  const group = only('log-group', o.logGroup ?? o.loggingAfter?.logGroup, '(see below)');
  switch (story.key) {
    case 'retention-short': {
      const r = o.retentionShort;
      const days = r ? `${r.retentionDays} days` : 'less time than required';
      const required = r ? ` The requirement is ${r.requiredDays} days: older records are deleted too early.` : '';
      const refused = o.retentionRaiseError ? ' cvpn-log-guard tried to raise it and AWS refused.' : '';
      return t`The log group ${group} of ${endpoint} keeps connection records for ${days}.${required}${refused}`;
    }
    case 'retention-raised': {
      const r = o.retentionRaised;
      const change = r ? ` from ${r.from} to ${r.to} days` : '';
      return t`cvpn-log-guard raised the retention of log group ${group}, used by ${endpoint},${change} to meet the requirement. No record was deleted.`;
    }
    case 'key-mismatch': {
      const k = o.keyRequirement;
      if (k?.kind === 'other-key') {
        return t`The log group ${group} of ${endpoint} is encrypted with ${only('kms-key-arn', k.keyArn, 'another key')}, not with the required key ${only('kms-key-arn', k.expectedKeyArn, '(see below)')}.`;
      }
      const wanted = k?.expectedKeyArn ? t`the KMS key ${only('kms-key-arn', k.expectedKeyArn, '(see below)')}` : t`a KMS key`;
      return t`The log group ${group} of ${endpoint} is not encrypted with a KMS key of its own; the requirement asks for ${wanted}.`;
    }
    case 'cannot-write':
      return t`${endpoint} has connection logging on to ${group}, but ${keyProblem(o)}: no connection record can be written.`;
    case 'not-delivering':
      return t`${endpoint} has connection logging on to ${group}, but no connection records are arriving.`;
    case 'service-role-missing': {
      const n = o.affectedEndpoints?.length ?? 0;
      const affected = n === 1 ? '1 endpoint with logging on is affected' : `${n} endpoints with logging on are affected`;
      return t`The Client VPN service-linked role ${id('AWSServiceRoleForClientVPN')} does not exist in account ${only('account', o.account, '(unrecognised)')}: Client VPN cannot write connection logs for any endpoint in it, although logging shows as on (${affected} in ${only('region', o.region, 'the region scanned')}).`;
    }
    default:
      return [];
  }
}

/** The story's summary: what happened, then what cvpn-log-guard did. */
export function summaryOf(o: NotifiedOutcome, story: Story, ctx: NotificationContext): Text {
  if (isGroupStory(story.key)) return logGroupSummary(o, story);
  if (story.key === 'other') return t`${endpointPhrase(o)}: ${o.action}.`;
  const action = actionSentence(o, story, ctx);
  return action.length === 0 ? situationSentence(o, story) : join(situationSentence(o, story), [' '], action);
}

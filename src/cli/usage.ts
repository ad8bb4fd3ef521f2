import type { CommandName } from './flags';

const EXIT_CODES = 'Exit codes: 0 done, 1 something failed or stays non-compliant, 2 usage error.';

const COMMON = `Options every command takes:
  --region <region>        Home region (identity lookup, --regions all, default region)
  --profile <name>         AWS named profile (default: AWS_PROFILE, then the SDK's default chain)
  --topic-arn <arn>        SNS topic for alerts (overrides CVPN_TOPIC_ARN; none = no alerts)
  --state-table <name>     DynamoDB state table: take the Lambda's leases (overrides
                           CVPN_STATE_TABLE)
  --log-group <template>   Log group name template (overrides CVPN_LOG_GROUP)
  --retention-days <n>     Retention for log groups it creates (overrides CVPN_RETENTION_DAYS)
  --min-retention-days <n> Retention every connection-log group must meet (default: the one
                           above; overrides CVPN_MIN_RETENTION_DAYS)
  --raise-retention        Raise a shorter retention to that requirement (never lowers one)
  --kms-key-arn <arn>      Groups must be encrypted with this key (overrides CVPN_KMS_KEY_ARN)
  --require-kms            Groups must be KMS-encrypted, with any key
  --json                   Machine-readable results only (one JSON object per line)
  --quiet                  Only the summary
  --no-progress            No progress line on the terminal (it never goes to a pipe or file)
  -h, --help               Show this help`;

export const USAGE = `Usage: cvpn-log-guard <command> [options]

Turns AWS Client VPN connection logging back on, and says so.

Commands:
  replay --file <path|->   Run saved CloudTrail events through the remediator
  replay --since <time>    Replay CloudTrail's event history (last 90 days)
  scan                     Show every endpoint's logging; --apply fixes the non-compliant ones
  redrive                  Re-process the events in the on-failure queue
  coverage --org           Prove organization-wide coverage: role, forwarding rule and trail
                           in every ACTIVE account and region

'cvpn-log-guard <command> --help' shows a command's own options and exit codes.

${COMMON}
  -V, --version            Print the version

${EXIT_CODES}`;

export const COMMAND_USAGE: Record<CommandName, string> = {
  replay: `Usage: cvpn-log-guard replay --file <path|-> [--dry-run] [options]
       cvpn-log-guard replay --since <time> [--until <time>] [--regions <list>|all]
                             [--invoke <function>] [--dry-run] [options]

Runs CloudTrail events for CreateClientVpnEndpoint and ModifyClientVpnEndpoint through the same
remediator as the Lambda: logging is turned back on where it is off, and alerts go to the topic.

  -f, --file <path|->      Saved events: EventBridge envelopes or bare CloudTrail records, as one
                           JSON object, an array, JSON lines, a trail's S3 file or
                           'aws cloudtrail lookup-events' output; - reads standard input
  --since <time>           Read CloudTrail's event history from then (ISO 8601, or a duration back
                           from now: 90m, 24h, 7d; at most 90 days)
  --until <time>           End of the window (default: now)
  --regions <list>|all     Regions for --since (default: the home region); all = every enabled one
  --invoke <function>      Send each event to the deployed function instead of running it here
  --dry-run                Change nothing, publish nothing

${COMMON}

Exit codes: 0 every event done, 1 an event failed, an alert was not sent or a region could not be
read, 2 usage error or unreadable file.`,
  scan: `Usage: cvpn-log-guard scan [--regions <list>|all] [--apply] [options]
       cvpn-log-guard scan --org | --accounts <list> [--role-name <name>]
                           [--regions <list>|all] [--apply] [options]

Lists every Client VPN endpoint with its connection logging, log group, retention (against the
requirement), encryption key, whether records arrive, and exemption; catches logging that points
at a deleted log group. Without --apply nothing changes.

  --regions <list>|all     Regions to scan (default: the home region); all = every enabled one
                           (with --org or --accounts: each account's own enabled regions)
  --apply                  Fix the non-compliant endpoints (alerts go to the topic)
  --no-delivery-check      Skip the log-stream reads: CloudWatch Logs allows 5 a second, so
                           200 endpoints with a group each take 40 s; delivering shows as ?
  --org                    Every ACTIVE account of the organization, this one included
                           (run from the management or delegated administrator account)
  --accounts <list>        These accounts instead, e.g. 111111111111,222222222222
  --role-name <name>       The member role assumed in each account, once per run
                           (default: cvpn-log-guard-member)

${COMMON}

Exit codes: 0 all compliant (or fixed), 1 some are not, an alert was not sent, a region could
not be read or an account's role could not be assumed, 2 usage error.`,
  redrive: `Usage: cvpn-log-guard redrive [--queue-url <url> | --stage <stage>] [--dry-run] [options]

Re-processes the events in the remediate function's on-failure queue, deletes the messages that
now succeed, and keeps (and explains) the rest.

  --queue-url <url>        The queue (stack output FailureQueueUrl; also CVPN_FAILURE_QUEUE_URL)
  --stage <stage>          Find cvpn-log-guard-<stage>-failed-events in --region (default: dev)
  --dry-run                Change nothing, publish nothing, delete nothing

${COMMON}

Exit codes: 0 the queue is empty now (or dry run), 1 messages are left, 2 usage error.`,
  coverage: `Usage: cvpn-log-guard coverage (--org | --accounts <list>) --central-bus-arn <arn>
                              [--regions <list>|all] [--role-name <name>] [--rule-name <name>]
                              [options]

Proves the organization-wide mode covers every ACTIVE account x region: the member role can be
assumed (one AssumeRole per account), the forwarding rule on the default bus exists, is enabled
and targets the central bus, and a CloudTrail trail (an organization trail counts) is logging.
Prints a table to paste into an audit ticket, one line per gap, and a summary. Reads only.

  --org                    Every account of the organization (management account or delegated
                           administrator); SUSPENDED and closed accounts are listed as skipped
  --accounts <list>        These accounts instead (comma-separated 12-digit IDs)
  --central-bus-arn <arn>  The central bus the rule must target (stack output CentralEventBusArn;
                           also CVPN_CENTRAL_BUS_ARN)
  --regions <list>|all     Regions to check (default: the home region); all = every region
                           enabled in the account you run it from
  --role-name <name>       The member role (default: CVPN_MEMBER_ROLE_NAME, then
                           cvpn-log-guard-member)
  --rule-name <name>       The forwarding rule (default: cvpn-log-guard-forward)

${COMMON}

Exit codes: 0 every account and region covered, 1 a gap or a check that could not be made,
2 usage error.`,
};

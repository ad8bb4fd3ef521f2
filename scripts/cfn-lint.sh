#!/usr/bin/env bash
# Packages the stack offline with the default stage parameters, with every optional parameter
# set, with the two mixed subscription cases, and as the organization-wide central stack
# (fleet=central), then runs cfn-lint on the generated CloudFormation templates and on the member
# template (deploy/member-template.json). Fails if cfn-lint reports anything (errors, warnings, or any
# informational finding it is asked for). Installs cfn-lint when it is not on PATH (CI);
# called by .ci/run.
set -euo pipefail
cd "$(dirname "$0")/.."

CFN_LINT_VERSION=1.51.0

export AWS_EC2_METADATA_DISABLED=true
export SLS_TELEMETRY_DISABLED=1
export SLS_NOTIFICATIONS_MODE=off
export CI=true
# Fake credentials: packaging needs none, but the SDK's chain must not go looking for any.
export AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE
export AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY

# A venv rather than a plain `pip install`: distribution Pythons refuse system-wide installs
# (PEP 668). Cached, so later runs skip the install.
venv="${CFN_LINT_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/cvpn-log-guard/cfn-lint-${CFN_LINT_VERSION}}"
if command -v cfn-lint >/dev/null 2>&1; then
  lint=(cfn-lint)
elif [ -x "$venv/bin/cfn-lint" ]; then
  lint=("$venv/bin/cfn-lint")
elif command -v pipx >/dev/null 2>&1; then
  echo "cfn-lint not found: installing cfn-lint==${CFN_LINT_VERSION} with pipx"
  pipx install --quiet "cfn-lint==${CFN_LINT_VERSION}" >/dev/null
  lint=("$(pipx environment --value PIPX_BIN_DIR)/cfn-lint")
else
  echo "cfn-lint not found: installing cfn-lint==${CFN_LINT_VERSION} into $venv"
  python3 -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "cfn-lint==${CFN_LINT_VERSION}"
  lint=("$venv/bin/cfn-lint")
fi
echo "== $("${lint[@]}" --version)"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

KEY_A=arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555
KEY_B=arn:aws:kms:eu-west-1:123456789012:key/66666666-7777-8888-9999-000000000000
SUBSCRIBERS=arn:aws:iam::123456789012:role/ops,arn:aws:iam::210987654321:user/alice

package() {
  local name="$1"
  shift
  if ! node node_modules/osls/bin/serverless.js package --stage ci --region eu-west-1 \
    --package "$work/$name" "$@" >"$work/$name.log" 2>&1; then
    cat "$work/$name.log"
    echo "serverless package ($name) failed" >&2
    exit 1
  fi
  templates+=("$work/$name/cloudformation-template-update-stack.json")
}

templates=()
package defaults
package every-parameter \
  --param alertEmail=ops@example.com \
  --param subscriberArns="$SUBSCRIBERS" \
  --param publisherArns=arn:aws:iam::123456789012:role/secops-operator \
  --param kmsKeyArn="$KEY_A" \
  --param topicKmsKeyArn="$KEY_B" \
  --param archiveRetentionDays=30 \
  --param logStream=cvpn \
  --param logGroup=/org/{region}/vpn/{endpointId} \
  --param retentionDays=90 \
  --param mode=notify-only \
  --param raiseRetention=true \
  --param stateTable=off \
  --param retryAttempts=0 \
  --param maxEventAgeSeconds=3600 \
  --param 'sweepSchedule=cron(0 * * * ? *)'
package email-only --param alertEmail=ops@example.com
package subscribers-only --param subscriberArns="$SUBSCRIBERS"
# The central stack of the organization-wide mode: central bus, member StackSet, fleet IAM; with
# the archive on, so the central bus's archive is linted too.
package fleet-central \
  --param fleet=central \
  --param organizationId=o-a1b2c3d4e5 \
  --param targetOuIds=ou-ab12-cdefgh34,r-ab12 \
  --param regions=eu-west-1,us-east-1 \
  --param callAs=DELEGATED_ADMIN \
  --param operatorRoleArns=arn:aws:iam::123456789012:role/secops-operator \
  --param accounts=111111111111,222222222222 \
  --param archiveRetentionDays=30
# The flat member template a StackSet rolls out to an organization's accounts (as shipped).
templates+=(deploy/member-template.json)

# cfn-lint exits non-zero on any finding; print them all, then fail.
echo "== cfn-lint ${#templates[@]} templates"
"${lint[@]}" --format parseable -- "${templates[@]}"
echo "cfn-lint: no findings"

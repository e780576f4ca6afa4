"""The generated project's delivery loop: its GitHub workflows and the OIDC deploy roles."""

import json
import os
import shlex
import subprocess
import sys
import sysconfig
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from cfnlint.data import AdditionalSpecs
from cfnlint.helpers import load_resource
from cfnlint.schema import PROVIDER_SCHEMA_MANAGER
from samtranslator.yaml_helper import yaml_parse
from sqlalchemy.engine import make_url

from tests import servers
from tests.baking import BIN, DATABASES, OPTIONS, Baked, bake, combination_name, offline_environment
from tests.cloudformation import translate

WORKFLOWS = (".github/workflows/ci.yml", ".github/workflows/deploy.yml")
OIDC_TEMPLATE = "deploy/github-oidc.yaml"
# The steps of CI's test job that the test environment stands in for: the checkout is the baked
# project, setup-python a virtualenv that sees the template's .venv.
STOOD_IN_FOR = ["actions/checkout", "actions/setup-python"]
# What CloudFormation's handlers list but the execution role leaves out, and why.
NOT_USED = {
    "kms:": "no customer-managed KMS key: the functions' environment and the database use AWS managed keys",
    "iam:AttachGroupPolicy": "the DatabaseAccessPolicies are attached to roles only",
    "iam:AttachUserPolicy": "the DatabaseAccessPolicies are attached to roles only",
    "iam:DetachGroupPolicy": "the DatabaseAccessPolicies are attached to roles only",
    "iam:DetachUserPolicy": "the DatabaseAccessPolicies are attached to roles only",
    "secretsmanager:ReplicateSecretToRegions": "the app user's secret stays in the stack's region",
    "secretsmanager:RemoveRegionsFromReplication": "the app user's secret stays in the stack's region",
    "rds:CreateDBInstanceReadReplica": "no read replica",
    "rds:PromoteReadReplica": "no read replica",
    "rds:Restore": "the database starts empty, from no snapshot or point in time",
    "rds:RemoveFromGlobalCluster": "no global cluster",
    "rds:EnableHttpEndpoint": "no Data API",
    "rds:DisableHttpEndpoint": "no Data API",
    "rds:StartDBInstanceAutomatedBackupsReplication": "backups stay in the database's region",
    "rds:StopDBInstanceAutomatedBackupsReplication": "backups stay in the database's region",
    "rds:AddRoleTo": "no IAM role is associated with the database",
    "rds:RemoveRoleFrom": "no IAM role is associated with the database",
    "elasticfilesystem:": "no EFS file system is mounted",
    "codedeploy:": "no gradual deployment: the API function's alias moves to each new version at once",
    **dict.fromkeys(
        [
            "lambda:PutProvisionedConcurrencyConfig",
            "lambda:GetProvisionedConcurrencyConfig",
            "lambda:DeleteProvisionedConcurrencyConfig",
        ],
        "no provisioned concurrency (SnapStart excludes it)",
    ),
    "s3files:": "no S3 file system is mounted",
    "vpc-lattice:": "no VPC Lattice service network endpoint",
    "vpce:AllowMultiRegion": "the endpoint serves its own region",
    "iam:PutRolePermissionsBoundary": "the functions' roles have no permissions boundary",
    "iam:DeleteRolePermissionsBoundary": "the functions' roles have no permissions boundary",
    "kinesis:": "the DynamoDB table streams to no Kinesis stream",
    "dynamodb:ImportTable": "the DynamoDB table is created empty, not imported from S3",
    "dynamodb:DescribeImport": "the DynamoDB table is created empty, not imported from S3",
    "s3:GetObjectMetadata": "the DynamoDB table is created empty, not imported from S3",
    "s3:ListBucket": "the DynamoDB table is created empty, not imported from S3",
    **dict.fromkeys(
        ["logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"],
        "the DynamoDB table is created empty, not imported from S3 (whose import logs to CloudWatch)",
    ),
    **dict.fromkeys(
        ["logs:AssociateKmsKey", "logs:DisassociateKmsKey"],
        "no customer-managed KMS key: CloudWatch Logs encrypts the access logs with its own",
    ),
    "logs:PutDataProtectionPolicy": "no data protection policy on the access logs",
    "logs:PutIndexPolicy": "no field index policy on the access logs",
    "logs:DeleteIndexPolicy": "no field index policy on the access logs",
    "logs:PutBearerTokenAuthentication": "nothing sends logs to the access log group but API Gateway",
    "logs:PutLogGroupDeletionProtection": "the access log group goes with the stack",
    "firehose:": "the access logs go to CloudWatch Logs only",
    "cognito-idp:DeleteUserPool": "the user pool is kept when the stack goes (DeletionPolicy: Retain)",
    "cognito-idp:AddCustomAttributes": "the user pool has no custom attributes",
    # Named by the schemas, unknown to IAM (cfn-lint's W3037 refuses them in a policy).
    "lambda:AssociateRuntimeAlias": "not an IAM action",
    "apigateway:TagResource": "not an IAM action: API Gateway tags with POST on /tags",
    "apigateway:UntagResource": "not an IAM action: API Gateway untags with DELETE on /tags",
    "s3:REST.PUT.OBJECT": "not an IAM action",
}
# What the execution role holds beyond the schemas' lists, and why.
BEYOND_THE_SCHEMAS = {
    "lambda:ListTags": "Lambda's GetFunction needs it on a tagged function, and CloudFormation tags them all",
    # API Gateway's guide, "Configure logging for HTTP APIs": what enabling a stage's access logs calls.
    **dict.fromkeys(
        ["logs:GetLogDelivery", "logs:UpdateLogDelivery", "logs:DeleteLogDelivery", "logs:ListLogDeliveries"],
        "API Gateway delivers the HTTP API stage's access logs to the log group",
    ),
}
HANDLERS = ("create", "read", "update", "delete")  # what deploying, updating and deleting the stack runs
IMAGES = {"mysql": "mysql:8.4", "postgresql": "postgres:16"}  # the versions RDS and Aurora run
CLAIM = "token.actions.githubusercontent.com:"
IAM_ACTIONS = load_resource(AdditionalSpecs, "Policies.json")  # IAM's actions and their resource types
STACK_PATH = {"Fn::Sub": "/${AWS::StackName}/"}  # the IAM path of the app stack's roles and policies


def read_yaml(baked: Baked, path: str) -> Any:
    return yaml.safe_load((baked.path / path).read_text())


# GitHub's schemas, zizmor and the pins are checked by the generated project's tests/test_workflows.py.


def test_ci_cancels_superseded_runs_and_audits_the_locked_dependencies(baked: Baked) -> None:
    ci = read_yaml(baked, WORKFLOWS[0])
    assert ci["concurrency"] == {
        "group": "${{ github.workflow }}-${{ github.ref }}",
        "cancel-in-progress": True,
    }
    (audit,) = [step["run"] for step in ci["jobs"]["audit"]["steps"] if step.get("name") == "pip-audit"]
    locks = ["-r", "requirements.txt", "-r", "requirements-migrate.txt"]
    assert shlex.split(audit) == ["pip-audit", "--require-hashes", "--disable-pip", *locks]
    dependabot = read_yaml(baked, ".github/dependabot.yml")
    assert {update["package-ecosystem"] for update in dependabot["updates"]} == {"github-actions", "pip"}


def test_the_workflows_set_up_the_chosen_python(baked: Baked) -> None:
    for path in WORKFLOWS:
        jobs = [job for job in read_yaml(baked, path)["jobs"].values() if "steps" in job]  # not reused ones
        for job in jobs:
            (setup,) = [
                step for step in job["steps"] if step.get("uses", "").startswith("actions/setup-python@")
            ]
            assert setup["with"]["python-version"] == baked.context["python_version"], path
            assert setup["with"]["cache"] == "pip", path


@pytest.fixture(scope="module", params=DATABASES)
def project(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Baked]:
    """A project with the defaults but the database; its databases are dropped before and after."""
    database = request.param
    baked = bake(
        tmp_path_factory.mktemp("ci"), project_name=combination_name("ci", database), database=database
    )
    servers.drop_databases(database, baked.app_name)
    yield baked
    servers.drop_databases(database, baked.app_name)


def local_server(database: str) -> dict[str, str]:
    """The settings that reach the local server in place of CI's service container."""
    url = make_url(servers.SERVER_URLS[database])
    return {
        "DB_HOST": url.host,
        "DB_PORT": str(url.port),
        "DB_USER": url.username,
        "DB_PASS": url.password or "",
    }


def ci_job(baked: Baked) -> dict[str, Any]:
    return read_yaml(baked, WORKFLOWS[0])["jobs"]["test"]


def test_the_ci_job_points_the_app_at_its_healthy_database_service(baked: Baked) -> None:
    job = ci_job(baked)
    (service,) = job["services"].values()
    assert service["image"] == IMAGES[baked.context["database"]]
    assert "--health-cmd" in service["options"]
    port = local_server(baked.context["database"])["DB_PORT"]  # the server's standard port
    assert service["ports"] == [f"{port}:{port}"]
    assert (job["env"]["DB_HOST"], job["env"]["DB_PORT"]) == ("127.0.0.1", port)


def setup_python(path: Path) -> Path:
    """What actions/setup-python leaves first on PATH: a Python of its own, here one that also sees
    the packages of the template's .venv (so the install step finds them and downloads nothing)."""
    subprocess.run([sys.executable, "-m", "venv", path], check=True)
    (site_packages,) = path.glob("lib/python*/site-packages")
    (site_packages / "template-venv.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    # pip finds invoke installed and writes no script for it: this one runs it with this Python,
    # which sees the project that pip installs (editable), as CI's invoke does.
    invoke = path / "bin" / "invoke"
    invoke.write_text(f"#!{path / 'bin' / 'python'}\nfrom invoke.main import program\nprogram.run()\n")
    invoke.chmod(0o755)
    return path / "bin"


@pytest.mark.slow
def test_the_ci_job_s_steps_pass_as_written_against_the_local_server(project: Baked, tmp_path: Path) -> None:
    job = ci_job(project)
    assert project.context["python_version"] == f"{sys.version_info.major}.{sys.version_info.minor}"
    assert [step["uses"].split("@")[0] for step in job["steps"] if "uses" in step] == STOOD_IN_FOR
    environment = {
        key: value for key, value in offline_environment(project).items() if not key.startswith("DB_")
    }
    environment |= job["env"] | local_server(project.context["database"]) | {"CI": "true"}
    environment["PATH"] = f"{setup_python(tmp_path / 'python')}{os.pathsep}{environment['PATH']}"
    runs = [step["run"] for step in job["steps"] if "run" in step]
    # CI checks what invoke check checks on a laptop (tasks/check.py), so the two cannot drift.
    assert runs == ["pip install -e '.[dev]'", "invoke check --integration"]
    for run in runs:  # as GitHub runs them: bash -e, with pipefail
        result = project.run(
            "bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", run, env=environment, timeout=900
        )
        assert result.returncode == 0, f"{run}\n{result.stdout[-4000:]}{result.stderr[-2000:]}"


def test_the_docs_give_the_deploy_workflow_s_migrate_command(baked: Baked) -> None:
    steps = read_yaml(baked, WORKFLOWS[1])["jobs"]["deploy"]["steps"]
    (migrate,) = [step["run"] for step in steps if step.get("name") == "Migrate"]
    on_main = shlex.join(shlex.split(migrate.replace("$DEPLOY_ENV", "production")))
    assert on_main == "invoke db.migrate --remote --env production"
    assert (
        f"`{on_main}`"
        in (baked.path / "docs" / "delivery.md").read_text().split("## Continuous delivery", 1)[1]
    )


def roles(baked: Baked) -> dict[str, Any]:
    resources = yaml_parse((baked.path / OIDC_TEMPLATE).read_text())["Resources"]
    return {
        name: resource["Properties"]
        for name, resource in resources.items()
        if resource["Type"] == "AWS::IAM::Role"
    }


def statements(role: dict[str, Any]) -> list[dict[str, Any]]:
    return [statement for policy in role["Policies"] for statement in policy["PolicyDocument"]["Statement"]]


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def test_only_the_repository_s_jobs_in_the_environment_assume_the_deploy_role(baked: Baked) -> None:
    (trust,) = roles(baked)["DeployRole"]["AssumeRolePolicyDocument"]["Statement"]
    assert trust["Action"] == "sts:AssumeRoleWithWebIdentity"
    assert set(trust["Condition"]) == {"StringEquals"}  # no StringLike: no wildcard in the claims
    assert trust["Condition"]["StringEquals"] == {
        CLAIM + "aud": "sts.amazonaws.com",
        CLAIM + "sub": {"Fn::Sub": "repo:${Repository}:environment:${Environment}"},
    }
    (execution_trust,) = roles(baked)["CloudFormationExecutionRole"]["AssumeRolePolicyDocument"]["Statement"]
    assert execution_trust["Principal"] == {"Service": "cloudformation.amazonaws.com"}


def is_an_iam_action(name: str) -> bool:
    service, _, action = name.lower().partition(":")
    return action in IAM_ACTIONS.get(service, {}).get("Actions", {})


def left_out(permission: str) -> bool:
    """Whether NOT_USED names ``permission``: a key that is an IAM action names it alone, others prefix."""
    return any(permission == key if is_an_iam_action(key) else permission.startswith(key) for key in NOT_USED)


def takes_a_resource(action: str) -> bool:
    """Whether IAM lets a statement name the resources of ``action`` (cfn-lint's copy of IAM's reference)."""
    service, name = action.lower().split(":")
    return bool(IAM_ACTIONS[service]["Actions"][name].get("Resources"))


def test_no_statement_allows_every_action_or_every_resource_but_the_unscoped_ones(baked: Baked) -> None:
    for name, role in roles(baked).items():
        for statement in statements(role):
            assert statement["Effect"] == "Allow"
            actions = as_list(statement["Action"])
            assert not any(action == "*" or action.endswith(":*") for action in actions), (name, actions)
            if "*" in as_list(statement["Resource"]):  # reads, and writes that IAM allows on "*" only
                writes = [
                    action for action in actions if not action.split(":")[1].startswith(("Describe", "List"))
                ]
                assert [action for action in writes if takes_a_resource(action)] == [], (
                    name,
                    statement["Sid"],
                )


def test_the_deploy_role_changes_the_app_stack_through_cloudformation_only(baked: Baked) -> None:
    by_action = {
        action: statement
        for statement in statements(roles(baked)["DeployRole"])
        for action in as_list(statement["Action"])
    }
    assert sorted(action for action in by_action if not action.startswith(("cloudformation:", "s3:"))) == [
        "iam:PassRole",
        "lambda:InvokeFunction",
    ]
    assert by_action["iam:PassRole"]["Resource"] == {"Fn::GetAtt": ["CloudFormationExecutionRole", "Arn"]}
    assert by_action["lambda:InvokeFunction"]["Condition"]["StringEquals"] == {
        "aws:ResourceTag/aws:cloudformation:stack-name": {"Ref": "AppStackName"},
        "aws:ResourceTag/aws:cloudformation:logical-id": "MigrateFunction",
    }


def handler_permissions(kinds: set[str]) -> dict[str, str]:
    """What CloudFormation's resource schemas (as cfn-lint ships them) say their handlers call, by lowercase
    name (the schemas write both s3:getObject and s3:GetObject)."""
    permissions = set()
    for kind in kinds:
        handlers = PROVIDER_SCHEMA_MANAGER.get_resource_schema(OPTIONS["aws_region"], kind).schema["handlers"]
        permissions |= {
            action for name in HANDLERS for action in handlers.get(name, {}).get("permissions", [])
        }
    return {permission.lower(): permission for permission in permissions}


def test_the_execution_role_holds_what_cloudformation_documents_for_template_yaml(baked: Baked) -> None:
    template = translate(baked.path / "template.yaml", OPTIONS["aws_region"])
    documented = handler_permissions({resource["Type"] for resource in template["Resources"].values()})
    needed = {key for key, permission in documented.items() if not left_out(permission)}
    role = roles(baked)["CloudFormationExecutionRole"]
    allowed = {action.lower() for statement in statements(role) for action in as_list(statement["Action"])}
    assert needed - allowed == set(), f"template.yaml needs them: allow them in {OIDC_TEMPLATE}"
    assert allowed - needed == {action.lower() for action in BEYOND_THE_SCHEMAS}, (
        "CloudFormation documents no need"
    )


def test_the_execution_role_attaches_and_passes_what_template_yaml_s_roles_need(baked: Baked) -> None:
    template = translate(baked.path / "template.yaml", OPTIONS["aws_region"])
    by_action = {
        action: statement
        for statement in statements(roles(baked)["CloudFormationExecutionRole"])
        for action in as_list(statement["Action"])
    }
    arns = by_action["iam:AttachRolePolicy"]["Condition"]["ArnEquals"]["iam:PolicyARN"]
    attachable = {arn["Fn::Sub"].replace("${AWS::Partition}", "aws") for arn in arns}
    passable = set(as_list(by_action["iam:PassRole"]["Condition"]["StringEquals"]["iam:PassedToService"]))
    resources = template["Resources"]

    def policy_arn(arn: Any) -> str:
        """An AWS managed policy's ARN; the stack's own policies by the path they are under."""
        if isinstance(arn, str):
            return arn
        policy = resources[arn["Ref"]]
        assert policy["Type"] == "AWS::IAM::ManagedPolicy"
        assert policy["Properties"]["Path"] == STACK_PATH
        return "arn:aws:iam::${AWS::AccountId}:policy/${AppStackName}/*"

    for name, resource in resources.items():
        if resource["Type"] == "AWS::IAM::Role":
            policies = {policy_arn(arn) for arn in resource["Properties"].get("ManagedPolicyArns", [])}
            assert policies <= attachable, name
            trust = resource["Properties"]["AssumeRolePolicyDocument"]["Statement"]
            services = {
                service for statement in trust for service in as_list(statement["Principal"]["Service"])
            }
            assert services <= passable, name


def test_the_execution_role_writes_in_iam_only_under_the_app_stack_s_path(baked: Baked) -> None:
    """No role or policy of the account but the stack's own: template.yaml creates them under /<stack>/."""
    template = translate(baked.path / "template.yaml", OPTIONS["aws_region"])
    own = [
        resource for resource in template["Resources"].values() if resource["Type"].startswith("AWS::IAM::")
    ]
    assert {resource["Type"] for resource in own} == {"AWS::IAM::Role", "AWS::IAM::ManagedPolicy"}
    assert all(resource["Properties"]["Path"] == STACK_PATH for resource in own)

    iam_path = "arn:${AWS::Partition}:iam::${AWS::AccountId}:"
    stack_paths = {f"{iam_path}role/${{AppStackName}}/*", f"{iam_path}policy/${{AppStackName}}/*"}
    rds_service_role = f"{iam_path}role/aws-service-role/rds.amazonaws.com/*"
    for statement in statements(roles(baked)["CloudFormationExecutionRole"]):
        writes = [
            action
            for action in as_list(statement["Action"])
            if action.startswith("iam:") and not action.split(":")[1].startswith(("Get", "List"))
        ]
        if writes:
            resources = {resource["Fn::Sub"] for resource in as_list(statement["Resource"])}
            allowed = {rds_service_role} if writes == ["iam:CreateServiceLinkedRole"] else stack_paths
            assert resources <= allowed, (statement["Sid"], resources)


@pytest.mark.slow
def test_checkov_fails_nothing_in_the_oidc_template(project: Baked) -> None:
    result = project.run(
        BIN / "checkov", "--skip-download", "--framework", "cloudformation",
        "-f", OIDC_TEMPLATE, "-o", "json", env=offline_environment(project), timeout=300,
    )  # fmt: skip
    report = json.loads(result.stdout)
    assert report["results"]["failed_checks"] == [], result.stdout[-2000:]
    assert report["summary"]["passed"] > 10

"""The database template.yaml can create, the RDS Proxy in front of it and IAM authentication.

Every combination of DatabaseMode (existing, aurora-serverless, instance) and of how the functions
log in (the secret's password, an IAM token straight to the database, the proxy) is deployed
offline from the translated template, conditions evaluated, once per database engine. cfn-lint and
``sam validate --lint`` (tests/test_sam.py) read every branch of the template at once; checkov
reads only the branch of the parameters' defaults, so it runs here once per combination.
"""

import itertools
import json
import re
from pathlib import Path
from typing import Any

import pytest

from tests.baking import BIN, Baked, offline_environment
from tests.cloudformation import Template, deployed, of_type, refusals
from tests.test_sam import EXISTING_DATABASE, HOST, SECRET, USER_GROUP

MODES = {
    "existing": {**EXISTING_DATABASE, "DatabaseSecurityGroupId": USER_GROUP},
    "aurora-serverless": {"DatabaseMode": "aurora-serverless"},
    "instance": {"DatabaseMode": "instance"},
}
LOGINS = {
    "password": {},
    "iam": {"IamDatabaseAuth": "true", "DatabaseResourceId": "db-ABCDEFGHIJKL"},
    "proxy": {"RdsProxy": "true", "DatabaseInstanceId": "blog"},
}
DATABASE_RESOURCES = {
    "existing": {"DatabaseIngress"},
    "aurora-serverless": {
        "DatabaseSubnetGroup",
        "DatabaseSecurityGroup",
        "DatabaseCluster",
        "DatabaseClusterInstance",
    },
    "instance": {"DatabaseSubnetGroup", "DatabaseSecurityGroup", "DatabaseInstance"},
}
# The functions read the secrets through the endpoint; behind the proxy, the migrate function still
# reads the app user's, whose password it sets. With tokens straight to the database, no AWS call.
APP_USER_SECRET = {"AppUserSecret", "EndpointSecurityGroup", "SecretsManagerEndpoint"}
LOGIN_RESOURCES = {
    "password": APP_USER_SECRET,
    "iam": set(),
    "proxy": APP_USER_SECRET
    | {"ProxySecurityGroup", "DatabaseProxyRole", "DatabaseProxy", "DatabaseProxyTargetGroup"},
}
POLICIES = {"ApiFunction": "ApiDatabaseAccessPolicy", "MigrateFunction": "MigrateDatabaseAccessPolicy"}
# What the dynamodb option adds whatever the database (tests/test_dynamodb.py checks it).
OPTION_RESOURCES = {"no": set(), "yes": {"Table"}}
FUNCTIONS = ("ApiFunction", "MigrateFunction")
CREATED_SECRET = {
    "existing": SECRET,
    "aurora-serverless": {"Fn::GetAtt": ["DatabaseCluster", "MasterUserSecret.SecretArn"]},
    "instance": {"Fn::GetAtt": ["DatabaseInstance", "MasterUserSecret.SecretArn"]},
}
DATABASE_HOST = {
    "existing": HOST,
    "aurora-serverless": {"Fn::GetAtt": ["DatabaseCluster", "Endpoint.Address"]},
    "instance": {"Fn::GetAtt": ["DatabaseInstance", "Endpoint.Address"]},
}
RESOURCE_ID = {
    "existing": "db-ABCDEFGHIJKL",
    "aurora-serverless": {"Fn::GetAtt": ["DatabaseCluster", "DBClusterResourceId"]},
    "instance": {"Fn::GetAtt": ["DatabaseInstance", "DbiResourceId"]},
}
PROXY_ID = {"Fn::Select": [6, {"Fn::Split": [":", {"Fn::GetAtt": ["DatabaseProxy", "DBProxyArn"]}]}]}
READ_SECRET = "secretsmanager:GetSecretValue"
COMBINATIONS = list(itertools.product(MODES, LOGINS))
IDS = [f"{mode}-{login}" for mode, login in COMBINATIONS]


def parameters(mode: str, login: str, **more: str) -> dict[str, str]:
    return {**MODES[mode], **LOGINS[login], **more}


def stack_resources(resources: dict[str, Template]) -> set[str]:
    """The resources besides the functions, their roles and their API (tests/test_api_access.py)."""
    app = ("AWS::Lambda::", "AWS::ApiGatewayV2::", "AWS::IAM::Role", "AWS::Logs::", "AWS::Cognito::")
    return {name for name, resource in resources.items() if not resource["Type"].startswith(app)} | (
        {"DatabaseProxyRole"} & set(resources)
    )


@pytest.mark.parametrize(("mode", "login"), COMBINATIONS, ids=IDS)
def test_each_combination_creates_exactly_what_it_needs(
    baked: Baked, template: Template, mode: str, login: str
) -> None:
    created = stack_resources(deployed(template, **parameters(mode, login)))
    common = {"LambdaSecurityGroup", *POLICIES.values()} | OPTION_RESOURCES[baked.context["dynamodb"]]
    assert created == common | DATABASE_RESOURCES[mode] | LOGIN_RESOURCES[login]
    assert refusals(template, **parameters(mode, login)) == []


@pytest.mark.parametrize(("mode", "login"), COMBINATIONS, ids=IDS)
def test_the_database_is_private_encrypted_and_reached_from_the_functions_only(
    template: Template, mode: str, login: str
) -> None:
    resources = deployed(template, **parameters(mode, login))
    groups = of_type(resources, "AWS::EC2::SecurityGroup")
    rules = {
        name: rule
        for name, group in groups.items()
        for rule in group["Properties"].get("SecurityGroupIngress", [])
    } | {
        name: rule["Properties"]
        for name, rule in of_type(resources, "AWS::EC2::SecurityGroupIngress").items()
    }
    for rule in rules.values():
        assert "CidrIp" not in rule and "CidrIpv6" not in rule, rule
    into_database = rules.get("DatabaseSecurityGroup") or rules["DatabaseIngress"]
    expected_source = "ProxySecurityGroup" if login == "proxy" else "LambdaSecurityGroup"
    assert into_database["SourceSecurityGroupId"] == {"Ref": expected_source}
    assert into_database["FromPort"] == into_database["ToPort"] == {"Ref": "DatabasePort"}
    if login == "proxy":
        assert rules["ProxySecurityGroup"]["SourceSecurityGroupId"] == {"Ref": "LambdaSecurityGroup"}

    for instance in of_type(resources, "AWS::RDS::DBInstance").values():
        assert instance["Properties"]["PubliclyAccessible"] is False
    for database in [*of_type(resources, "AWS::RDS::DBCluster").values(), resources.get("DatabaseInstance")]:
        if database:
            properties = database["Properties"]
            assert (properties["StorageEncrypted"], properties["ManageMasterUserPassword"]) == (True, True)
            assert properties["DBSubnetGroupName"] == {"Ref": "DatabaseSubnetGroup"}
            assert database["DeletionPolicy"] == database["UpdateReplacePolicy"] == "Snapshot"
    assert '"MasterUserPassword"' not in json.dumps(resources)  # nor any password in the template


@pytest.mark.parametrize(("mode", "login"), COMBINATIONS, ids=IDS)
def test_the_functions_reach_the_database_and_may_only_log_in_to_it(
    template: Template, mode: str, login: str
) -> None:
    resources = deployed(template, **parameters(mode, login))
    app_secret = {"Ref": "AppUserSecret"}
    # Each function logs in as its own user: the API as the app user, the migrate function as the owner.
    for name, user, secret in [
        ("ApiFunction", "DatabaseAppUser", app_secret),
        ("MigrateFunction", "DatabaseUser", CREATED_SECRET[mode]),
    ]:
        variables = resources[name]["Properties"]["Environment"]["Variables"]
        policy = resources[POLICIES[name]]["Properties"]["PolicyDocument"]["Statement"]
        statements = [statement for statement in policy if statement != {"Ref": "AWS::NoValue"}]
        login_secret = "DB_APP_SECRET_ARN" if name == "ApiFunction" else "DB_SECRET_ARN"
        if login == "password":
            assert (variables[login_secret], variables["DB_IAM_AUTH"]) == (secret, "false")
            assert statements[0] == {"Effect": "Allow", "Action": READ_SECRET, "Resource": secret}
        else:
            assert (variables[login_secret], variables["DB_IAM_AUTH"]) == ("", "true")
            assert (statements[0]["Effect"], statements[0]["Action"]) == ("Allow", "rds-db:connect")
            arn, names = statements[0]["Resource"]["Fn::Sub"]
            assert arn.endswith(f":dbuser:${{ResourceId}}/${{{user}}}")
            assert names == {"ResourceId": PROXY_ID if login == "proxy" else RESOURCE_ID[mode]}
        # The migrate function also reads the password it sets on the app user (none with IAM tokens).
        sets_password = [app_secret] if name == "MigrateFunction" and login != "iam" else []
        assert [statement["Resource"] for statement in statements[1:]] == sets_password
        if name == "MigrateFunction":  # and it is told where to find that password
            assert variables["DB_APP_SECRET_ARN"] == (sets_password[0] if sets_password else "")
    variables = resources["ApiFunction"]["Properties"]["Environment"]["Variables"]
    proxy_host = {"Fn::GetAtt": ["DatabaseProxy", "Endpoint"]}
    assert variables["DB_HOST"] == (proxy_host if login == "proxy" else DATABASE_HOST[mode])
    for name in FUNCTIONS:
        policies = resources[f"{name}Role"]["Properties"]
        assert policies["ManagedPolicyArns"][2:] == [{"Ref": POLICIES[name]}]
        inline = [  # with dynamodb=yes, the API function's table access (tests/test_dynamodb.py)
            action
            for policy in policies.get("Policies", [])
            for statement in policy["PolicyDocument"]["Statement"]
            for action in statement["Action"]
        ]
        assert all(action.startswith("dynamodb:") for action in inline), inline


@pytest.mark.parametrize("mode", ["aurora-serverless", "instance"])
def test_the_created_database_logs_iam_users_in_only_when_the_functions_go_straight_to_it(
    template: Template, mode: str
) -> None:
    for login, enabled in [("password", False), ("iam", True), ("proxy", False)]:
        database = deployed(template, **parameters(mode, login))
        name = "DatabaseCluster" if mode == "aurora-serverless" else "DatabaseInstance"
        assert database[name]["Properties"]["EnableIAMDatabaseAuthentication"] is enabled


def test_the_proxy_requires_tls_and_iam_and_logs_in_with_each_user_s_secret(template: Template) -> None:
    for mode in MODES:
        resources = deployed(template, **parameters(mode, "proxy"))
        proxy = resources["DatabaseProxy"]["Properties"]
        assert proxy["RequireTLS"] is True
        secrets = [CREATED_SECRET[mode], {"Ref": "AppUserSecret"}]  # the owner's, the app user's
        assert proxy["Auth"] == [
            {"AuthScheme": "SECRETS", "SecretArn": secret, "IAMAuth": "REQUIRED"} for secret in secrets
        ]
        role_policy = resources["DatabaseProxyRole"]["Properties"]["Policies"][0]["PolicyDocument"]
        assert role_policy["Statement"] == [
            {"Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": secrets}
        ]
        targets = resources["DatabaseProxyTargetGroup"]["Properties"]
        expected = {
            "existing": ("DBInstanceIdentifiers", ["blog"]),
            "aurora-serverless": ("DBClusterIdentifiers", [{"Ref": "DatabaseCluster"}]),
            "instance": ("DBInstanceIdentifiers", [{"Ref": "DatabaseInstance"}]),
        }[mode]
        assert {key: value for key, value in targets.items() if value != {"Ref": "AWS::NoValue"}} == {
            "DBProxyName": {"Ref": "DatabaseProxy"},
            "TargetGroupName": "default",
            expected[0]: expected[1],
        }


def test_aurora_pauses_at_zero_capacity_outside_production_only(template: Template) -> None:
    def cluster(app_env: str) -> dict[str, Any]:
        resources = deployed(template, **parameters("aurora-serverless", "password", AppEnv=app_env))
        return resources["DatabaseCluster"]["Properties"]

    staging, production = cluster("staging"), cluster("production")
    assert staging["ServerlessV2ScalingConfiguration"] == {
        "MinCapacity": 0,
        "MaxCapacity": {"Ref": "DatabaseMaxCapacity"},
        "SecondsUntilAutoPause": 300,
    }
    assert production["ServerlessV2ScalingConfiguration"]["MinCapacity"] == 0.5
    assert production["ServerlessV2ScalingConfiguration"]["SecondsUntilAutoPause"] == {"Ref": "AWS::NoValue"}
    assert (staging["DeletionProtection"], production["DeletionProtection"]) == (False, True)
    assert (staging["BackupRetentionPeriod"], production["BackupRetentionPeriod"]) == (1, 7)


@pytest.mark.parametrize(
    ("given", "refusal"),
    [
        ({"DatabaseSecretArn": SECRET}, "DatabaseMode existing needs DatabaseHost"),
        ({"DatabaseHost": HOST}, "DatabaseMode existing needs DatabaseSecretArn"),
        (
            {**EXISTING_DATABASE, "IamDatabaseAuth": "true"},
            "IamDatabaseAuth without a proxy needs DatabaseResourceId",
        ),
        ({**EXISTING_DATABASE, "RdsProxy": "true"}, "RdsProxy in front of an existing database needs"),
    ],
    ids=["no-host", "no-secret", "iam-without-resource-id", "proxy-without-target"],
)
def test_an_incomplete_existing_database_is_refused_before_anything_is_created(
    template: Template, given: dict[str, str], refusal: str
) -> None:
    [refused] = refusals(template, **given)
    assert refused.startswith(refusal)


def with_defaults(text: str, values: dict[str, str]) -> str:
    """template.yaml with these parameters' defaults changed, so checkov reads that branch."""
    for name, value in values.items():
        text, count = re.subn(
            rf"(\n  {name}:\n    Type: [^\n]+\n)(    Default: [^\n]*\n)?",
            rf'\g<1>    Default: "{value}"\n',
            text,
        )
        assert count == 1, name
    return text


@pytest.mark.slow
@pytest.mark.parametrize(
    ("mode", "login"), [(mode, login) for mode in MODES for login in ("password", "proxy")]
)
def test_checkov_fails_nothing_in_each_combination(
    baked: Baked, tmp_path: Path, mode: str, login: str
) -> None:
    path = tmp_path / "template.yaml"
    path.write_text(with_defaults((baked.path / "template.yaml").read_text(), parameters(mode, login)))
    result = baked.run(
        BIN / "checkov", "--skip-download", "--framework", "cloudformation",
        "-f", path, "-o", "json", env=offline_environment(baked), timeout=300,
    )  # fmt: skip
    report = json.loads(result.stdout)
    assert [check["check_id"] for check in report["results"]["failed_checks"]] == [], result.stdout[-2000:]
    checked = {check["resource"].split(".")[-1] for check in report["results"]["passed_checks"]}
    assert DATABASE_RESOURCES[mode] - {"DatabaseSubnetGroup"} <= checked | {
        check["resource"].split(".")[-1] for check in report["results"]["skipped_checks"]
    }
    for check in report["results"]["skipped_checks"]:
        assert len(check["check_result"]["suppress_comment"]) > 30, check["check_id"]

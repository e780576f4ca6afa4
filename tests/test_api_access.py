"""Who may call the deployed API (the api_auth option), how fast, and what its access logs say.

Each mode is baked with and without DynamoDB and read from the translated stack, its conditions
evaluated: the authorizer on every route unless api_auth=none (but the routes jwt marks public),
API Gateway's throttling sized by ReservedConcurrency, access logs in JSON to a log group with a
retention, and CORS for the origins given only. cfn-lint, ``sam validate --lint`` and checkov read
each mode, and the pipeline's roles are checked against what each mode's stack holds.
"""

import json
import os
import re
from collections.abc import Callable
from typing import Any

import pytest

from tests import test_pipeline
from tests.baking import BIN, OPTIONS, Baked, bake, combination_name, offline_environment
from tests.cloudformation import Template, deployed, of_type, refusals, translate
from tests.servers import drop_databases
from tests.test_sam import EXISTING_DATABASE

ACCESS = [(mode, dynamodb) for mode in OPTIONS["api_auth"] for dynamodb in OPTIONS["dynamodb"]]
ROUTES = {"GET /posts", "POST /posts", "GET /posts/{post_id}"}
PUBLIC_WITH_JWT = {"GET /posts", "GET /posts/{post_id}"}  # the reads: their events say Authorizer: NONE
AUTHORIZERS = {"iam": "AWS_IAM", "jwt": "Jwt", "none": None}
SIGV4 = {
    "type": "apiKey",
    "name": "Authorization",
    "in": "header",
    "x-amazon-apigateway-authtype": "awsSigv4",
}
ISSUER, AUDIENCE = "https://login.example.com/", "api-client-1,api-client-2"
ORIGINS = "https://app.example.com,https://admin.example.com"
STAGE = "ServerlessHttpApiApiGatewayDefaultStage"
AUTHORS = {  # who signed the sample event of POST /posts (events/post_posts.json) in each mode
    "iam": "arn:aws:sts::123456789012:assumed-role/ClientRole/client-session",  # the IAM principal
    "jwt": "8d1e5c2a-61f3-4b6e-9c9a-2f1f0c3b7a10",  # the token's subject
    "none": None,  # no authorizer, nobody vouched
}


@pytest.fixture(
    scope="module",
    params=[  # with DynamoDB in the slow tier, as the combinations of tests/conftest.py
        pytest.param(
            (mode, dynamodb),
            id=f"{mode}-dynamodb_{dynamodb}",
            marks=pytest.mark.slow if dynamodb == "yes" else (),
        )
        for mode, dynamodb in ACCESS
    ],
)
def api(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Baked:
    """A project baked with one api_auth mode, with or without DynamoDB, the other options as by default."""
    mode, dynamodb = request.param
    name = combination_name("access", mode, dynamodb)
    baked = bake(tmp_path_factory.mktemp("access"), project_name=name, api_auth=mode, dynamodb=dynamodb)
    drop_databases(baked.context["database"], baked.app_name)
    return baked


@pytest.fixture(scope="module")
def stack(api: Baked) -> Template:
    return translate(api.path / "template.yaml", OPTIONS["aws_region"])


def openapi(stack: Template, **parameters: str) -> dict[str, Any]:
    """The HTTP API's definition, as SAM writes it from the HttpApi events and Globals.HttpApi, with
    these parameter values (else the defaults) deciding its conditions."""
    return deployed(stack, **parameters)["ServerlessHttpApi"]["Properties"]["Body"]


def route_security(stack: Template) -> dict[str, Any]:
    """Each route (``GET /posts``) and the security requirement (authorizer) it names, if any."""
    return {
        f"{method.upper()} {path}": operation.get("security")
        for path, operations in openapi(stack)["paths"].items()
        for method, operation in operations.items()
    }


def test_every_route_takes_the_chosen_callers_only(api: Baked, stack: Template) -> None:
    mode, security = api.context["api_auth"], route_security(stack)
    assert set(security) == ROUTES
    schemes = openapi(stack).get("components", {}).get("securitySchemes", {})
    authorizer = AUTHORIZERS[mode]
    for route, requirement in security.items():
        if authorizer is None:  # api_auth=none: public, as its README says
            assert requirement is None, route
        elif mode == "jwt" and route in PUBLIC_WITH_JWT:
            assert requirement == [{"NONE": []}], route  # SAM's Authorizer: NONE, no authorizer
        else:
            assert requirement == [{authorizer: []}], route
    if mode == "iam":
        assert schemes == {"AWS_IAM": SIGV4}
    elif mode == "jwt":
        jwt = schemes["Jwt"]["x-amazon-apigateway-authorizer"]
        assert (jwt["type"], jwt["identitySource"]) == ("jwt", "$request.header.Authorization")
    else:
        assert schemes == {}


def jwt_configuration(stack: Template, **parameters: str) -> dict[str, Any]:
    """The issuer and audience the JWT authorizer checks, with these parameter values."""
    scheme = openapi(stack, **parameters)["components"]["securitySchemes"]["Jwt"]
    return scheme["x-amazon-apigateway-authorizer"]["jwtConfiguration"]


def test_jwt_takes_the_created_user_pool_s_tokens_or_those_of_the_issuer_given(
    api: Baked, stack: Template
) -> None:
    if api.context["api_auth"] != "jwt":
        assert not of_type(stack["Resources"], "AWS::Cognito::UserPool")
        return
    created = deployed(stack)
    assert {"UserPool", "UserPoolClient"} <= set(created)
    assert created["UserPool"]["DeletionPolicy"] == "Retain"
    assert created["UserPool"]["Properties"]["AdminCreateUserConfig"] == {"AllowAdminCreateUserOnly": True}
    assert created["UserPoolClient"]["Properties"]["GenerateSecret"] is False
    assert jwt_configuration(stack) == {
        "issuer": {"Fn::Sub": "https://cognito-idp.${AWS::Region}.amazonaws.com/${UserPool}"},
        "audience": [{"Ref": "UserPoolClient"}],
    }

    given = {"JwtIssuer": ISSUER, "JwtAudience": AUDIENCE}
    assert not {"UserPool", "UserPoolClient"} & set(deployed(stack, **given))
    assert refusals(stack, **EXISTING_DATABASE, **given) == []
    assert jwt_configuration(stack, **given) == {
        "issuer": ISSUER,
        "audience": {"Fn::Split": [",", {"Ref": "JwtAudience"}]},  # the clients given, comma-separated
    }
    for half in ({"JwtIssuer": ISSUER}, {"JwtAudience": AUDIENCE}):
        [refused] = refusals(stack, **EXISTING_DATABASE, **half)
        assert refused.startswith("JwtIssuer and JwtAudience go together")


def test_the_stage_throttles_to_what_the_reserved_concurrency_serves(stack: Template) -> None:
    def limits(**parameters: str) -> dict[str, Any]:
        return deployed(stack, **parameters)[STAGE]["Properties"]["DefaultRouteSettings"]

    # ReservedConcurrency 10 by default: 10 requests at once, 100 a second (100 ms each), then 429.
    assert limits() == {"ThrottlingBurstLimit": "10", "ThrottlingRateLimit": "100"}
    assert limits(ReservedConcurrency="25") == {"ThrottlingBurstLimit": "25", "ThrottlingRateLimit": "250"}
    given = limits(ThrottlingBurstLimit="50", ThrottlingRateLimit="20")
    assert given == {"ThrottlingBurstLimit": "50", "ThrottlingRateLimit": "20"}
    uncapped = limits(ReservedConcurrency="")  # the account's limits only
    assert uncapped == {
        "ThrottlingBurstLimit": {"Ref": "AWS::NoValue"},
        "ThrottlingRateLimit": {"Ref": "AWS::NoValue"},
    }


def test_the_stage_writes_json_access_logs_to_a_log_group_kept_a_year(api: Baked, stack: Template) -> None:
    resources = deployed(stack)
    logs = resources[STAGE]["Properties"]["AccessLogSettings"]
    assert logs["DestinationArn"] == {"Fn::GetAtt": ["ApiAccessLogs", "Arn"]}
    line = json.loads(logs["Format"])  # one JSON object per request
    assert {"requestId", "ip", "routeKey", "status", "integrationError", "authorizerError"} <= set(line)
    caller = {"iam": "$context.identity.userArn", "jwt": "$context.authorizer.claims.sub", "none": None}
    assert line.get("caller") == caller[api.context["api_auth"]]
    group = resources["ApiAccessLogs"]
    assert group["Type"] == "AWS::Logs::LogGroup"
    assert group["Properties"]["RetentionInDays"] == {"Ref": "AccessLogRetentionInDays"}
    assert stack["Parameters"]["AccessLogRetentionInDays"]["Default"] == 365
    assert group["Properties"]["LogGroupName"] == {"Fn::Sub": "/aws/vendedlogs/${AWS::StackName}/api-access"}


def test_cors_lets_in_the_origins_given_and_none_by_default(api: Baked, stack: Template) -> None:
    assert openapi(stack)["x-amazon-apigateway-cors"] == {"Ref": "AWS::NoValue"}  # no CORS at all
    given = translate(api.path / "template.yaml", OPTIONS["aws_region"], CorsAllowedOrigins=ORIGINS)
    cors = openapi(given, CorsAllowedOrigins=ORIGINS)["x-amazon-apigateway-cors"]
    assert cors["allowOrigins"] == {"Fn::Split": [",", ORIGINS]}
    assert "authorization" in cors["allowHeaders"]
    assert cors.get("allowCredentials") is None  # no cookies: callers authenticate with a header


@pytest.mark.parametrize(
    "check",
    [
        test_pipeline.test_the_execution_role_holds_what_cloudformation_documents_for_template_yaml,
        test_pipeline.test_no_statement_allows_every_action_or_every_resource_but_the_unscoped_ones,
        test_pipeline.test_the_execution_role_writes_in_iam_only_under_the_app_stack_s_path,
    ],
    ids=["documented-permissions", "unscoped-reads-only", "iam-on-the-stack-path"],
)
def test_the_pipeline_s_roles_deploy_each_mode(api: Baked, check: Callable[[Baked], None]) -> None:
    check(api)


@pytest.mark.slow
def test_cfn_lint_reports_nothing(api: Baked) -> None:
    result = api.run(
        BIN / "cfn-lint", "template.yaml", "deploy/github-oidc.yaml", env=offline_environment(api)
    )
    assert (result.returncode, result.stdout + result.stderr) == (0, "")


@pytest.mark.slow
def test_sam_validate_lint_passes(api: Baked) -> None:
    command = [BIN / "sam", "validate", "--lint", "--region", OPTIONS["aws_region"]]
    result = api.run(*command, env=offline_environment(api), timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.slow
def test_checkov_fails_nothing(api: Baked) -> None:
    result = api.run(
        BIN / "checkov", "--skip-download", "--framework", "cloudformation", "-o", "json",
        "-f", "template.yaml", "-f", "deploy/github-oidc.yaml", env=offline_environment(api), timeout=300,
    )  # fmt: skip
    reports = json.loads(result.stdout)
    for report in reports if isinstance(reports, list) else [reports]:
        assert report["results"]["failed_checks"] == [], result.stdout[-2000:]
        for check in report["results"]["skipped_checks"]:
            assert len(check["check_result"]["suppress_comment"]) > 30, check["check_id"]


@pytest.mark.slow
def test_each_mode_s_suite_passes_and_a_post_records_the_caller_its_event_names(api: Baked) -> None:
    """The project's own suite passes in every mode (tests/test_bake.py runs iam's); then the sample
    POST, shaped as API Gateway sends it in that mode (events/post_posts.json), creates a post whose
    author is the caller it names."""
    environment = {key: value for key, value in os.environ.items() if not key.startswith(("DB_", "APP_ENV"))}
    environment |= {"PYTHONPATH": str(api.path), "PATH": f"{BIN}:{environment['PATH']}"}
    if api.context["api_auth"] != "iam":
        pytest_command = [BIN / "python", "-m", "pytest", "-q", "-p", "no:cacheprovider"]
        suite = api.run(*pytest_command, env=environment, timeout=600)
        assert re.fullmatch(r"\d+ passed in .*", suite.stdout.strip().splitlines()[-1]), suite.stdout[-3000:]
    for task in (["db.create"], ["db.migrate"], ["api.invoke", "events/post_posts.json"]):
        answer = api.run(BIN / "invoke", *task, "--env", "test", env=environment, timeout=120)
        assert answer.returncode == 0, answer.stdout[-2000:] + answer.stderr[-2000:]
    response = json.loads(answer.stdout)
    assert response["statusCode"] == 201, response
    assert json.loads(response["body"])["author"] == AUTHORS[api.context["api_auth"]]

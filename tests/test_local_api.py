"""What runs the API locally: the sample events in events/, and env.json for ``sam local``."""

import json
import os
import subprocess
from typing import Any

import pytest
from samtranslator.yaml_helper import yaml_parse

from tests.baking import BIN, Baked

PORTS = {"mysql": "3306", "postgresql": "5432"}
USERS = {"mysql": "root", "postgresql": "postgres"}
# Maps whose keys are data (header names, parameter names...), not part of the event's shape.
FREE_FORM = {"headers", "queryStringParameters", "pathParameters", "stageVariables", "claims"}
# What API Gateway (and sam local start-api) leave out of a request that has none: no cookies,
# query, body or path parameters, stage variables, client certificate (mTLS) or authorizer.
ABSENT_WHEN_UNUSED = {
    "cookies",
    "queryStringParameters",
    "body",
    "pathParameters",
    "stageVariables",
    "requestContext.authentication",
    "requestContext.authorizer",
}


@pytest.fixture(scope="module")
def generated_event() -> dict[str, Any]:
    """The event ``sam local generate-event apigateway http-api-proxy`` makes (its shape is all we use)."""
    result = subprocess.run(
        [BIN / "sam", "local", "generate-event", "apigateway", "http-api-proxy"],
        capture_output=True,
        text=True,
        check=True,
        env=os.environ | {"SAM_CLI_TELEMETRY": "0"},
    )
    return json.loads(result.stdout)


# requestContext.authorizer under IAM authorization (api_auth=iam), as AWS documents it for payload 2.0.
IAM_AUTHORIZER = {
    "requestContext.authorizer.iam": "dict",
    **{
        f"requestContext.authorizer.iam.{key}": "str"
        for key in ("accessKey", "accountId", "callerId", "userArn", "userId")
    },
    "requestContext.authorizer.iam.cognitoIdentity": "NoneType",
    "requestContext.authorizer.iam.principalOrgId": "NoneType",
}


def shape(event: dict[str, Any], prefix: str = "") -> dict[str, str]:
    """Every key path of ``event`` ("requestContext.http.method") and the type of its value."""
    found = {}
    for key, value in event.items():
        found[prefix + key] = type(value).__name__
        if isinstance(value, dict) and key not in FREE_FORM:
            found |= shape(value, f"{prefix}{key}.")
    return found


def optional(key: str) -> bool:
    """Whether API Gateway leaves ``key`` out of a request that does not use it."""
    return any(key == absent or key.startswith(absent + ".") for absent in ABSENT_WHEN_UNUSED)


def test_each_sample_event_has_the_shape_sam_generates(baked: Baked, generated_event: dict) -> None:
    expected = shape(generated_event) | IAM_AUTHORIZER  # sam's sample has a JWT authorizer's part
    files = sorted((baked.path / "events").glob("*.json"))
    assert files  # one per route: the generated suite checks them against the app's routes
    for path in files:
        event = json.loads(path.read_text())
        found = shape(event)
        assert found.keys() - expected.keys() == set(), path.name  # no key sam's event lacks
        assert {key for key in expected.keys() - found.keys() if not optional(key)} == set(), path.name
        assert {key for key in found if found[key] != expected[key]} == set(), path.name  # same types
        for name in FREE_FORM & event.keys():
            assert all(isinstance(value, str) for value in event[name].values()), (path.name, name)


def test_env_json_sets_only_variables_the_functions_declare(baked: Baked) -> None:
    """sam local passes a function only the variables template.yaml declares for it: others are lost."""
    template = yaml_parse((baked.path / "template.yaml").read_text())
    functions = {
        name: resource["Properties"].get("Environment", {}).get("Variables", {})
        for name, resource in template["Resources"].items()
        if resource["Type"] == "AWS::Serverless::Function"
    }
    globally = template["Globals"]["Function"]["Environment"]["Variables"]
    database = baked.context["database"]
    env = json.loads((baked.path / "env.json").read_text())

    assert env.keys() == functions.keys() == {"ApiFunction", "MigrateFunction"}
    table = {  # the development table on moto_server, on the machine running Docker
        "DYNAMODB_TABLE": f"{baked.app_name}_development",
        "DYNAMODB_ENDPOINT": "http://host.docker.internal:8000",
    }
    for name, variables in env.items():
        assert variables.keys() <= globally.keys() | functions[name].keys(), name
        assert variables == {
            "APP_ENV": "development",
            "DB_HOST": "host.docker.internal",  # the machine running Docker, seen from the container
            "DB_PORT": PORTS[database],
            "DB_USER": USERS[database],  # the owner
            "DB_APP_USER": baked.app_user,  # whom the API logs in as
            "DB_NAME": f"{baked.app_name}_development",
        } | (table if name == "ApiFunction" and baked.context["dynamodb"] == "yes" else {})

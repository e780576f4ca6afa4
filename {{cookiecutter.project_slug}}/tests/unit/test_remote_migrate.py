"""invoke db.migrate --remote: the deployed migrate function, invoked through boto3 (stubbed here)."""

import io
import json
import os
import shlex

import pytest
import yaml
from botocore.response import StreamingBody
from invoke import Context, Program
from invoke.exceptions import Exit

from app.environment import PROJECT_ROOT

from tasks import db as db_tasks
from tasks import namespace
from tasks.remote import MIGRATE_TIMEOUT
from tasks.stack import DeploymentError, Stack, stack_for
from tests.conftest import REGION

STACK = stack_for("production").name
FUNCTION = f"{STACK}-MigrateFunction-AbC123"
DEPLOY_WORKFLOW = PROJECT_ROOT / ".github" / "workflows" / "deploy.yml"


def payload(value: object) -> StreamingBody:
    data = json.dumps(value).encode()
    return StreamingBody(io.BytesIO(data), len(data))


def stacks(stubs) -> None:
    described = {
        "Stacks": [
            {
                "StackName": STACK,
                "CreationTime": "2026-01-01T00:00:00Z",
                "StackStatus": "UPDATE_COMPLETE",
                "Outputs": [{"OutputKey": "MigrateFunctionName", "OutputValue": FUNCTION}],
            }
        ]
    }
    stubs["cloudformation"].add_response("describe_stacks", described, {"StackName": STACK})


def invoked(stubs, answer: dict, **response: str) -> None:
    expected = {"FunctionName": FUNCTION, "Payload": json.dumps({"target": "head"}).encode()}
    stubs["lambda"].add_response(
        "invoke", {"StatusCode": 200, "Payload": payload(answer), **response}, expected
    )


def migrate_remotely(env: str) -> None:
    db_tasks.migrate(Context(), env=env, remote=True)


def test_the_stack_comes_from_samconfig(tmp_path) -> None:
    samconfig = tmp_path / "staging.toml"
    samconfig.write_text('[staging.global.parameters]\nstack_name = "blog-staging"\nregion = "eu-west-1"\n')
    assert stack_for("staging", samconfig) == Stack("blog-staging", "eu-west-1")
    missing = tmp_path / "samconfig.toml"
    with pytest.raises(DeploymentError) as error:
        stack_for("production", missing)
    assert str(error.value) == f"{missing} not found: run invoke deploy --guided once to write it"


def test_it_invokes_the_migrate_function_and_prints_its_answer(stub_aws, capsys) -> None:
    stubs = stub_aws("cloudformation", "lambda")
    stacks(stubs)
    answer = {"database": "app_production", "created": True, "previous": None, "current": "20260101000000"}
    invoked(stubs, answer)
    migrate_remotely("production")
    assert capsys.readouterr().out == (
        "Created app_production on AWS\nMigrated app_production on AWS: none -> 20260101000000\n"
    )
    assert MIGRATE_TIMEOUT > 900  # longer than the function may run


def test_a_failed_migration_is_one_line(stub_aws) -> None:
    stubs = stub_aws("cloudformation", "lambda")
    stacks(stubs)
    invoked(
        stubs,
        {"errorMessage": "a migration failed", "errorType": "MigrationError"},
        FunctionError="Unhandled",
    )
    with pytest.raises(Exit) as stopped:
        migrate_remotely("production")
    assert stopped.value.message == f"error: the migrate function {FUNCTION} failed: a migration failed"


def test_a_stack_that_is_not_deployed_is_one_line(stub_aws) -> None:
    stubs = stub_aws("cloudformation", "lambda")
    stubs["cloudformation"].add_client_error(
        "describe_stacks",
        service_error_code="ValidationError",
        service_message=f"Stack with id {STACK} does not exist",
    )
    with pytest.raises(Exit) as stopped:
        migrate_remotely("production")
    assert stopped.value.message == (
        f"error: cannot read stack {STACK} in {REGION}: An error occurred (ValidationError) when calling "
        f"the DescribeStacks operation: Stack with id {STACK} does not exist"
    )


def test_an_environment_samconfig_does_not_know_is_refused_before_any_aws_call(stub_aws) -> None:
    stub_aws("cloudformation", "lambda")
    with pytest.raises(Exit) as stopped:
        migrate_remotely("development")
    assert stopped.value.message == (
        "error: samconfig.toml has no 'development' environment: use --env with one of production"
    )


def deploy_step(name: str) -> dict:
    """The step ``name`` of the deploy job in .github/workflows/deploy.yml."""
    steps = yaml.safe_load(DEPLOY_WORKFLOW.read_text())["jobs"]["deploy"]["steps"]
    (step,) = [step for step in steps if step.get("name") == name]
    return step


def test_the_deploy_workflow_migrates_through_the_migrate_function(stub_aws, capsys, monkeypatch) -> None:
    monkeypatch.setenv("DEPLOY_ENV", "production")  # what deploy.yml sets on a push to main
    argv = shlex.split(os.path.expandvars(deploy_step("Migrate")["run"]))
    assert argv[:2] == ["invoke", "db.migrate"]
    stubs = stub_aws("cloudformation", "lambda")
    stacks(stubs)
    invoked(stubs, {"database": "app_production", "created": False, "previous": "1", "current": "2"})
    Program(namespace=namespace, binary="invoke").run(argv, exit=False)
    assert capsys.readouterr().out == "Migrated app_production on AWS: 1 -> 2\n"

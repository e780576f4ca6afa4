"""Run the migrations from inside the VPC, by invoking the deployed migrate function."""

import json
from typing import Any

from app import aws

from tasks.stack import DeploymentError, stack_for

# The migrate function may run for its whole timeout (template.yaml: 900 s).
MIGRATE_TIMEOUT = 910


def migrate(env: str, target: str = "head") -> dict[str, Any]:
    """Invoke the migrate function of ``env``'s stack; return what it answered."""
    from botocore.exceptions import BotoCoreError, ClientError

    stack = stack_for(env)
    function = stack.output("MigrateFunctionName")
    try:
        response = aws.client("lambda", stack.region, MIGRATE_TIMEOUT).invoke(
            FunctionName=function, Payload=json.dumps({"target": target}).encode()
        )
    except (BotoCoreError, ClientError) as error:
        raise DeploymentError(f"cannot invoke {function}: {error}") from error
    answer = json.loads(response["Payload"].read() or b"null")
    if response.get("FunctionError"):
        reason = answer.get("errorMessage") if isinstance(answer, dict) else answer
        raise DeploymentError(f"the migrate function {function} failed: {reason}")
    return answer

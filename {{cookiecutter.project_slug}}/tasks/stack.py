"""The deployed stack of an environment: name and region from samconfig.toml, outputs from AWS."""

import tomllib
from dataclasses import dataclass
from pathlib import Path

from app import aws
from app.environment import PROJECT_ROOT

SAMCONFIG = PROJECT_ROOT / "samconfig.toml"


class DeploymentError(Exception):
    """The stack or its functions cannot be reached as asked; the message says why."""


@dataclass(frozen=True)
class Stack:
    """A CloudFormation stack that sam deploy made."""

    name: str
    region: str

    def output(self, key: str) -> str:
        """The value of the stack output ``key`` (MigrateFunctionName, ApiUrl ...)."""
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            described = aws.client("cloudformation", self.region).describe_stacks(StackName=self.name)
        except (BotoCoreError, ClientError) as error:
            raise DeploymentError(f"cannot read stack {self.name} in {self.region}: {error}") from error
        outputs = described["Stacks"][0].get("Outputs", [])
        values = {output["OutputKey"]: output["OutputValue"] for output in outputs}
        if key not in values:
            raise DeploymentError(f"stack {self.name} has no output {key}: deploy this template.yaml first")
        return values[key]


def stack_for(env: str, path: Path = SAMCONFIG) -> Stack:
    """The stack of ``env``, as its section of samconfig.toml names it."""
    try:
        sections = tomllib.loads(path.read_text())
    except FileNotFoundError:
        raise DeploymentError(f"{path} not found: run invoke deploy --guided once to write it") from None
    deployable = [name for name, value in sections.items() if isinstance(value, dict) and name != "default"]
    if env not in deployable:
        raise DeploymentError(
            f"samconfig.toml has no {env!r} environment: use --env with one of {', '.join(deployable)}"
        )
    parameters = {
        **sections[env].get("global", {}).get("parameters", {}),
        **sections[env].get("deploy", {}).get("parameters", {}),
    }
    missing = [key for key in ("stack_name", "region") if not parameters.get(key)]
    if missing:
        raise DeploymentError(f"samconfig.toml's {env!r} environment needs {' and '.join(missing)}")
    return Stack(parameters["stack_name"], parameters["region"])

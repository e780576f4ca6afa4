"""Build and deploy the app with AWS SAM."""

from invoke import Context, task

from tasks.errors import one_line_errors
from tasks.stack import stack_for


@task(
    help={
        "env": "the samconfig.toml environment to deploy (default: production)",
        "guided": "ask for every parameter and save the answers in samconfig.toml (the first deploy)",
    }
)
@one_line_errors
def deploy(c: Context, env: str = "production", guided: bool = False) -> None:
    """Build the functions and deploy the stack of --env (sam build && sam deploy)."""
    stack = stack_for(env)
    print(f"Deploying {stack.name} to {stack.region}")
    c.run(f"sam build --config-env {env}", pty=True)
    c.run(f"sam deploy --config-env {env}{' --guided' if guided else ''}", pty=True)

"""AWS clients: created once per execution environment, and only when used."""

import subprocess
import sys

from botocore.stub import Stubber

from {{ cookiecutter.package_name }} import aws


def test_a_client_is_created_once_and_reused(monkeypatch) -> None:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "{{ cookiecutter.aws_region }}")
    aws.client.cache_clear()
    first = aws.client("secretsmanager")
    assert aws.client("secretsmanager") is first
    assert first.meta.region_name == "{{ cookiecutter.aws_region }}"

    with Stubber(first) as stub:
        stub.add_response("get_secret_value", {"SecretString": "{}"}, {"SecretId": "db"})
        assert aws.client("secretsmanager").get_secret_value(SecretId="db")["SecretString"] == "{}"
        stub.assert_no_pending_responses()
    aws.client.cache_clear()


def test_the_handler_cold_path_does_not_import_boto3() -> None:
    code = (
        "import sys\n"
        "import {{ cookiecutter.package_name }}.handlers.posts\n"
        "import {{ cookiecutter.package_name }}.aws\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('boto3', 'botocore')))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"

"""The generated template.yaml, proven offline: cfn-lint, sam validate and build, checkov, samtranslator."""

import json
import platform
import socket
import subprocess
import tomllib
from pathlib import Path

import pytest

from bench.events import CONTEXT_FIELDS, FUNCTION_TIMEOUT_MS, http_event
from tests import servers
from tests.baking import (
    BIN,
    DATABASES,
    HEAD,
    STAND_IN_CA_BUNDLE,
    Baked,
    bake,
    built_functions,
    combination_name,
    offline_environment,
    runtime_python,
    sam_build,
)
from tests.cloudformation import deployed, of_type

PORTS = {"mysql": 3306, "postgresql": 5432}
DRIVERS = {"mysql": "pymysql", "postgresql": "psycopg2"}
# What requirements.txt installs, by top-level name (a distribution's .dist-info and .libs too).
API = {"sqlalchemy", "typing_extensions", "aws_lambda_powertools", "jmespath", "pydantic", "pydantic_core"}
API |= {"annotated_types", "typing_inspection"}  # pydantic's
DEPENDENCIES = {
    "mysql": API | {"pymysql"},
    "postgresql": API | {"psycopg2", "psycopg2_binary", "psycopg2_binary.libs"},
}
MIGRATE_DEPENDENCIES = {"alembic", "mako", "markupsafe"}  # requirements-migrate.txt
ELF_MACHINES = {"x86_64": 62, "arm64": 183}
# The API function's budget, unzipped (Lambda's own limit is 250 MB): 30 MB, but on arm64, where
# psycopg2-binary's wheel bundles 5 MB more of OpenSSL and Kerberos (PostgreSQL: 33 MB with
# Powertools and pydantic).
MAX_UNZIPPED = {"x86_64": 30 * 1024 * 1024, "arm64": 35 * 1024 * 1024}
LEGACY_MANYLINUX = {"manylinux1": (2, 5), "manylinux2010": (2, 12), "manylinux2014": (2, 17)}  # their glibc
HOST_ARCHITECTURE = {"x86_64": "x86_64", "aarch64": "arm64", "arm64": "arm64"}[platform.machine()]
# boto3 is in the Lambda runtime; PyYAML only turns database.yml into the JSON that ships.
NEVER_SHIPPED = {"boto3", "botocore", "tests", "tasks", "invoke", "pytest", "dotenv", "ruff", "yaml", "_yaml"}
SECRET = "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf"
USER_GROUP = "sg-0123456789abcdef0"
HOST = "blog.cluster-abcdefghijkl.us-east-1.rds.amazonaws.com"
EXISTING_DATABASE = {"DatabaseHost": HOST, "DatabaseSecretArn": SECRET}  # what "bring your own" asks for
USERS = ({"Ref": "DatabaseUser"}, {"Ref": "DatabaseAppUser"})  # the owner; the user the API logs in as


def test_cfn_lint_reports_nothing(baked: Baked) -> None:
    templates = ["template.yaml", "deploy/github-oidc.yaml"]  # the app, and the roles GitHub deploys with
    result = baked.run(BIN / "cfn-lint", *templates, env=offline_environment(baked))
    assert (result.returncode, result.stdout + result.stderr) == (0, "")


@pytest.mark.slow
def test_sam_validate_lint_passes_offline(baked: Baked) -> None:
    result = baked.run(
        BIN / "sam",
        "validate",
        "--lint",
        "--region",
        "us-east-1",
        env=offline_environment(baked),
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "is a valid SAM Template" in result.stdout + result.stderr


@pytest.mark.slow
def test_checkov_fails_nothing_and_every_skip_says_why(baked: Baked) -> None:
    result = baked.run(
        BIN / "checkov", "--skip-download", "--framework", "cloudformation",
        "-f", "template.yaml", "-o", "json", env=offline_environment(baked), timeout=300,
    )  # fmt: skip
    report = json.loads(result.stdout)
    failed = [check["check_id"] for check in report["results"]["failed_checks"]]
    assert failed == [], result.stdout[-2000:]
    assert report["summary"]["passed"] > 10
    for check in report["results"]["skipped_checks"]:
        assert len(check["check_result"]["suppress_comment"]) > 30, check["check_id"]


def test_every_function_runs_in_the_vpc_on_the_chosen_runtime(baked: Baked, template) -> None:
    functions = of_type(template["Resources"], "AWS::Lambda::Function")
    assert set(functions) == {"ApiFunction", "MigrateFunction"}
    for function in functions.values():
        properties = function["Properties"]
        assert properties["VpcConfig"]["SubnetIds"] == {"Ref": "SubnetIds"}
        assert properties["Runtime"] == f"python{baked.context['python_version']}"
        assert properties["Architectures"] == [baked.context["architecture"]]
        assert properties["LoggingConfig"]["LogFormat"] == "JSON"
        assert "DB_PASS" not in properties["Environment"]["Variables"]

    created = deployed(template, **EXISTING_DATABASE)
    for name in functions:
        variables = created[name]["Properties"]["Environment"]["Variables"]
        assert (variables["DB_HOST"], variables["DB_USER"], variables["DB_APP_USER"]) == (HOST, *USERS)
        assert variables["DB_APP_SECRET_ARN"] == {"Ref": "AppUserSecret"}
        assert variables.get("DB_SECRET_ARN") == (SECRET if name == "MigrateFunction" else None)  # owner's
        chosen = created[name]["Properties"]["VpcConfig"]["SecurityGroupIds"]
        assert chosen == [{"Ref": "LambdaSecurityGroup"}]
    own_groups = deployed(template, SecurityGroupIds=USER_GROUP)
    for name in functions:
        assert own_groups[name]["Properties"]["VpcConfig"]["SecurityGroupIds"] == [USER_GROUP]


def test_each_function_may_use_the_vpc_and_read_only_its_own_user_s_secret(baked: Baked, template) -> None:
    resources = deployed(template, **EXISTING_DATABASE)
    roles = of_type(resources, "AWS::IAM::Role")
    assert set(roles) == {"ApiFunctionRole", "MigrateFunctionRole"}
    for name, role in roles.items():
        assert role["Properties"]["ManagedPolicyArns"] == [
            "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
            "arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole",  # network interfaces
            {"Ref": f"{name.removesuffix('FunctionRole')}DatabaseAccessPolicy"},
        ]
        # and, with DynamoDB, the API function its table (test_dynamodb.py checks the statement)
        inline = [
            statement["Action"][0].split(":")[0]
            for policy in role["Properties"].get("Policies", [])
            for statement in policy["PolicyDocument"]["Statement"]
        ]
        with_table = name == "ApiFunctionRole" and baked.context["dynamodb"] == "yes"
        assert inline == (["dynamodb"] if with_table else [])

    def reads(policy: str) -> list[object]:
        statements = resources[policy]["Properties"]["PolicyDocument"]["Statement"]
        assert {(statement["Effect"], statement["Action"]) for statement in statements} == {
            ("Allow", "secretsmanager:GetSecretValue")
        }
        return [statement["Resource"] for statement in statements]

    app_secret = {"Ref": "AppUserSecret"}
    assert reads("ApiDatabaseAccessPolicy") == [app_secret]  # not the owner's
    assert reads("MigrateDatabaseAccessPolicy") == [SECRET, app_secret]  # the password it sets
    secret = resources["AppUserSecret"]["Properties"]["GenerateSecretString"]
    assert json.loads(secret["SecretStringTemplate"]["Fn::Sub"]) == {"username": "${DatabaseAppUser}"}
    assert (secret["GenerateStringKey"], secret["PasswordLength"]) == ("password", 32)


def test_concurrency_caps_database_connections(template) -> None:
    functions = of_type(deployed(template), "AWS::Lambda::Function")
    assert functions["ApiFunction"]["Properties"]["ReservedConcurrentExecutions"] == "10"
    assert functions["MigrateFunction"]["Properties"]["ReservedConcurrentExecutions"] == 1
    uncapped = of_type(deployed(template, ReservedConcurrency=""), "AWS::Lambda::Function")
    assert uncapped["ApiFunction"]["Properties"]["ReservedConcurrentExecutions"] == {"Ref": "AWS::NoValue"}


def test_snapstart_is_the_api_function_s_alone_and_the_api_invokes_the_published_alias(
    baked: Baked, template
) -> None:
    """The parameter turns SnapStart on (samconfig.toml: in production) on the API function only."""
    resources = deployed(template)
    (alias,) = of_type(resources, "AWS::Lambda::Alias").values()
    assert alias["Properties"]["FunctionName"] == {"Ref": "ApiFunction"}
    assert alias["Properties"]["Name"] == "live"
    ((name, version),) = of_type(resources, "AWS::Lambda::Version").items()
    assert version["Properties"]["FunctionName"] == {"Ref": "ApiFunction"}
    assert alias["Properties"]["FunctionVersion"] == {"Fn::GetAtt": [name, "Version"]}
    integrations = [
        operation["x-amazon-apigateway-integration"]["uri"]["Fn::Sub"]
        for path in resources["ServerlessHttpApi"]["Properties"]["Body"]["paths"].values()
        for operation in path.values()
    ]
    assert len(integrations) == 3
    assert all(uri.endswith("/functions/${ApiFunctionAliaslive}/invocations") for uri in integrations)
    permissions = of_type(resources, "AWS::Lambda::Permission").values()
    assert {json.dumps(permission["Properties"]["FunctionName"]) for permission in permissions} == {
        json.dumps({"Ref": "ApiFunctionAliaslive"})
    }
    for snapstart, applied in (("Disabled", "None"), ("Enabled", "PublishedVersions")):
        functions = of_type(deployed(template, SnapStart=snapstart), "AWS::Lambda::Function")
        assert functions["ApiFunction"]["Properties"]["SnapStart"] == {"ApplyOn": applied}
        assert "SnapStart" not in functions["MigrateFunction"]["Properties"]
        api = functions["ApiFunction"]["Properties"]  # nothing SnapStart excludes
        assert "FileSystemConfigs" not in api
        assert api.get("EphemeralStorage", {"Size": 512})["Size"] <= 512
    assert "ProvisionedConcurrencyConfig" not in alias["Properties"]
    assert template["Parameters"]["SnapStart"]["Default"] == "Disabled"
    production = tomllib.loads((baked.path / "samconfig.toml").read_text())["production"]["deploy"]
    assert 'SnapStart="Enabled"' in production["parameters"]["parameter_overrides"]


def test_the_database_ingress_opens_the_database_port_to_the_functions_only(baked: Baked, template) -> None:
    assert template["Parameters"]["DatabasePort"]["Default"] == PORTS[baked.context["database"]]
    ingress = deployed(template, DatabaseSecurityGroupId=USER_GROUP)["DatabaseIngress"]["Properties"]
    assert ingress["GroupId"] == {"Ref": "DatabaseSecurityGroupId"}
    assert (ingress["FromPort"], ingress["ToPort"]) == ({"Ref": "DatabasePort"},) * 2
    assert (ingress["IpProtocol"], ingress["SourceSecurityGroupId"]) == (
        "tcp",
        {"Ref": "LambdaSecurityGroup"},
    )


def test_no_security_group_lets_the_internet_in(template) -> None:
    resources = template["Resources"]
    rules = [
        rule
        for group in of_type(resources, "AWS::EC2::SecurityGroup").values()
        for rule in group["Properties"].get("SecurityGroupIngress", [])
    ] + [rule["Properties"] for rule in of_type(resources, "AWS::EC2::SecurityGroupIngress").values()]
    assert rules
    for rule in rules:
        assert "CidrIp" not in rule and "CidrIpv6" not in rule, rule
        assert "SourceSecurityGroupId" in rule
    endpoint_rules = resources["EndpointSecurityGroup"]["Properties"]["SecurityGroupIngress"]
    assert [(rule["FromPort"], rule["ToPort"]) for rule in endpoint_rules] == [(443, 443)]


@pytest.mark.parametrize(
    ("parameters", "created"),
    [
        ({}, {"LambdaSecurityGroup", "EndpointSecurityGroup", "SecretsManagerEndpoint"}),
        (
            {"DatabaseSecurityGroupId": USER_GROUP},
            {"LambdaSecurityGroup", "DatabaseIngress", "EndpointSecurityGroup", "SecretsManagerEndpoint"},
        ),
        ({"CreateVpcEndpoints": "false"}, {"LambdaSecurityGroup"}),
        ({"SecurityGroupIds": USER_GROUP, "DatabaseSecurityGroupId": USER_GROUP}, set()),
    ],
    ids=["defaults", "database-group-given", "no-endpoints", "own-security-groups"],
)
def test_network_pieces_are_created_when_asked_for(template, parameters, created) -> None:
    network = {
        name
        for name, resource in deployed(template, **parameters).items()
        if resource["Type"].startswith("AWS::EC2::")
    }
    assert network == created


def test_the_secrets_manager_endpoint_is_private_in_the_function_subnets(template) -> None:
    endpoint = template["Resources"]["SecretsManagerEndpoint"]["Properties"]
    assert endpoint["ServiceName"] == {"Fn::Sub": "com.amazonaws.${AWS::Region}.secretsmanager"}
    assert (endpoint["VpcEndpointType"], endpoint["PrivateDnsEnabled"]) == ("Interface", True)
    assert endpoint["SubnetIds"] == {"Ref": "SubnetIds"}
    assert endpoint["SecurityGroupIds"] == [{"Ref": "EndpointSecurityGroup"}]


def built_project(baked: Baked) -> Path:
    """The folder of the functions ``sam build`` made of the baked project."""
    result = sam_build(baked)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return built_functions(baked)


@pytest.fixture(scope="session")
def built(baked: Baked) -> Path:
    return built_project(baked)


def shipped(function: Path) -> set[str]:
    """The top-level names in a built function, without their versions."""
    return {path.name.split("-")[0].removesuffix(".pyc") for path in function.iterdir()}


def sources(folder: Path) -> set[str]:
    """The files of a folder, as paths relative to it, without the bytecode Python caches."""
    return {str(path.relative_to(folder)) for path in folder.rglob("*") if path.is_file()} - {
        str(path.relative_to(folder)) for path in folder.rglob("__pycache__/*")
    }


@pytest.mark.slow
def test_the_built_api_function_holds_the_app_and_its_dependencies_only(baked: Baked, built: Path) -> None:
    api = built / "ApiFunction"
    assert shipped(api) == {"app", "config"} | DEPENDENCIES[baked.context["database"]]
    # the app without the migrate function's modules; the database tools are in tasks/, shipped by none
    assert sources(api / "app") == sources(baked.path / "app") - {"migrate.py", "app_user.py"}
    assert sorted(path.name for path in (api / "config").iterdir()) == ["database.json", "rds-ca-bundle.pem"]
    assert (api / "config" / "rds-ca-bundle.pem").read_bytes() == STAND_IN_CA_BUNDLE.read_bytes()
    dialects = {path.name for path in (api / "sqlalchemy" / "dialects").iterdir() if path.is_dir()}
    assert dialects == {baked.context["database"]}
    leftovers = [
        path.relative_to(api)
        for path in api.rglob("*")
        if path.suffix in {".c", ".pyx", ".pxd", ".pyi"} or path.name in {"testing", "tests"}
    ]
    assert leftovers == []
    unzipped = sum(path.stat().st_size for path in api.rglob("*") if path.is_file())
    assert unzipped < MAX_UNZIPPED[baked.context["architecture"]], f"{unzipped / 1e6:.1f} MB unzipped"


@pytest.mark.slow
def test_the_built_migrate_function_also_holds_alembic_and_the_migrations(baked: Baked, built: Path) -> None:
    migrate = built / "MigrateFunction"
    assert shipped(migrate) == (
        {"app", "config", "migrations", "alembic.ini"}
        | DEPENDENCIES[baked.context["database"]]
        | MIGRATE_DEPENDENCIES
    )
    assert sources(migrate / "app") == sources(baked.path / "app")
    assert sources(migrate / "migrations") == sources(baked.path / "migrations")
    assert (migrate / "config" / "rds-ca-bundle.pem").read_bytes() == STAND_IN_CA_BUNDLE.read_bytes()


def fetch_ca_bundle(baked: Baked, bundle: Path, *urls: str) -> subprocess.CompletedProcess[str]:
    """``make ca-bundle``, as the build runs it, from ``urls`` into ``bundle``."""
    python = runtime_python(baked.context["python_version"])
    variables = [f"PYTHON={python}", f"CA_BUNDLE={bundle}", f"RDS_CA_BUNDLE_URLS={' '.join(urls)}"]
    return baked.run("make", "--no-print-directory", "ca-bundle", *variables)


def test_the_build_fetches_the_ca_bundles_into_one(baked: Baked, tmp_path: Path) -> None:
    amazon_root = tmp_path / "AmazonRootCA1.pem"  # a bundle of one certificate, as Amazon's is
    amazon_root.write_text(STAND_IN_CA_BUNDLE.read_text().split("\n\n")[-1])
    result = fetch_ca_bundle(
        baked, tmp_path / "bundle.pem", STAND_IN_CA_BUNDLE.as_uri(), amazon_root.as_uri()
    )
    assert result.returncode == 0, result.stderr
    assert (
        tmp_path / "bundle.pem"
    ).read_bytes() == STAND_IN_CA_BUNDLE.read_bytes() + amazon_root.read_bytes()


def test_the_build_stops_with_one_line_when_a_ca_bundle_cannot_be_fetched(
    baked: Baked, tmp_path: Path
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        unreachable = f"http://127.0.0.1:{probe.getsockname()[1]}/global-bundle.pem"  # closed when used
    not_certificates = tmp_path / "error-page.html"
    not_certificates.write_text("<html>Service Unavailable</html>")
    for url in (unreachable, not_certificates.as_uri()):
        result = fetch_ca_bundle(baked, tmp_path / "bundle.pem", STAND_IN_CA_BUNDLE.as_uri(), url)
        assert result.returncode != 0
        error = result.stderr.splitlines()[0]
        assert error.startswith(f"error: cannot fetch the CA bundle from {url} ("), result.stderr
        assert error.endswith("set RDS_CA_BUNDLE_URLS to copies (file:///...)")
        assert not (tmp_path / "bundle.pem").exists()


@pytest.mark.slow
def test_the_built_shared_objects_match_the_chosen_architecture(baked: Baked, built: Path) -> None:
    objects = list((built / "ApiFunction").rglob("*.so"))
    assert objects
    for path in objects:
        header = path.read_bytes()[:20]
        assert header[:4] == b"\x7fELF"
        assert int.from_bytes(header[18:20], "little") == ELF_MACHINES[baked.context["architecture"]], path


@pytest.mark.slow
def test_the_built_wheels_need_no_newer_glibc_than_lambda_s(built: Path) -> None:
    """Lambda's Python 3.12 and 3.13 run on Amazon Linux 2023, glibc 2.34 (the Makefile's PLATFORMS)."""
    platforms = {
        platform
        for wheel in built.glob("*/*.dist-info/WHEEL")
        for line in wheel.read_text().splitlines()
        if line.startswith("Tag: ")
        for platform in line.split("-")[-1].split(".")
    } - {"any"}
    assert platforms  # the drivers and pydantic-core have compiled extensions
    glibc = {platform: LEGACY_MANYLINUX.get(platform.split("_")[0]) for platform in platforms}
    glibc |= {
        platform: tuple(map(int, platform.split("_")[1:3])) for platform, known in glibc.items() if not known
    }
    assert all(version <= (2, 34) for version in glibc.values()), glibc


RUN_BUILT = """
import json, sys
from types import SimpleNamespace
sys.path.insert(0, sys.argv[1])
from {module} import handler
context = SimpleNamespace(**{context!r}, get_remaining_time_in_millis=lambda: {remaining})
answers = [handler(json.loads(event), context) for event in sys.argv[2:]]
loaded = sorted({{name.split(".")[0] for name in sys.modules}} & {{"boto3", "botocore", "alembic", "yaml"}})
print(json.dumps({{"answers": answers, "loaded": loaded}}))
"""


def run_built(baked: Baked, function: Path, module: str, *events: dict, **env: str) -> dict:
    """Call a built function's handler in a Python that sees nothing but the build and the stdlib."""
    python = runtime_python(baked.context["python_version"])
    code = RUN_BUILT.format(module=module, context=CONTEXT_FIELDS, remaining=FUNCTION_TIMEOUT_MS)
    result = subprocess.run(
        [python, "-I", "-S", "-c", code, function, *(json.dumps(event) for event in events)],
        capture_output=True, text=True, timeout=120, env=env,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.splitlines()[-1])  # after what the function logged


@pytest.fixture(params=DATABASES)
def runnable(request: pytest.FixtureRequest, tmp_path: Path) -> Baked:
    """A project baked for this machine's architecture, so that its build can run here."""
    choices = {"database": request.param, "architecture": HOST_ARCHITECTURE}
    return bake(tmp_path, project_name=combination_name(*choices.values(), "built"), **choices)


@pytest.mark.slow
def test_the_built_functions_migrate_and_serve_the_real_database(runnable: Baked) -> None:
    built = built_project(runnable)
    database, name = runnable.context["database"], f"{runnable.app_name}_production"
    servers.drop_databases(database, runnable.app_name)
    lambda_environment = {
        "AWS_LAMBDA_FUNCTION_NAME": "test",
        "APP_ENV": "production",
        "DB_HOST": "127.0.0.1",
        "DB_PORT": str(PORTS[database]),
        "DB_USER": "root" if database == "mysql" else "postgres",
        "DB_APP_USER": runnable.app_user,  # whom the migrate function creates for the API
        "DB_APP_PASS": "built-Password-1",
        "DB_NAME": name,
        "DB_SSL": "false",
    }

    migrate = built / "MigrateFunction"
    migrated = run_built(runnable, migrate, "app.migrate", {}, **lambda_environment)
    created = {"database": name, "created": True, "previous": None, "current": HEAD}
    assert migrated["answers"] == [created]
    assert migrated["loaded"] == ["alembic"]

    create, listing = http_event("POST /posts", {"title": "Built"}), http_event("GET /posts")
    served = run_built(runnable, built / "ApiFunction", "app.main", create, listing, **lambda_environment)
    assert [answer["statusCode"] for answer in served["answers"]] == [201, 200]
    assert [post["title"] for post in json.loads(served["answers"][1]["body"])["items"]] == ["Built"]
    assert served["loaded"] == []  # neither boto3, alembic nor PyYAML on the API function's path
    servers.drop_databases(database, runnable.app_name)

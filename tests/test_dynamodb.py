"""The dynamodb option: off, nothing of DynamoDB is generated; on, the stack has the table, a gateway
endpoint on the given route tables, and access to the table for the API function only."""

import re

import pytest

from tests.baking import DATABASES, OPTIONS, Baked, bake, combination_name
from tests.cloudformation import Template, deployed, of_type, parameter_values, translate

DYNAMODB = re.compile(rb"dynamo|moto", re.IGNORECASE)  # moto: the local DynamoDB of the dev extras
ROUTE_TABLES = "rtb-0123456789abcdef0,rtb-0fedcba9876543210"
# The calls of app/dynamodb/ through Table.call("operation", ...); create_table only makes the local
# table of development and test (invoke dynamodb.create), on AWS CloudFormation does.
TABLE_CALL = re.compile(r'\.call\(\s*"(\w+)"')
LOCAL_ONLY = {"create_table"}


def test_dynamodb_is_in_the_project_exactly_when_chosen(baked: Baked) -> None:
    mentions = {
        str(path.relative_to(baked.path))
        for path in baked.path.rglob("*")
        if DYNAMODB.search(str(path).encode()) or (path.is_file() and DYNAMODB.search(path.read_bytes()))
    }
    if baked.context["dynamodb"] == "no":
        assert mentions == set()
    else:
        files = {"template.yaml", "env.json", "pyproject.toml", "README.md", "tasks/dynamodb.py"}
        option_files = {"app/dynamodb", "app/routes/viewed_posts.py", "tests/integration/test_dynamodb.py"}
        assert files | option_files | {"tests/service_dynamodb.py"} <= mentions


@pytest.fixture(scope="module", params=DATABASES)
def with_dynamodb(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Baked:
    """A project baked with DynamoDB, the other options at their defaults."""
    name, database = combination_name(request.param, "dynamodb"), request.param
    return bake(tmp_path_factory.mktemp("dynamodb"), project_name=name, database=database, dynamodb="yes")


@pytest.fixture(scope="module")
def stack(with_dynamodb: Baked) -> Template:
    """Its CloudFormation."""
    return translate(with_dynamodb.path / "template.yaml", OPTIONS["aws_region"])


def test_the_table_is_billed_per_request_recoverable_encrypted_and_kept(stack: Template) -> None:
    table = stack["Resources"]["Table"]
    assert table["Type"] == "AWS::DynamoDB::Table"
    assert (table["DeletionPolicy"], table["UpdateReplacePolicy"]) == ("Retain", "Retain")
    properties = table["Properties"]
    assert properties["BillingMode"] == "PAY_PER_REQUEST"
    assert properties["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert properties["SSESpecification"] == {"SSEEnabled": True}
    assert "TableName" not in properties  # named by CloudFormation: one table per stack, never shared


def test_only_the_api_function_may_use_the_table_and_only_as_the_app_does(
    with_dynamodb: Baked, stack: Template
) -> None:
    functions = of_type(stack["Resources"], "AWS::Lambda::Function")
    api, migrate = (functions[name]["Properties"] for name in ("ApiFunction", "MigrateFunction"))
    assert api["Handler"] == "app.main.handler"
    assert api["Environment"]["Variables"]["DYNAMODB_TABLE"] == {"Ref": "Table"}
    assert not {"DYNAMODB_TABLE", "DYNAMODB_ENDPOINT"} & migrate["Environment"]["Variables"].keys()

    roles = of_type(stack["Resources"], "AWS::IAM::Role")
    table_access = {
        name: [
            statement
            for policy in role["Properties"].get("Policies", [])
            for statement in policy["PolicyDocument"]["Statement"]
            if any(action.startswith("dynamodb:") for action in statement["Action"])
        ]
        for name, role in roles.items()
    }
    assert table_access["MigrateFunctionRole"] == []
    (statement,) = table_access["ApiFunctionRole"]
    assert statement["Effect"] == "Allow"
    assert statement["Resource"] == {"Fn::GetAtt": ["Table", "Arn"]}  # the table, nothing else
    code = "".join(path.read_text() for path in (with_dynamodb.path / "app").rglob("*.py"))
    called = set(TABLE_CALL.findall(code)) - LOCAL_ONLY
    assert called == {"update_item"}  # the test sees the calls the app makes
    actions = {"dynamodb:" + operation.title().replace("_", "") for operation in called}
    assert set(statement["Action"]) == actions


def test_the_gateway_endpoint_is_created_on_the_given_route_tables(stack: Template) -> None:
    assert "DynamoDBEndpoint" not in deployed(stack)  # none asked for: the VPC has its own, or a NAT
    for parameters in ({}, {"SecurityGroupIds": "sg-0123456789abcdef0", "CreateVpcEndpoints": "false"}):
        endpoint = deployed(stack, RouteTableIds=ROUTE_TABLES, **parameters)["DynamoDBEndpoint"]
        assert endpoint["Properties"] == {
            "VpcEndpointType": "Gateway",  # free, unlike interface endpoints
            "ServiceName": {"Fn::Sub": "com.amazonaws.${AWS::Region}.dynamodb"},
            "VpcId": {"Ref": "VpcId"},
            "RouteTableIds": {"Ref": "RouteTableIds"},
        }
    values = parameter_values(stack, RouteTableIds=ROUTE_TABLES)["RouteTableIds"]
    assert values == ["rtb-0123456789abcdef0", "rtb-0fedcba9876543210"]

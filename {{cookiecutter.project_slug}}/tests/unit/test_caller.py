"""Who created a post: what API Gateway's authorizer vouched for, in the shape each mode sends it."""

import pytest
from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEventV2

from app.caller import caller

from tests.events import http_event

# requestContext.authorizer as API Gateway's HTTP APIs send it (payload format 2.0).
IAM = {  # IAM authorization: the principal that signed the request (SigV4)
    "iam": {
        "accessKey": "ASIAEXAMPLE123456789",
        "accountId": "123456789012",
        "callerId": "AROAEXAMPLE123456789:client-session",
        "cognitoIdentity": None,
        "principalOrgId": None,
        "userArn": "arn:aws:sts::123456789012:assumed-role/ClientRole/client-session",
        "userId": "AROAEXAMPLE123456789:client-session",
    }
}
JWT = {  # a JWT authorizer: the token's claims, every value a string, and its scopes
    "jwt": {
        "claims": {
            "iss": "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_EXAMPLE",
            "sub": "8d1e5c2a-61f3-4b6e-9c9a-2f1f0c3b7a10",
            "token_use": "access",
        },
        "scopes": ["aws.cognito.signin.user.admin"],
    }
}


def event_with(authorizer: dict | None) -> APIGatewayProxyEventV2:
    event = http_event("POST /posts", {"title": "Hello"})
    event["requestContext"].pop("authorizer", None)
    if authorizer is not None:
        event["requestContext"]["authorizer"] = authorizer
    return APIGatewayProxyEventV2(event)


@pytest.mark.parametrize(
    ("authorizer", "expected"),
    [
        (IAM, "arn:aws:sts::123456789012:assumed-role/ClientRole/client-session"),
        (JWT, "8d1e5c2a-61f3-4b6e-9c9a-2f1f0c3b7a10"),
        (None, None),  # api_auth=none, or a route marked public under jwt
        ({"jwt": {"claims": {"scope": "read"}, "scopes": None}}, None),  # a token without a subject
    ],
    ids=["iam", "jwt", "public", "jwt-without-sub"],
)
def test_the_caller_is_the_iam_principal_or_the_jwt_subject(
    authorizer: dict | None, expected: str | None
) -> None:
    assert caller(event_with(authorizer)) == expected

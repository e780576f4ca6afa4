"""Who made a request, as the API's authorizer vouched for it (the project's ``api_auth``).

API Gateway checks the caller before the function runs and passes on what it found in the
event's ``requestContext.authorizer``: the signing principal's ARN under IAM authorization, the
token's claims under a JWT authorizer, nothing on a public route. The app takes it as it is: a
route that must know its caller is one the authorizer guards (template.yaml).
"""

from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEventV2


def caller(event: APIGatewayProxyEventV2) -> str | None:
    """The IAM principal's ARN, or the JWT's subject (``sub``); None when no authorizer vouched."""
    authorizer = event.request_context.authorizer
    return authorizer.iam.user_arn or authorizer.jwt_claim.get("sub") or None

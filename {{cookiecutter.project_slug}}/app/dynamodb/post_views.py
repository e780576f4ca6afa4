"""How many times each post was shown: a counter per post, in DynamoDB beside the post in SQL.

Post 42's counter is the item ``{"pk": "POST#42", "sk": "VIEWS", "views": N}``. A view is one
UpdateItem with ``ADD``, which DynamoDB applies atomically and creates the item for: concurrent
views are all counted, with no read before the write and no lost update.
"""

from .table import app_table


def key(post_id: int) -> dict[str, dict[str, str]]:
    """The key of post ``post_id``'s counter."""
    return {"pk": {"S": f"POST#{post_id}"}, "sk": {"S": "VIEWS"}}


def add_view(post_id: int) -> int:
    """Count one view of post ``post_id``; return its views, this one included."""
    answer = app_table().call(
        "update_item",
        Key=key(post_id),
        UpdateExpression="ADD #views :one",
        ExpressionAttributeNames={"#views": "views"},
        ExpressionAttributeValues={":one": {"N": "1"}},
        ReturnValues="UPDATED_NEW",
    )
    return int(answer["Attributes"]["views"]["N"])

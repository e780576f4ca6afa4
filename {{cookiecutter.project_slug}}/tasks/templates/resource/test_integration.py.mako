"""The ${r.table} API on the real database: what is stored is answered as it was sent.

Written by invoke generate.resource.
"""

% for line in r.integration_imports:
${line}
% endfor

ONE = "/${r.table}/{${r.id_name}}"
# Two ${r.human_plural} as a client sends them${", without their references" if r.references else ""}.
EXAMPLES = ${r.examples}
% for field in r.references:


def new_${field.parent.name}() -> int:
    """The id of a new ${field.parent.human}, made by the sample event of its create route."""
    status, created = call(handler, sample_event("POST /${field.parent.table}"))
    assert status == 201, created
    return created["id"]
% endfor


def sent(example: int = 0) -> dict:
    """A ${r.human} as a client sends it; ``example=1``: other values."""
% if r.references:
    return EXAMPLES[example] | {
% for field in r.references:
        "${field.name}": new_${field.parent.name}(),
% endfor
    }
% else:
    return EXAMPLES[example]
% endif


def create(body: dict) -> dict:
    status, created = invoke(handler, "POST /${r.table}", body)
    assert status == 201, created
    return created


def one(method: str, ${r.id_name}: int, body: dict | None = None) -> tuple[int, dict]:
    """The answer to ``method`` on the ${r.human} ``${r.id_name}``."""
    return invoke(handler, f"{method} {ONE}", body, ${r.id_name}=str(${r.id_name}))


def test_create_show_list_replace_delete() -> None:
    body = sent()
    created = create(body)
    assert {name: created[name] for name in body} == body
    assert created["created_at"].endswith("Z")
    assert one("GET", created["id"]) == (200, created)
    assert invoke(handler, "GET /${r.table}") == (200, {"items": [created], "next_cursor": None})

    replacement = sent(1)
    status, replaced = one("PUT", created["id"], replacement)
    assert status == 200, replaced
    assert {name: replaced[name] for name in replacement} == replacement
    assert (replaced["id"], replaced["created_at"]) == (created["id"], created["created_at"])
    assert one("GET", created["id"]) == (200, replaced)

    response = handler(http_event(f"DELETE {ONE}", ${r.id_name}=str(created["id"])), LocalContext())
    assert (response["statusCode"], response["body"]) == (204, None)
    assert one("GET", created["id"]) == (404, error(f"${r.human} {created['id']} not found"))


def test_an_unknown_id_is_a_404() -> None:
    for method, body in (("GET", None), ("PUT", sent()), ("DELETE", None)):
        assert one(method, 2**31 - 1, body) == (404, error("${r.human} 2147483647 not found"))


def test_pages_go_newest_first() -> None:
    ids = [create(sent())["id"] for _ in range(3)]
    first = call(handler, http_event("GET /${r.table}", query={"limit": "2"}))[1]
    second = call(handler, http_event("GET /${r.table}", query={"limit": "2", "cursor": first["next_cursor"]}))[1]
    assert [item["id"] for item in first["items"] + second["items"]] == ids[::-1]
    assert second["next_cursor"] is None
% for field in r.references:


def test_a_${r.name}_of_no_${field.parent.name}_is_a_422() -> None:
    body = sent() | {"${field.name}": 2**31 - 1}
    expected = error("${field.name}: ${field.parent.human} 2147483647 not found")
    assert invoke(handler, "POST /${r.table}", body) == (422, expected)
    assert one("PUT", create(sent())["id"], body) == (422, expected)


def test_deleting_its_${field.parent.name}_deletes_the_${r.name}() -> None:
    created = create(sent())
    with db.session_scope() as session:
        session.execute(delete(${field.parent.class_name}).where(${field.parent.class_name}.id == created["${field.name}"]))
    assert one("GET", created["id"])[0] == 404
% endfor

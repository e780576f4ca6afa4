"""generate.resource's names, fields and refusals (tasks/resources.py), and the number fields it writes.

Resources are named so that none of the project's own (generated or not) is in the way.
"""

import ast
from itertools import count

import pytest
from pydantic import TypeAdapter, ValidationError
from sqlalchemy import BigInteger, Column, Double, Integer, Numeric

from app.schemas.columns import number_of

from tasks.resources import (
    KINDS,
    Resource,
    ResourceError,
    app_module_names,
    looks_plural,
    models,
    parse,
    plural,
    render,
    resource_name,
    singular,
)


def unused(name: str) -> str:
    """``name``, or ``name`` and a number: a name no model and no module of app/ has."""
    taken = app_module_names() | {model.name for model in models().values()}
    candidates = (f"{name}{number or ''}" for number in count())
    return next(candidate for candidate in candidates if not {candidate, plural(candidate)} & taken)


EVERY_TYPE = [f"{kind}_field:{kind}" for kind in KINDS if kind != "references"] + ["post:references"]
FREE = unused("gadget")
NO_MODEL = unused("author")


@pytest.mark.parametrize(
    ("name", "table"),
    [
        ("comment", "comments"),
        ("entry", "entries"),
        ("day", "days"),
        ("box", "boxes"),
        ("status", "statuses"),
    ],
)
def test_the_table_is_the_plural_of_the_last_word(name: str, table: str) -> None:
    assert plural(name) == table


@pytest.mark.parametrize(
    ("name", "looks"),
    [
        ("comments", True),
        ("blog_entries", True),
        ("boxes", True),
        ("news", True),  # taken as given with --force-plural
        ("comment", False),
        ("status", False),
        ("address", False),
        ("analysis", False),
    ],
)
def test_a_name_that_ends_like_a_plural_is_seen(name: str, looks: bool) -> None:
    assert looks_plural(name) is looks
    if looks and name != "news":
        assert plural(singular(name)) == name


def test_a_name_that_ends_like_a_plural_is_taken_as_given_with_force_plural() -> None:
    name = plural(FREE)  # refused without the flag (below)
    resource = parse(name, [], force_plural=True)
    assert (resource.name, resource.table) == (name, plural(name))


def test_a_camel_case_name_is_the_class_and_its_snake_case_the_rest() -> None:
    resource = Resource(resource_name("BlogComment"))
    assert (resource.name, resource.class_name, resource.table, resource.id_name) == (
        "blog_comment",
        "BlogComment",
        "blog_comments",
        "blog_comment_id",
    )
    assert resource.routes()[2] == "GET /blog_comments/{blog_comment_id}"


def test_a_reference_is_an_id_and_a_relationship() -> None:
    (field,) = parse(FREE, ["post:references"]).fields
    assert (field.name, field.parent_attribute, field.parent and field.parent.class_name) == (
        "post_id",
        "post",
        "Post",
    )


def test_every_template_renders_python_that_parses() -> None:
    resource = parse(FREE, EVERY_TYPE)
    for template in resource.files().values():
        ast.parse(render(template, resource), template)


@pytest.mark.parametrize(
    ("name", "fields", "message"),
    [
        ("post", [], "post already exists (Post in app/models/post.py): pick another name, or invoke"),
        ("Posts", [], "posts is a reserved name"),  # the table of Post
        (
            plural(FREE),
            [],
            f"{plural(FREE)} looks plural: name the resource in the singular ({FREE}; its table is "
            f"{plural(FREE)}), or keep {plural(FREE)} with --force-plural",
        ),
        ("db", [], "db is a reserved name"),
        ("base", [], "base is a reserved name"),
        ("columns", [], "columns is a reserved name"),
        ("metadata", [], "metadata is a reserved name"),
        ("class", [], "class is a reserved name"),
        ("blog-post", [], "resource name 'blog-post' is not an identifier: use letters"),
        (FREE, ["name:str"], "name:str: unknown type 'str': use string, text, integer, bigint, decimal"),
        (FREE, ["name"], "field 'name' has no type: write NAME:TYPE, e.g. name:string"),
        (
            FREE,
            [f"{NO_MODEL}:references"],
            f"{NO_MODEL}:references: no model {NO_MODEL} in app/models (there are: ",
        ),
        (FREE, ["Name:string"], "Name:string: field name 'Name' is not snake_case"),
        (FREE, ["id:integer"], "id:integer: id is reserved"),
        (FREE, ["lambda:string"], "lambda:string: lambda is reserved"),
        (FREE, ["metadata:json"], "metadata:json: metadata is reserved"),
        (FREE, ["date:date"], "date:date: a field named date would hide the date the generated code uses"),
        (FREE, ["list:json"], "list:json: a field named list would hide"),
        (FREE, ["model_name:string"], "model_name:string: pydantic keeps the names that start with model_"),
        (FREE, ["name:string", "name:text"], "field name is given twice"),
        (FREE, ["post:integer", "post:references"], "field post is given twice"),
    ],
)
def test_what_cannot_be_a_resource_is_refused_in_one_line(name: str, fields: list[str], message: str) -> None:
    with pytest.raises(ResourceError) as refused:
        parse(name, fields)
    assert str(refused.value).startswith(message)
    assert "\n" not in str(refused.value)


def test_a_resource_has_a_sample_event_per_route() -> None:
    assert [path.name for path in Resource("comment").event_files()] == [
        "get_comments.json",
        "post_comments.json",
        "get_comments_comment_id.json",
        "put_comments_comment_id.json",
        "delete_comments_comment_id.json",
    ]


@pytest.mark.parametrize(
    ("column_type", "fits", "past"),
    [
        (Integer(), [-(2**31), 2**31 - 1], [2**31, -(2**31) - 1]),
        (BigInteger(), [-(2**63), 2**63 - 1], [2**63]),
        (Numeric(10, 2), ["12345678.12", "-0.5"], ["123456789.12", "1.234", "NaN"]),
    ],
)
def test_a_number_field_takes_what_its_column_holds(column_type: object, fits: list, past: list) -> None:
    field = TypeAdapter(number_of(Column("n", column_type)))
    for value in fits:
        field.validate_python(value)
    for value in past:
        with pytest.raises(ValidationError):
            field.validate_python(value)


def test_number_of_names_the_columns_it_takes() -> None:
    with pytest.raises(TypeError, match="number_of takes an Integer, BigInteger or Numeric column"):
        number_of(Column("ratio", Double()))

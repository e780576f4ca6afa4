<% item, items, Out = r.name, r.table, f"{r.class_name}Out" %>\
"""The ${items} API: list ${r.human_plural} a page at a time, create one, show, replace and delete one.

Written by invoke generate.resource. Powertools checks each request against the types of
app/schemas/${r.name}.py before a route runs (a 422 naming the field).
"""

% for line in r.route_imports:
${line}
% endfor

router = APIGatewayHttpRouter()


@router.get("/${items}")
def list_${items}(limit: Limit = PAGE_SIZE, cursor: Cursor = None) -> Page[${Out}]:
    """The newest ${r.human_plural} first, a page at a time."""
    with session_scope(readonly=True) as session:
        return page_of(session, select(${r.class_name}), ${r.class_name}.id, ${Out}, limit, cursor)


@router.post("/${items}", status_code=201)
def create_${item}(${item}: ${r.class_name}In) -> ${Out}:
    """Create ${r.article} ${r.human}."""
    created = ${r.class_name}(**${item}.model_dump())
    with session_scope() as session:
% if r.references:
        lock_parents(session, ${item})
% endif
        session.add(created)
    return ${Out}.model_validate(created)


@router.get("/${items}/<${r.id_name}>")
def show_${item}(${r.id_name}: ${r.class_name}Id) -> ${Out}:
    """One ${r.human} by id."""
    with session_scope(readonly=True) as session:
        found = session.get(${r.class_name}, ${r.id_name})
    if found is None:
        raise NotFoundError(f"${r.human} {${r.id_name}} not found")
    return ${Out}.model_validate(found)


@router.put("/${items}/<${r.id_name}>")
def replace_${item}(${r.id_name}: ${r.class_name}Id, ${item}: ${r.class_name}In) -> ${Out}:
    """Replace every field of ${r.article} ${r.human} with those sent, as POST takes them."""
    with session_scope() as session:
        stored = session.get(${r.class_name}, ${r.id_name}, with_for_update=True)
        if stored is None:
            raise NotFoundError(f"${r.human} {${r.id_name}} not found")
% if r.references:
        lock_parents(session, ${item})
% endif
        for name, value in ${item}.model_dump().items():
            setattr(stored, name, value)
    return ${Out}.model_validate(stored)


@router.delete("/${items}/<${r.id_name}>")
def delete_${item}(${r.id_name}: ${r.class_name}Id) -> Response[None]:
    """Delete ${r.article} ${r.human}: 204, no body."""
    with session_scope() as session:
        deleted = session.execute(delete(${r.class_name}).where(${r.class_name}.id == ${r.id_name})).rowcount
    if not deleted:
        raise NotFoundError(f"${r.human} {${r.id_name}} not found")
    return Response(204)
% if r.references:


def lock_parents(session: Session, ${item}: ${r.class_name}In) -> None:
    """A 422 unless each row ${r.article} ${r.human} references exists; locked (FOR SHARE) until it is stored.

    The lock keeps the row from being deleted before the ${r.human} is stored, which would then fail.
    """
% for field in r.references:
    if session.get(${field.parent.class_name}, ${item}.${field.name}, with_for_update={"read": True}) is None:
        raise ServiceError(422, f"${field.name}: ${field.parent.human} {${item}.${field.name}} not found")
% endfor
% endif

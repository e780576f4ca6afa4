"""What the ${r.table} API reads and answers (written by invoke generate.resource)."""

% for line in r.schema_imports:
${line}
% endfor

${r.class_name}Id = Annotated[int, Path(ge=1, le=MAX_ID)]


class ${r.class_name}In(BaseModel):
    """${r.article.capitalize()} ${r.human} as POST creates it and PUT replaces it: every field."""

% for field in r.fields:
    ${field.name}: ${field.kind.accepts.format(column=f"{r.class_name}.{field.name}")}
% endfor


class ${r.class_name}Out(BaseModel):
    """A stored ${r.human}."""

    model_config = ConfigDict(from_attributes=True)

    id: int
% for field in r.fields:
    ${field.name}: ${field.kind.answers}
% endfor
    created_at: Timestamp
    updated_at: Timestamp

"""${r.article.capitalize()} ${r.human}: the model of the ${r.table} table (written by invoke generate.resource)."""

% for line in r.model_imports:
${line}
% endfor

from .base import Base, Timestamps
% if r.parents:

if TYPE_CHECKING:
% for parent in r.parents:
    from .${parent.name} import ${parent.class_name}
% endfor
% endif


class ${r.class_name}(Timestamps, Base):
    """${r.article.capitalize()} ${r.human}${r.belongs}."""

    __tablename__ = "${r.table}"

    id: Mapped[int] = mapped_column(primary_key=True)
% for field in r.fields:
    ${field.name}: Mapped[${field.kind.python}] = mapped_column(${field.column})
% endfor
% for field in r.references:
    ${field.parent_attribute}: Mapped["${field.parent.class_name}"] = relationship(back_populates="${r.table}")
% endfor

"""invoke tasks: ``invoke --list`` shows them all."""

from invoke import Collection

from tasks import db

namespace = Collection(db)

"""invoke tasks: ``invoke --list`` shows them all."""

from invoke import Collection

from tasks import db
from tasks.deploy import deploy

namespace = Collection(db, deploy)

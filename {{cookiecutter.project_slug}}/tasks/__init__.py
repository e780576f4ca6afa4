"""invoke tasks: ``invoke --list`` shows them all."""

from invoke import Collection

from tasks import api, db
from tasks.deploy import deploy

namespace = Collection(api, db, deploy)

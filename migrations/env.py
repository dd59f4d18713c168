import logging
from logging.config import fileConfig

from alembic import context
from flask import current_app

# this is the Alembic Config object, which provides
# access to the values within the .ini file in use.
config = context.config

# Interpret the config file for Python logging.
# This line sets up loggers basically.
fileConfig(config.config_file_name, disable_existing_loggers=False)
logger = logging.getLogger("alembic.env")


def get_engine():
    return current_app.extensions["migrate"].db.engine


def get_engine_url():
    try:
        return get_engine().url.render_as_string(hide_password=False).replace("%", "%%")
    except AttributeError:
        return str(get_engine().url).replace("%", "%%")


# add your model's MetaData object here
# for 'autogenerate' support
# from myapp import mymodel
# target_metadata = mymodel.Base.metadata
config.set_main_option("sqlalchemy.url", get_engine_url())
target_db = current_app.extensions["migrate"].db

# other values from the config, defined by the needs of env.py,
# can be acquired:
# my_important_option = config.get_main_option("my_important_option")
# ... etc.


def get_metadata():
    if hasattr(target_db, "metadatas"):
        return target_db.metadatas[None]
    return target_db.metadata


def render_item(type_, obj, autogen_context):
    """Render our UTC column type as plain DateTime(timezone=True) so migrations do not
    import application code."""
    from marketplace.core.models import UTCDateTime

    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def every_head_for_head(script):
    """With several heads, a step function that makes "head" mean every head, else None.

    A plug-in's migrations are an Alembic branch of their own (``referrals/migrations``,
    branch label ``referrals``, branching off a host revision), so a host with the plug-in has
    two heads and Alembic refuses the default target "head" as ambiguous. `flask db upgrade`
    and `flask db stamp` (Makefile, README, CI and the test fixture call them without a
    target) must still just work, so for those two commands we hand ``context.configure`` the
    same step function Alembic's command would have built, with "heads" (every head) in
    place of "head". ``fn`` is EnvironmentContext's public keyword (it turns the revisions in
    the database into the steps to run, and configure() may override it); the command's
    target and ``ScriptDirectory._upgrade_revs``/``_stamp_revs`` are the internals
    alembic.command itself uses: pinned by alembic>=1.20,<1.21 in pyproject.toml and covered
    by tests/integration/test_migrations.py. Any other target ("referrals@head", a revision,
    "-1", "base") and every other command (downgrade, check, current, revision) keep
    Alembic's own behaviour.
    """
    if len(script.get_heads()) < 2:
        return None
    # The command's arguments as Alembic's command module passed them to EnvironmentContext:
    # upgrade passes destination_rev "head" (a string), stamp a tuple ("head",).
    destination = context._proxy.context_opts.get("destination_rev")
    if destination == "head":
        return lambda rev, _context: script._upgrade_revs("heads", rev)
    if destination == ("head",):
        # One head at a time: stamping "heads" in one go merges every current head into the
        # first destination whose lineage it touches (Alembic treats them as one merge step).
        return lambda rev, _context: [
            step for head in script.get_heads() for step in script._stamp_revs(head, rev)
        ]
    return None


def run_migrations_offline():
    """Run migrations in 'offline' mode.

    This configures the context with just a URL
    and not an Engine, though an Engine is acceptable
    here as well.  By skipping the Engine creation
    we don't even need a DBAPI to be available.

    Calls to context.execute() here emit the given string to the
    script output.

    """
    url = config.get_main_option("sqlalchemy.url")
    extra = {}
    fn = every_head_for_head(context.script)
    if fn is not None:
        extra["fn"] = fn
    context.configure(url=url, target_metadata=get_metadata(), literal_binds=True, **extra)

    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    """Run migrations in 'online' mode.

    In this scenario we need to create an Engine
    and associate a connection with the context.

    """

    # this callback is used to prevent an auto-migration from being generated
    # when there are no changes to the schema
    # reference: http://alembic.zzzcomputing.com/en/latest/cookbook.html
    def process_revision_directives(context, revision, directives):
        if getattr(config.cmd_opts, "autogenerate", False):
            script = directives[0]
            if script.upgrade_ops.is_empty():
                directives[:] = []
                logger.info("No changes in schema detected.")

    conf_args = dict(current_app.extensions["migrate"].configure_args)
    conf_args.setdefault("render_item", render_item)
    fn = every_head_for_head(context.script)
    if fn is not None:
        conf_args["fn"] = fn
    if conf_args.get("process_revision_directives") is None:
        conf_args["process_revision_directives"] = process_revision_directives

    connectable = get_engine()

    with connectable.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # Batch migrations on SQLite copy a table, drop the old one and rename the copy;
            # with foreign keys on, dropping a table other rows point at fails. SQLite ignores
            # this pragma inside a transaction, so it is set before Alembic begins one, and
            # the keys are checked and switched back on (the connection returns to the pool)
            # when the migrations are done.
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.commit()
        try:
            context.configure(connection=connection, target_metadata=get_metadata(), **conf_args)

            with context.begin_transaction():
                context.run_migrations()
        finally:
            if sqlite:
                connection.rollback()
                connection.exec_driver_sql("PRAGMA foreign_keys=ON")
                connection.commit()
        if sqlite:
            broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            connection.commit()
            if broken:
                raise RuntimeError(f"foreign keys broken by the migrations: {broken[:5]}")


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()

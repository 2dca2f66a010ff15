"""``flask --app wsgi demo-data [--scale S]``: the demo region, and optionally a region-scale
history on top of it. Refuses to run in production."""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from devdata.demo import DEMO_PASSWORD, database_is_empty, load_demo_data
from devdata.region import load_region, parse_scale
from portal import calendar
from portal.attendance.signals import mark_rules_current
from portal.extensions import db


def register(app: Flask) -> None:
    """Add the ``demo-data`` command to ``app``'s command line."""
    app.cli.add_command(demo_data)


@click.command("demo-data")
@click.option(
    "--scale",
    default=None,
    metavar="SCALE",
    help="Also build a region: 'region' (= 1.0: 245 schools, 68,000 pupils, three school "
    "years of history), a fraction such as 0.1, or a multiple such as 5.",
)
@with_appcontext
def demo_data(scale: str | None) -> None:
    """Load the demo region and accounts into an empty database."""
    if current_app.config["PORTAL_ENV"] == "production":
        raise click.ClickException("Refusing to load demo data into a production database.")
    factor = None
    if scale is not None:
        try:
            factor = parse_scale(scale)
        except ValueError as error:
            raise click.BadParameter(str(error), param_hint="--scale") from error
    if not database_is_empty(db.session):
        click.echo("The database already holds accounts; demo data not loaded.")
        return
    if factor is not None:
        click.echo(f"Building a region at scale {factor:g} ...")
        load_region(db.session, calendar.today(), factor, echo=click.echo)
    else:
        load_demo_data(db.session, calendar.today())
    mark_rules_current(db.session)  # the signals were computed with this code's rules
    db.session.commit()
    click.echo(f"Demo data loaded. Password for every demo account: {DEMO_PASSWORD}")

"""Command-line tasks: ``flask --app wsgi demo-data``."""

from __future__ import annotations

import click
from flask import Flask, current_app

from portal.extensions import db


def register_cli(app: Flask) -> None:
    @app.cli.command("demo-data")
    def demo_data() -> None:
        """Load the demo region and accounts into an empty database."""
        from portal.access import today
        from portal.demo import database_is_empty, load_demo_data

        if current_app.config["PORTAL_ENV"] == "production":
            raise click.ClickException("Refusing to load demo data into a production database.")
        if not database_is_empty(db.session):
            click.echo("The database already holds accounts; demo data not loaded.")
            return
        load_demo_data(db.session, today())
        db.session.commit()
        click.echo("Demo data loaded. Password for every demo account: verzuim-demo-2026")

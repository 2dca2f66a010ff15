"""Extensions, created here and bound to the app in ``create_app``."""

from __future__ import annotations

from typing import Any

from flask_htmx import HTMX
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_sqlalchemy.pagination import SelectPagination
from flask_wtf import CSRFProtect

from portal.db import Base, count_statement


class _Pagination(SelectPagination):
    """Flask-SQLAlchemy's pagination, counting with :func:`portal.db.count_statement`."""

    def _query_count(self) -> int:
        # A page that is not full is the last one: the total follows from it (most inboxes
        # fit on one page, so most pages need no count at all).
        if 0 < len(self.items) < self.per_page:
            return self._query_offset + len(self.items)
        query = self._query_args["select"]
        return self._query_args["session"].execute(count_statement(query)).scalar() or 0


class _SQLAlchemy(SQLAlchemy):
    def paginate(  # type: ignore[override]
        self,
        select: Any,
        *,
        page: int | None = None,
        per_page: int | None = None,
        max_per_page: int | None = None,
        error_out: bool = True,
        count: bool = True,
    ) -> SelectPagination:
        return _Pagination(
            select=select,
            session=self.session(),
            page=page,
            per_page=per_page,
            max_per_page=max_per_page,
            error_out=error_out,
            count=count,
        )


db = _SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
htmx = HTMX()
limiter = Limiter(key_func=get_remote_address, default_limits=[])

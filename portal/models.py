"""Every model of the portal, so that the metadata (and Alembic's autogenerate) knows every
table. The features import their own models; this module is imported by ``create_app``."""

from portal.attendance import models as attendance
from portal.audit import AuditEvent
from portal.auth import models as auth
from portal.casework import models as casework
from portal.evaluation import models as evaluation
from portal.imports import models as imports
from portal.jobs import JobStatus
from portal.notifications import models as notifications
from portal.pupils import models as pupils
from portal.reports import models as reports
from portal.schools import models as schools
from portal.submissions import FormSubmission
from portal.transition import models as transition

__all__ = [
    "AuditEvent",
    "FormSubmission",
    "JobStatus",
    "attendance",
    "auth",
    "casework",
    "evaluation",
    "imports",
    "notifications",
    "pupils",
    "reports",
    "schools",
    "transition",
]

"""The one API instance (/api/v1/) with every app's router; `config/urls.py` serves it."""

from accounts.api import router as accounts_router
from core.api import api_new
from notifications.api import router as notifications_router
from org.api import router as org_router
from plans.api import router as plans_router
from reports.api import router as reports_router
from supervision.api import router as supervision_router

api = api_new()
api.add_router("/", accounts_router)
api.add_router("/", org_router)
api.add_router("/", plans_router)
api.add_router("/", reports_router)
api.add_router("/", notifications_router)
api.add_router("/", supervision_router)

"""The one API instance (/api/v1/) with every app's router; `config/urls.py` serves it."""

from accounts.api import router as accounts_router
from core.api import api_new
from enterprises.api import router as enterprises_router
from evaluation.api import router as evaluation_router
from indicators.api import router as indicators_router
from maps.api import router as maps_router
from notifications.api import router as notifications_router
from org.api import router as org_router
from plans.api import router as plans_router
from portal.api import router as portal_router
from projects.api import router as projects_router
from reports.api import router as reports_router
from supervision.api import router as supervision_router
from workbench.jobs_api import router as jobs_router

api = api_new()
api.add_router("/", accounts_router)
api.add_router("/", org_router)
api.add_router("/", plans_router)
api.add_router("/", reports_router)
api.add_router("/", notifications_router)
api.add_router("/", supervision_router)
api.add_router("/", indicators_router)
api.add_router("/", projects_router)
api.add_router("/", enterprises_router)
api.add_router("/", evaluation_router)
api.add_router("/", portal_router)
api.add_router("/", maps_router)
api.add_router("/", jobs_router)

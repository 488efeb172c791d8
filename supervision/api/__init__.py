"""REST API for supervision: orders, instructions, inspections, rectifications.

The same services, selectors and access rules as the pages. Text fields that a
service requires (a response, an answer, a reason) default to "" in the schemas
so that a missing one gets the service's clear message (400), and a caller
without the permission gets 403 before any body check.

One router (`router`, mounted by the API), its endpoints in one module per seam:
`orders`, `instructions`, `inspections` (with rectifications); `common` holds the
router and what they share.
"""

from supervision.api.common import router

# The modules register their endpoints on import, in the order of the OpenAPI document's paths.
# isort: off
from supervision.api import orders
from supervision.api import instructions
from supervision.api import inspections

# isort: on

# Ninja names an operation after its function's module; the endpoints lived in `supervision.api` before
# the split, and clients generated from the OpenAPI document keep the ids they were given then.
for _path in router.path_operations.values():
    for _operation in _path.operations:
        _operation.operation_id = _operation.operation_id or f"supervision_api_{_operation.view_func.__name__}"

__all__ = ["inspections", "instructions", "orders", "router"]

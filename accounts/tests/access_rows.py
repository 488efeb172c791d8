"""Access-matrix rows for the account routes added for issue 12 (merged by core/tests/test_access_matrix.py).

Everyone logged in manages their own API tokens (someone else's token id is 404); takeover-class requests
on admin accounts are seen by the system admin (his own) and the approvers (security and audit admins);
the locked-logins page is the office's and the security admin's.
"""

from conftest import NAMED

ROLES = ["anonymous", *NAMED, "outsider"]
LOGGED_IN = set(ROLES) - {"anonymous", "kiosk"}  # the kiosk reaches only the wall (conftest.NAMED)
ADMINS = {"sysadmin", "secadmin", "auditadmin"}
APPROVERS = {"secadmin", "auditadmin"}
LOCKOUT_MANAGERS = {"office", "secadmin"}

PAGES = {
    "accounts:token_list": (LOGGED_IN, None, "", {}),
    "accounts:admin_request_list": (ADMINS, None, "", {}),
    "accounts:lockout_list": (LOCKOUT_MANAGERS, None, "", {}),
}
POST_ONLY = {"accounts:token_revoke", "accounts:admin_request_decide", "accounts:lockout_unlock"}
POST_ONLY_KWARGS = {"accounts:token_revoke": "pk", "accounts:admin_request_decide": "pk"}
POST_WRITERS = {
    "accounts:token_revoke": LOGGED_IN,  # one's own token only: someone else's is 404 (test_tokens.py)
    "accounts:admin_request_decide": APPROVERS,
    "accounts:lockout_unlock": LOCKOUT_MANAGERS,
}


def _zjj_reporter_token() -> int:
    from accounts.models import ApiToken, User
    from accounts.services import token_issue

    key = token_issue(user=User.objects.get(username="zjj_reporter"))
    return ApiToken.objects.get(key_hash=ApiToken.hash_key(key)).pk


API_GET = {"/api/v1/auth/tokens": (LOGGED_IN, {})}
API_PATH_PARAMS = {"{token_id}": _zjj_reporter_token}
API_WRITE = {
    ("post", "/api/v1/auth/logout"): (LOGGED_IN, {}),
    ("delete", "/api/v1/auth/tokens/{token_id}"): ({"zjj_reporter"}, {r: 404 for r in LOGGED_IN - {"zjj_reporter"}}),
}
API_WRITE_OK = {("post", "/api/v1/auth/logout"): 200}
API_WRITE_BODIES = {("post", "/api/v1/auth/logout"): {}, ("delete", "/api/v1/auth/tokens/{token_id}"): {}}

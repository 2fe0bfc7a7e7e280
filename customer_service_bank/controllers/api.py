import re

from odoo import http
from odoo.http import request

from ..models.cs_complaint_api import CsApiError

BEARER = re.compile(r"^bearer\s+(\S+)$", re.IGNORECASE)


class CsComplaintApi(http.Controller):
    """Version 1 of the complaint API for the bank's other systems.

    JSON-RPC calls (``type="json"``) authenticated by the API key of a user
    of the Integration group in ``Authorization: Bearer <key>``; they run as
    that user, in their company and language. Results and errors are
    objects in ``result``: errors have a ``code``, a ``message`` and the
    ``field`` (and ``index`` in a batch) they concern.
    """

    @http.route("/cs/api/v1/complaints", type="json", auth="public", methods=["POST"])
    def create_complaints(self, complaint=None, complaints=None, **unknown):
        """Create one complaint (``complaint``) or a batch (``complaints``)."""
        return self._call(
            self._create, unknown, complaint=complaint, complaints=complaints
        )

    @http.route(
        "/cs/api/v1/complaints/status", type="json", auth="public", methods=["POST"]
    )
    def complaint_status(self, external_ref=None, **unknown):
        """The state of the complaint created with ``external_ref``."""
        return self._call(
            lambda: {
                "complaint": request.env["cs.complaint"]._cs_api_status_by_ref(
                    external_ref
                )
            },
            unknown,
        )

    def _call(self, function, unknown, **kwargs):
        """``function(**kwargs)`` as the key's user, refusing ``unknown``
        parameters rather than ignoring them."""
        try:
            self._authenticate()
            if unknown:
                names = sorted(unknown)
                raise CsApiError(
                    "unknown_parameter",
                    request.env._(
                        "Unknown parameters: %(names)s.", names=", ".join(names)
                    ),
                    field=names[0],
                )
            return function(**kwargs)
        except CsApiError as error:
            return {"error": error.to_dict()}

    def _authenticate(self):
        """Run as the user of the bearer API key, or refuse (HTTP 401 sense)."""
        env = request.env
        match = BEARER.match(request.httprequest.headers.get("Authorization") or "")
        uid = match and env["res.users.apikeys"]._check_credentials(
            scope="rpc", key=match.group(1)
        )
        user = env["res.users"].sudo().browse(uid).exists() if uid else None
        if not user or not user.has_group("customer_service_bank.group_cs_integration"):
            request.future_response.headers["WWW-Authenticate"] = "Bearer"
            raise CsApiError(
                "unauthorized",
                env._("The API key is missing, wrong or revoked."),
            )
        request.update_env(user=user.id, context=dict(env.context, lang=user.lang))

    def _create(self, complaint=None, complaints=None):
        env = request.env
        if complaints is None:
            if not isinstance(complaint, dict):
                raise CsApiError(
                    "wrong_type",
                    env._(
                        'Send one complaint in "complaint" or a list in "complaints".'
                    ),
                )
            return env["cs.complaint"]._cs_api_create([complaint])[0]
        if not isinstance(complaints, list) or not complaints:
            raise CsApiError(
                "wrong_type",
                env._('"complaints" must be a list of complaints.'),
                "complaints",
            )
        limit = env.company.cs_api_batch_limit
        if len(complaints) > limit:
            raise CsApiError(
                "too_many_items",
                env._(
                    "A call may send at most %(limit)s complaints, not %(count)s.",
                    limit=limit,
                    count=len(complaints),
                ),
                "complaints",
            )
        return {"complaints": env["cs.complaint"]._cs_api_create(complaints)}

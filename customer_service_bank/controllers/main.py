from werkzeug.exceptions import NotFound

from odoo import http
from odoo.exceptions import UserError, ValidationError
from odoo.http import request
from odoo.tools import consteq
from odoo.tools.misc import get_lang

from ..models.constants import NPS_SCORE_MAX


class CsNpsController(http.Controller):
    """The public page where a customer answers an NPS survey, by token."""

    def _response_from_token(self, token):
        """The response of ``token``, as superuser; 404 for any other token."""
        response = (
            request.env["cs.nps.response"]
            .sudo()
            .search([("access_token", "=", token)], limit=1)
        )
        if not response or not consteq(response.access_token, token):
            raise NotFound()
        return response

    def _render(self, response, values):
        lang = response.partner_id.lang or get_lang(request.env).code
        return (
            request.env["ir.ui.view"]
            .with_context(lang=lang)
            ._render_template(
                "customer_service_bank.cs_nps_survey_page",
                {
                    "response": response.with_context(lang=lang),
                    "company": response.company_id,
                    "token": response.access_token,
                    "scores": range(NPS_SCORE_MAX + 1),
                    **values,
                },
            )
        )

    def _page_state(self, response):
        if response.answered_date:
            return "answered"
        if response.survey_id.state == "closed":
            return "closed"
        return "open"

    @http.route(
        "/cs/nps/<string:token>",
        type="http",
        auth="public",
        methods=["GET"],
        website=False,
        sitemap=False,
    )
    def cs_nps_survey(self, token, score=None, **kwargs):
        response = self._response_from_token(token)
        selected = int(score) if score and score.isdigit() else None
        return self._render(
            response, {"page_state": self._page_state(response), "selected": selected}
        )

    @http.route(
        "/cs/nps/<string:token>/submit",
        type="http",
        auth="public",
        methods=["POST"],
        website=False,
        sitemap=False,
    )
    def cs_nps_submit(self, token, score=None, comment=None, **kwargs):
        response = self._response_from_token(token)
        page_state = self._page_state(response)
        if page_state != "open":
            return self._render(response, {"page_state": page_state})
        try:
            answer = int(score)
        except (TypeError, ValueError):
            answer = None
        try:
            response._record_answer(answer, comment=comment)
        except (UserError, ValidationError) as error:
            # refused before anything is written
            return self._render(
                response,
                {
                    "page_state": self._page_state(response),
                    "error": error.args[0],
                    "comment": comment,
                },
            )
        return self._render(response, {"page_state": "thanks"})

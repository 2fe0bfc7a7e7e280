from werkzeug.exceptions import NotFound

from odoo import http
from odoo.exceptions import UserError, ValidationError
from odoo.http import request
from odoo.tools import consteq, format_datetime
from odoo.tools.misc import get_lang

# the buttons of the page, and the answers they give
INVITATION_ANSWERS = {"accept": "accepted", "decline": "declined"}


class CsCareInvitationController(http.Controller):
    """The public page where a customer answers an event invitation, by the
    participant's token. The links of the mail only show the page: mail
    scanners open links, so the answer is given by a button (a POST)."""

    def _participant_from_token(self, participant_id, token):
        """The participant, as superuser, when ``token`` is its own; 404 for
        any other token, another participant's included."""
        participant = (
            request.env["cs.care.participant"].sudo().browse(participant_id).exists()
        )
        if (
            not participant
            or not participant.access_token
            or not consteq(participant.access_token, token)
        ):
            raise NotFound()
        return participant

    def _render(self, participant, values):
        lang = participant.partner_id.lang or get_lang(request.env).code
        participant = participant.with_context(lang=lang)
        event = participant.campaign_id.event_id
        return (
            request.env["ir.ui.view"]
            .with_context(lang=lang)
            ._render_template(
                "customer_service_bank.cs_care_invitation_page",
                {
                    "participant": participant,
                    "event": event,
                    "company": participant.company_id,
                    "event_date": event
                    and format_datetime(
                        participant.env,
                        event.date_begin,
                        tz=event.date_tz,
                        dt_format="long",
                        lang_code=lang,
                    ),
                    "action_url": f"/cs/care/invitation/{participant.id}/"
                    f"{participant.access_token}/answer",
                    "page_state": participant._cs_invitation_state(),
                    **values,
                },
            )
        )

    @http.route(
        "/cs/care/invitation/<int:participant_id>/<string:token>",
        type="http",
        auth="public",
        methods=["GET"],
        website=False,
        sitemap=False,
    )
    def cs_care_invitation(self, participant_id, token, answer=None, **kwargs):
        participant = self._participant_from_token(participant_id, token)
        return self._render(participant, {"selected": answer})

    @http.route(
        "/cs/care/invitation/<int:participant_id>/<string:token>/answer",
        type="http",
        auth="public",
        methods=["POST"],
        website=False,
        sitemap=False,
    )
    def cs_care_invitation_answer(self, participant_id, token, answer=None, **kwargs):
        participant = self._participant_from_token(participant_id, token)
        if participant._cs_invitation_state() == "expired":
            return self._render(participant, {})
        try:
            with request.env.cr.savepoint():
                participant._cs_answer_invitation(INVITATION_ANSWERS.get(answer))
        except (UserError, ValidationError) as error:
            # nothing is kept of a refused answer, e.g. when the event is full
            request.env.invalidate_all()
            return self._render(participant, {"error": error.args[0]})
        return self._render(participant, {"thanks": True})

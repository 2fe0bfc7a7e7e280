import logging

from odoo import api, models
from odoo.tools.mail import email_normalize, email_split_tuples

_logger = logging.getLogger(__name__)

# RFC 3834 and the headers of the common auto-responders: such mails are
# answers of machines, never complaints
AUTO_REPLY_HEADERS = ("X-Autoreply", "X-Autorespond")
AUTO_REPLY_PRECEDENCES = ("auto_reply", "bulk", "junk")


class CsComplaintMail(models.Model):
    """Complaints opened by mail to a team's alias (see cs_team_alias.py).

    Odoo's mail gateway routes the mail: replies to a complaint's mails land
    on it (``message_update``), bounces and mail loops are dropped by its own
    detection, and the mail with its attachments is posted in the chatter of
    the complaint ``message_new`` creates. Here: who the customer is, the
    team's defaults, and the refusal of auto-replies and blacklisted senders.
    """

    # one concern a file, by design: see the docstring of cs_complaint.py
    _inherit = "cs.complaint"  # pylint: disable=consider-merging-classes-inherited

    @api.model
    def message_new(self, msg_dict, custom_values=None):
        values = dict(custom_values or {})
        team = self.env["cs.team"].browse(values.get("team_id")).exists()
        company = team.company_id or self.env.company
        values.setdefault("company_id", company.id)
        if team.default_category_id and not values.get("category_id"):
            values["category_id"] = team.default_category_id.id
        partner = self._cs_mail_customer(msg_dict, company)
        if partner:
            msg_dict["author_id"] = partner.id
        values.update(
            partner_id=partner.id,
            subject=(msg_dict.get("subject") or "").strip()
            or self.env._("Complaint by email"),
            description=msg_dict.get("body"),
            channel="email",
        )
        complaint = self.create(values)
        complaint.message_subscribe(partner.ids)
        return complaint

    @api.model
    def _cs_mail_customer(self, msg_dict, company):
        """The customer who sent ``msg_dict``: the contact with that address
        (in any case), else a new contact named as in the mail's From."""
        name, email = (email_split_tuples(msg_dict.get("email_from")) or [("", "")])[0]
        normalized = email_normalize(email)
        if not normalized:
            return self.env["res.partner"]
        partners = self.env["res.partner"].sudo()
        partner = partners._cs_find_intake_customer(company, email=normalized)
        return partner or partners.create(
            {"name": name or normalized, "email": email, "company_id": company.id}
        )

    @api.model
    def _detect_loop_sender_domain(self, email_from_normalized):
        """Complaints by mail from this address, for Odoo's loop detection:
        past its threshold (``mail.gateway.loop.threshold``, 20 within
        ``mail.gateway.loop.minutes``, 120) a sender's mails open no more."""
        return [
            ("channel", "=", "email"),
            ("partner_id.email_normalized", "=", email_from_normalized),
        ]

    @api.model
    def _routing_check_route(self, message, message_dict, route, raise_exception=True):
        """Drop mails that must not open a complaint.

        Odoo drops bounces and loops before; auto-replies (out of office) are
        machines' answers; a blacklisted sender gets a polite refusal that
        names the other channels instead.
        """
        route = super()._routing_check_route(
            message, message_dict, route, raise_exception=raise_exception
        )
        if not route or route[0] != self._name or route[1]:
            return route
        if self._cs_is_auto_reply(message):
            _logger.info(
                "Auto-reply from %s with Message-Id %s: no complaint",
                message_dict.get("email_from"),
                message_dict.get("message_id"),
            )
            return False
        email = email_normalize(message_dict.get("email_from"))
        if email and self.env["mail.blacklist"].sudo().search_count(
            [("email", "=", email)], limit=1
        ):
            _logger.info(
                "Mail from blacklisted %s with Message-Id %s: no complaint, refused",
                email,
                message_dict.get("message_id"),
            )
            self._cs_refuse_mail(message_dict, route)
            return False
        return route

    @api.model
    def _cs_is_auto_reply(self, message):
        auto_submitted = (message.get("Auto-Submitted") or "no").strip().lower()
        precedence = (message.get("Precedence") or "").strip().lower()
        return (
            auto_submitted != "no"
            or precedence in AUTO_REPLY_PRECEDENCES
            or any(message.get(header) for header in AUTO_REPLY_HEADERS)
        )

    @api.model
    def _cs_refuse_mail(self, message_dict, route):
        """Answer a refused mail with the editable refusal template, in the
        sender's language when they are known."""
        team = self.env["cs.team"].sudo().browse((route[2] or {}).get("team_id"))
        if not team.exists():
            return
        author = self.env["res.partner"].sudo().browse(message_dict.get("author_id"))
        template = self.env.ref(
            "customer_service_bank.mail_template_cs_complaint_mail_refused"
        )
        template.sudo().with_context(
            cs_refused_subject=message_dict.get("subject") or "",
            cs_refused_lang=author.lang,
        ).send_mail(
            team.id,
            email_values={
                "email_to": message_dict.get("email_from"),
                "recipient_ids": [],
                "references": message_dict.get("message_id"),
            },
        )

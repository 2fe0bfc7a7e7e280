from textwrap import shorten

from markupsafe import Markup

from odoo import fields, models
from odoo.exceptions import UserError
from odoo.tools import email_normalize, email_split, html2plaintext, plaintext2html

# a complaint's subject taken from the customer's first words
SUBJECT_LENGTH = 80


class DiscussChannel(models.Model):
    """A live chat becomes a complaint: by its operator (the ``/complaint``
    command, or the chat's "Register as Complaint" button) or by the chatbot
    out of hours (chatbot_script_step.py)."""

    _inherit = "discuss.channel"

    def execute_command_complaint(self, **kwargs):
        """``/complaint [subject]``: the operator turns this chat into a
        complaint in one action, and is told its reference."""
        self.ensure_one()
        self._cs_check_agent()
        text = html2plaintext(kwargs.get("body") or "").strip()
        subject = text.removeprefix("/complaint").strip()
        complaint = self._cs_create_complaint(subject=subject)
        self.env.user._bus_send_transient_message(
            self,
            self.env._(
                "Complaint %(link)s registered from this chat, with its transcript.",
                link=complaint._get_html_link(),
            ),
        )

    def action_cs_create_complaint(self):
        """The "Register as Complaint" button of a live chat: the chat
        becomes a complaint, opened for the operator to complete."""
        self.ensure_one()
        self._cs_check_agent()
        complaint = self._cs_create_complaint()
        return {
            "type": "ir.actions.act_window",
            "res_model": "cs.complaint",
            "res_id": complaint.id,
            "views": [(False, "form")],
            "target": "current",
        }

    def _cs_check_agent(self):
        if not self.env.user.has_group("customer_service_bank.group_cs_agent"):
            raise UserError(
                self.env._(
                    "Only customer service agents can turn a chat into a complaint."
                )
            )

    def _cs_create_complaint(self, subject=None, chatbot_script=None):
        """Register this live chat as a complaint of its customer.

        The customer is the (portal) contact in the chat, else the contact
        of the email or phone number left in it, found or created. The
        customer's words make the description; the whole transcript is
        attached. Run by the chatbot (``chatbot_script``) the complaint is
        created with sudo, the visitor having no rights on complaints.

        :raise UserError: not a live chat, already a complaint, no message
            of the customer, or no way to know or reach the customer; in
            words for the visitor when the chatbot asks.
        """
        self.ensure_one()
        if self.channel_type != "livechat":
            raise UserError(
                self.env._("Only a live chat conversation can become a complaint.")
            )
        Complaint = self.env["cs.complaint"]
        if chatbot_script:
            Complaint = Complaint.sudo()
        existing = (
            Complaint.sudo()
            .with_context(active_test=False)
            .search([("chat_channel_id", "=", self.id)], limit=1)
        )
        if existing:
            raise UserError(
                self.env._(
                    "Your complaint is already registered under the reference "
                    "%(reference)s.",
                    reference=existing.name,
                )
                if chatbot_script
                else self.env._(
                    "This chat is already complaint %(reference)s.",
                    reference=existing.name,
                )
            )
        words = self._cs_customer_words()
        if not words:
            raise UserError(
                self.env._("Please describe your complaint first.")
                if chatbot_script
                else self.env._(
                    "The customer has written nothing in this chat: there is no "
                    "complaint to register."
                )
            )
        team = self.sudo().livechat_channel_id.cs_team_id
        company = team.company_id or self.env.company
        partner = self._cs_chat_customer(company, chatbot_script)
        vals = {
            "subject": subject or shorten(words[0], SUBJECT_LENGTH, placeholder="..."),
            "partner_id": partner.id,
            "company_id": company.id,
            "channel": "live_chat",
            "description": Markup("").join(plaintext2html(text) for text in words),
            "chat_channel_id": self.id,
        }
        if team:
            vals["team_id"] = team.id
        complaint = Complaint.create(vals)
        complaint.message_subscribe(partner.ids)
        author = (
            chatbot_script.sudo().operator_partner_id
            if chatbot_script
            else self.env.user.partner_id
        )
        complaint.message_post(
            body=self.env._(
                "Registered from a live chat with %(customer)s; its transcript "
                "is attached.",
                customer=partner.display_name,
            ),
            author_id=author.id,
            attachments=[
                (
                    self.env._(
                        "Live chat transcript %(reference)s.txt",
                        reference=complaint.name,
                    ),
                    self._cs_transcript().encode(),
                )
            ],
            subtype_xmlid="mail.mt_note",
        )
        return complaint

    def _cs_chat_customer(self, company, chatbot_script=None):
        """The customer of this chat (see ``_cs_create_complaint``)."""
        members = self.with_context(active_test=False).channel_partner_ids
        customers = (
            members.filtered(lambda p: p.partner_share and not p.is_public)
            - self._cs_bot_partners()
        )
        if customers:
            return customers[:1]
        # sudo: chatbot.message - the contact the visitor gave the chatbot
        # here, also for an operator without live chat rights
        contact = (
            self.env["chatbot.script.step"]
            .sudo()
            ._chatbot_prepare_customer_values(
                self.sudo(), create_partner=False, update_partner=False
            )
        )
        email = email_normalize(contact.get("email") or "")
        if not email:
            emails = [
                email_normalize(address)
                for text in self._cs_customer_words()
                for address in email_split(text)
            ]
            email = next(filter(None, emails), False)
        phone = (contact.get("phone") or "").strip()
        if not email and not phone:
            raise UserError(
                self.env._(
                    "Sorry, I cannot register your complaint without an email "
                    "address or a phone number to reach you."
                )
                if chatbot_script
                else self.env._(
                    "The customer has left no email address or phone number in "
                    "this chat: ask for one before registering the complaint."
                )
            )
        Partner = self.env["res.partner"].sudo()
        partner = Partner._cs_find_intake_customer(company, email=email, phone=phone)
        if partner:
            return partner
        return Partner.create(
            {
                "name": email or phone,
                "email": email,
                "phone": phone,
                "company_id": company.id,
            }
        )

    def _cs_bot_partners(self):
        """The partners of the chatbots that spoke in this chat."""
        # sudo: chatbot.script - the visitor's chat may have run a chatbot
        scripts = self.sudo().chatbot_message_ids.script_step_id.chatbot_script_id
        return scripts.operator_partner_id

    def _cs_customer_messages(self):
        """The messages written by the customer, oldest first."""
        staff = self._cs_bot_partners()
        return self.message_ids.filtered(
            lambda message: (
                message.message_type == "comment"
                and (message.author_guest_id or message.author_id.partner_share)
                and message.author_id not in staff
            )
        ).sorted("id")

    def _cs_customer_words(self):
        """The customer's messages as text, without their answers to the
        chatbot's contact questions (which are no part of the complaint)."""
        # sudo: chatbot.message - the answers of the visitor's own chat
        contact_answers = (
            self.sudo()
            .chatbot_message_ids.filtered(
                lambda cm: (
                    cm.script_step_id.step_type in ("question_email", "question_phone")
                )
            )
            .mail_message_id
        )
        texts = (
            html2plaintext(message.body or "").strip()
            for message in self._cs_customer_messages()
            if message not in contact_answers
        )
        return [text for text in texts if text]

    def _cs_transcript(self):
        """The conversation as plain text, one message a line, times in UTC."""
        lines = [
            self.env._(
                "Live chat %(name)s (%(channel)s)",
                name=self.name,
                channel=self.sudo().livechat_channel_id.name or "",
            ),
            "",
        ]
        for message in self.message_ids.sorted("id"):
            text = html2plaintext(message.body or "").strip()
            if not text:
                continue
            author = (
                message.author_id.name
                or message.author_guest_id.name
                or self.anonymous_name
                or ""
            )
            lines.append(
                f"[{fields.Datetime.to_string(message.date)} UTC] {author}: {text}"
            )
        return "\n".join(lines) + "\n"

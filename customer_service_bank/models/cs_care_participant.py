from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from .constants import (
    CARE_ANSWERS,
    CARE_PARTICIPANT_CHANNELS,
    CARE_PARTICIPANT_STATES,
    CARE_SKIP_REASONS,
)


class CsCareParticipant(models.Model):
    """A customer targeted by a care campaign, once per occurrence.

    Occurrence 0 is a campaign run once; a yearly campaign has one
    occurrence per year. The row says whether the customer was contacted
    (the mail or the relationship manager's follow-up it produced), why
    not, what it cost and, for an event, the invitation's registration and
    the customer's answer. Rows are many (a greeting reaches every customer
    of a tier): they carry no chatter, and the campaign's jobs write them
    set-based.
    """

    _name = "cs.care.participant"
    _description = "Care Campaign Participant"
    # occurrence_date is for supervisors only: agents could not list by it
    _order = "occurrence desc, id desc"
    _rec_name = "partner_id"
    _check_company_auto = True

    campaign_id = fields.Many2one(
        "cs.care.campaign", required=True, index=True, ondelete="restrict"
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        index=True,
        ondelete="restrict",
    )
    occurrence = fields.Integer(
        required=True,
        default=0,
        aggregator=False,
        help="The year of a yearly campaign; 0 for a campaign run once.",
    )
    occurrence_date = fields.Date(
        string="Due Date",
        required=True,
        groups="customer_service_bank.group_cs_supervisor",
        help="The day the customer is contacted. For a birthday greeting it is "
        "the customer's birthday: supervisors only.",
    )
    campaign_kind = fields.Selection(related="campaign_id.kind")
    team_id = fields.Many2one(related="campaign_id.team_id", store=True, index=True)
    company_id = fields.Many2one(
        related="campaign_id.company_id", store=True, index=True
    )
    relationship_manager_id = fields.Many2one(
        "res.users",
        index="btree_not_null",
        help="The customer's relationship manager when the customer was targeted.",
    )
    state = fields.Selection(
        CARE_PARTICIPANT_STATES, required=True, default="queued", index=True
    )
    skip_reason = fields.Selection(CARE_SKIP_REASONS)
    failure_reason = fields.Char()
    channel = fields.Selection(
        CARE_PARTICIPANT_CHANNELS,
        help="How the customer was contacted: the campaign's channel, or a task "
        "when a special need of the customer asks for it.",
    )
    sent_date = fields.Datetime(
        string="Contacted On",
        groups="customer_service_bank.group_cs_supervisor",
    )
    mail_message_id = fields.Many2one(
        "mail.message", string="Mail", index="btree_not_null", ondelete="set null"
    )
    followup_id = fields.Many2one(
        "cs.followup", index="btree_not_null", ondelete="set null"
    )
    currency_id = fields.Many2one(related="campaign_id.currency_id")
    cost = fields.Monetary()
    registration_id = fields.Many2one(
        "event.registration", index="btree_not_null", ondelete="set null"
    )
    registration_state = fields.Selection(
        related="registration_id.state", string="Registration Status"
    )
    attended = fields.Boolean(
        compute="_compute_attended",
        search="_search_attended",
        help="The customer came to the event: the registration is attended.",
    )
    answer = fields.Selection(CARE_ANSWERS)
    answer_date = fields.Datetime()
    access_token = fields.Char(copy=False, groups="base.group_system")

    _sql_constraints = [
        (
            "campaign_partner_occurrence_unique",
            "UNIQUE(campaign_id, partner_id, occurrence)",
            "A customer takes part in a campaign once per occurrence.",
        ),
    ]

    @api.depends("partner_id", "campaign_id")
    def _compute_display_name(self):
        for participant in self:
            participant.display_name = (
                f"{participant.campaign_id.name} – {participant.partner_id.name}"
            )

    @api.depends("registration_id.state")
    def _compute_attended(self):
        for participant in self:
            participant.attended = participant.sudo().registration_id.state == "done"

    def _search_attended(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(self.env._("Search attended customers with yes or no."))
        # sudo: agents read participants, not the event's registrations
        attended = (
            self.env["event.registration"].sudo()._search([("state", "=", "done")])
        )
        if (operator == "=") == value:
            return [("registration_id", "in", attended)]
        return [
            "|",
            ("registration_id", "=", False),
            ("registration_id", "not in", attended),
        ]

    def action_mark_attended(self):
        """Mark the customers as having attended the campaign's event.

        Agents may do it for the participants they may read (their own
        customers'), though they may not write participants or registrations.
        """
        self._set_attendance("done")
        return True

    def action_mark_absent(self):
        """Undo an attendance: the customer stays registered, not attended.
        An attendee follow-up already planned is kept."""
        self._set_attendance("open")
        return True

    def _set_attendance(self, state):
        self.check_access("read")
        # sudo once the participants are known to be the user's
        participants = self.sudo()
        without_event = participants.filtered(
            lambda participant: not participant.campaign_id.event_id
        )
        if without_event:
            raise UserError(
                self.env._(
                    "%(campaign)s has no event to attend.",
                    campaign=without_event[0].campaign_id.name,
                )
            )
        participants._cs_invite_to_event()
        registrations = participants.registration_id
        if state == "done":
            registrations.filtered(
                lambda registration: registration.state != "done"
            ).action_set_done()
        else:
            registrations.filtered(
                lambda registration: registration.state == "done"
            ).action_confirm()

    def _cs_invite_to_event(self):
        """Register these participants, unconfirmed, to their campaign's
        event: the registration is the invitation, confirmed or cancelled by
        the customer's answer. Participants already registered are kept."""
        to_invite = self.filtered(
            lambda participant: (
                participant.campaign_id.event_id and not participant.registration_id
            )
        )
        if not to_invite:
            return
        registrations = (
            self.env["event.registration"]
            .sudo()
            .create(
                [
                    {
                        "event_id": participant.campaign_id.event_id.id,
                        "partner_id": participant.partner_id.id,
                        "state": "draft",
                    }
                    for participant in to_invite
                ]
            )
        )
        for participant, registration in zip(to_invite, registrations, strict=True):
            participant.registration_id = registration

    def _cs_invitation_url(self):
        """The invitation's page, where the customer answers without logging
        in; the token is the participant's access token."""
        self.ensure_one()
        return (
            f"{self.get_base_url()}/cs/care/invitation/"
            f"{self.id}/{self.sudo().access_token}"
        )

    def _cs_invitation_state(self):
        """``open`` (or ``answered``) while the customer may answer;
        ``expired`` once the event started or the campaign ended."""
        self.ensure_one()
        event = self.campaign_id.event_id
        if (
            self.campaign_id.state in ("done", "cancelled")
            or not event
            or event.date_begin <= fields.Datetime.now()
            or self.registration_id.state == "done"
        ):
            return "expired"
        return "answered" if self.answer else "open"

    def _cs_answer_invitation(self, answer):
        """Record the customer's answer, ``accepted`` or ``declined``: the
        registration is confirmed or cancelled. The customer may change it
        until the event starts."""
        self.ensure_one()
        if answer not in dict(CARE_ANSWERS):
            raise UserError(self.env._("Accept or decline the invitation."))
        if self._cs_invitation_state() == "expired":
            raise UserError(self.env._("This invitation has expired."))
        self._cs_invite_to_event()
        registration = self.registration_id
        if answer == "accepted":
            registration.action_confirm()
        else:
            registration.action_cancel()
        self.write({"answer": answer, "answer_date": fields.Datetime.now()})
        answers = dict(self._fields["answer"]._description_selection(self.env))
        registration.message_post(
            body=self.env._(
                "Invitation answered by the customer: %(answer)s.",
                answer=answers[answer],
            ),
            author_id=self.partner_id.id,
            subtype_xmlid="mail.mt_note",
        )

    def _cs_plan_attendee_followups(self):
        """Plan a follow-up for each attendee whose campaign asks for it:
        for the relationship manager, else the campaign's owner, some days
        after the event. Once per participant."""
        candidates = self.filtered(
            lambda participant: (
                participant.campaign_id.followup_attendees
                and not participant.followup_id
            )
        )
        if not candidates:
            return
        # two users marking the same attendance at once plan one follow-up
        self.env.cr.execute(
            SQL(
                "SELECT id FROM cs_care_participant WHERE id IN %s FOR UPDATE",
                tuple(candidates.ids),
            )
        )
        candidates.invalidate_recordset(["followup_id"])
        candidates = candidates.filtered(
            lambda participant: (
                not participant.followup_id
                and participant.registration_id.state == "done"
            )
        )
        vals_list = []
        for participant in candidates:
            campaign = participant.campaign_id
            event = participant.registration_id.event_id
            event_day = fields.Datetime.context_timestamp(
                self.with_context(tz=event.date_tz), event.date_begin
            ).date()
            manager = participant.relationship_manager_id
            vals_list.append(
                {
                    "name": self.env._(
                        "Thank %(customer)s for attending %(event)s",
                        customer=participant.partner_id.name,
                        event=event.name,
                    ),
                    "partner_id": participant.partner_id.id,
                    "kind": "phone",
                    "planned_date": event_day
                    + timedelta(days=campaign.followup_delay_days),
                    "user_id": (manager if manager.active else campaign.user_id).id,
                    "company_id": participant.company_id.id,
                }
            )
        followups = self.env["cs.followup"].sudo().create(vals_list)
        for participant, followup in zip(candidates, followups, strict=True):
            participant.followup_id = followup

import uuid
from collections import Counter, defaultdict
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL
from odoo.tools.sql import create_index

from .constants import (
    CARE_ANSWERS,
    CARE_PARTICIPANT_CHANNELS,
    CARE_PARTICIPANT_STATES,
    CARE_SKIP_REASONS,
)
from .cs_complaint_stage import DONE_KINDS
from .res_partner_contact_policy import CONTACT_POLICY_FIELDS

CARE_BATCH_SIZE = 1000
# ir.cron only asks whether participants are left: counted up to one more
# than a batch, so that the batch's failed rows, subtracted, hide none left
CARE_REMAINING_CAP = CARE_BATCH_SIZE + 1
# the contact policy's refusals as skip reasons, in the order reasons are given
POLICY_SKIP_REASONS = [
    ("deceased", "deceased"),
    ("archived", "inactive"),
    ("do_not_contact", "do_not_contact"),
    ("withdrawn", "no_consent"),
    ("no_consent", "no_consent"),
    ("blacklisted", "blacklisted"),
    ("no_email", "no_email"),
]
# a care task's follow-up, and the follow-up a special need's channel asks for
TASK_FOLLOWUP_KINDS = {
    "call": "phone",
    "visit": "visit",
    "letter": "message",
    "gift": "message",
}
NEED_FOLLOWUP_KINDS = {"phone": "phone", "visit": "visit"}
# what materialising and sending read with SQL, besides the contact policy
CARE_SQL_FIELDS = {
    "res.partner": [
        "active",
        "tz",
        "cs_deceased",
        "cs_relationship_manager_id",
        "cs_customer_since",
    ],
    "res.company": [
        "partner_id",
        "cs_care_send_hour_from",
        "cs_care_send_hour_to",
    ],
    "res.users": ["partner_id"],
    "cs.customer.sensitive": ["partner_id", "birth_date"],
    "cs.complaint": ["partner_id", "active", "stage_kind"],
    "cs.care.campaign": ["state", "kind", "user_id", "company_id", "send_time"],
    "cs.care.participant": [
        "campaign_id",
        "partner_id",
        "occurrence",
        "occurrence_date",
        "state",
    ],
}


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
    _inherit = ["cs.batch.job.mixin"]
    _batch_flush_fields = {**CONTACT_POLICY_FIELDS, **CARE_SQL_FIELDS}
    _cs_batch_size = CARE_BATCH_SIZE

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
    access_token = fields.Char(
        copy=False,
        groups="base.group_system",
        default=lambda self: str(uuid.uuid4()),
        help="The secret of the customer's invitation links.",
    )

    _sql_constraints = [
        (
            "campaign_partner_occurrence_unique",
            "UNIQUE(campaign_id, partner_id, occurrence)",
            "A customer takes part in a campaign once per occurrence.",
        ),
    ]

    def _auto_init(self):
        result = super()._auto_init()
        # The sending job claims the queued participants in id order: walking
        # this index it stops after a batch, instead of reading every queued
        # (and, until vacuumed, every already sent) participant.
        create_index(
            self.env.cr,
            "cs_care_participant_queued_id_index",
            self._table,
            ["id"],
            where="state = 'queued'",
        )
        return result

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
        to_invite._cs_link(registration_id=registrations.ids)
        registrations.invalidate_recordset(["cs_care_participant_ids"])

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
            event = participant.registration_id.event_id
            event_day = fields.Datetime.context_timestamp(
                self.with_context(tz=event.date_tz), event.date_begin
            ).date()
            vals_list.append(
                participant._cs_followup_values(
                    self.env._(
                        "Thank %(customer)s for attending %(event)s",
                        customer=participant.partner_id.name,
                        event=event.name,
                    ),
                    "phone",
                    event_day
                    + timedelta(days=participant.campaign_id.followup_delay_days),
                )
            )
        followups = self.env["cs.followup"].sudo().create(vals_list)
        candidates._cs_link(followup_id=followups.ids)

    def _cs_followup_values(self, name, kind, planned_date):
        """Values of a follow-up of this participant for the relationship
        manager, or the campaign's owner when there is none or they left."""
        self.ensure_one()
        manager = self.relationship_manager_id
        return {
            "name": name,
            "partner_id": self.partner_id.id,
            "kind": kind,
            "planned_date": planned_date,
            "user_id": (manager if manager.active else self.campaign_id.user_id).id,
            "company_id": self.company_id.id,
        }

    def _cs_link(self, **ids):
        """Set a many2one of these participants to the ids given in their
        order (e.g. ``registration_id=[...]``), in one UPDATE."""
        ((field_name, values),) = ids.items()
        self.flush_recordset([field_name])
        self.env.execute_query(
            SQL(
                """UPDATE cs_care_participant cp
                      SET %s = link.value, write_uid = %s, write_date = %s
                     FROM unnest(%s::int[], %s::int[]) AS link(id, value)
                    WHERE cp.id = link.id""",
                SQL.identifier(field_name),
                self.env.uid,
                fields.Datetime.now(),
                self.ids,
                values,
            )
        )
        self.invalidate_recordset([field_name, "write_uid", "write_date"])

    # ------------------------------------------------------------------
    # materialising
    # ------------------------------------------------------------------

    @api.model
    def _cs_refusal_sql(self, campaign, day, budget=True):
        """SQL of why the customer row ``p`` is not contacted by ``campaign``
        on ``day``: a skip reason, or NULL when it is.

        The contact policy (``res.partner._cs_contact_rules``) gives most
        reasons. A special need asking for another channel is no reason to
        skip: the customer gets a task instead of a mail, so that neither a
        missing nor a blacklisted email skips them. The contact budget counts
        the customer's queued and sent contacts of the ``D`` days up to
        ``day``, in the row ``cs_budget`` that ``_cs_budget_sql`` joins; it is
        only checked when selecting (``budget``): a queued participant has its
        contact reserved.
        """
        Partner = self.env["res.partner"]
        company = campaign.company_id
        channel = campaign._cs_contact_channel()
        rules = dict(
            Partner._cs_contact_rules("p", campaign._cs_contact_purpose(), channel)
        )
        needs_task = SQL("EXISTS (%s)", Partner._cs_other_channels_sql("p", channel))
        conditions = []
        for code, reason in POLICY_SKIP_REASONS:
            if code not in rules:
                continue
            condition = rules[code]
            if campaign.channel == "email" and code in ("no_email", "blacklisted"):
                condition = SQL("(%s AND NOT %s)", condition, needs_task)
            conditions.append((reason, condition))
        if company.cs_care_quiet_open_complaint:
            conditions.append(
                (
                    "quiet_period",
                    SQL(
                        """EXISTS (SELECT 1 FROM cs_complaint cs_open
                                    WHERE cs_open.partner_id = p.id
                                      AND cs_open.active
                                      AND COALESCE(cs_open.stage_kind, 'new')
                                          != ALL(%s))""",
                        list(DONE_KINDS),
                    ),
                )
            )
        if budget and self._cs_budget_applies(campaign):
            conditions.append(
                (
                    "contact_budget",
                    SQL(
                        "COALESCE(cs_budget.contacts, 0) >= %s",
                        company.cs_care_contact_limit,
                    ),
                )
            )
        return SQL(
            "CASE %s END",
            SQL(" ").join(
                SQL("WHEN %s THEN %s", condition, reason)
                for reason, condition in conditions
            ),
        )

    @api.model
    def _cs_budget_applies(self, campaign):
        """Whether the contact budget limits ``campaign``'s participants."""
        company = campaign.company_id
        exempt = campaign.kind == "birthday" and company.cs_care_birthday_exempt
        return bool(company.cs_care_contact_limit) and not exempt

    @api.model
    def _cs_budget_sql(self, campaign, day):
        """SQL of the rows (partner_id, contacts): the care contacts, queued
        or sent, of each customer in the company's window of days up to
        ``day``; birthday greetings do not count when exempt.

        Counted once for all customers, before the participants are added:
        a subquery per customer would scan the rows the INSERT adds.
        """
        company = campaign.company_id
        return SQL(
            """
            SELECT cs_counted.partner_id, count(*) AS contacts
              FROM cs_care_participant cs_counted
              JOIN cs_care_campaign cs_counted_campaign
                ON cs_counted_campaign.id = cs_counted.campaign_id
             WHERE cs_counted.state IN ('queued', 'sent')
               AND cs_counted.occurrence_date > %s
               AND cs_counted.occurrence_date <= %s
               AND %s
             GROUP BY cs_counted.partner_id
            """,
            day - timedelta(days=company.cs_care_contact_window_days),
            day,
            SQL("cs_counted_campaign.kind != 'birthday'")
            if company.cs_care_birthday_exempt
            else SQL("TRUE"),
        )

    @api.model
    def _cs_day_sql(self, campaign, day):
        """SQL condition on the customer row ``p``: ``day`` is its birthday
        (29 February on the 28th in other years) or the anniversary of its
        first year as a customer."""
        month_days = [day.strftime("%m-%d")]
        if day.month == 2 and day.day == 28:
            try:
                day.replace(day=29)
            except ValueError:
                month_days.append("02-29")
        if campaign.kind == "birthday":
            # the birth date is read here as the cron reads it: never shown
            return SQL(
                """EXISTS (SELECT 1 FROM cs_customer_sensitive cs_birth
                            WHERE cs_birth.partner_id = p.id
                              AND to_char(cs_birth.birth_date, 'MM-DD') = ANY(%s))""",
                month_days,
            )
        return SQL(
            "(to_char(p.cs_customer_since, 'MM-DD') = ANY(%s)"
            " AND p.cs_customer_since <= %s)",
            month_days,
            day - timedelta(days=365),
        )

    @api.model
    def _cs_materialise(self, campaign, occurrence, day, per_customer=False):
        """Add the participants of ``campaign``'s ``occurrence`` due on ``day``
        in one INSERT ... SELECT: queued, or skipped with their reason.

        Customers already taking part in the occurrence are left as they are
        (the unique constraint): running it again adds nobody. With
        ``per_customer``, only the customers whose birthday or anniversary
        is ``day``. Returns a Counter of the participants added per state.
        """
        self._batch_flush()
        self.env["res.partner"]._cs_contact_flush()
        targets = (
            self.env["res.partner"]
            .sudo()
            .with_context(active_test=False)
            ._search(campaign._target_domain())
        )
        rows = self.env.execute_query(
            SQL(
                """
                WITH added AS (
                    INSERT INTO cs_care_participant (
                        campaign_id, partner_id, occurrence, occurrence_date,
                        team_id, company_id, relationship_manager_id, state,
                        skip_reason, access_token,
                        create_uid, create_date, write_uid, write_date
                    )
                    SELECT %(campaign)s, target.id, %(occurrence)s, %(day)s,
                           %(team)s, %(company)s, target.manager_id,
                           CASE WHEN target.reason IS NULL
                                THEN 'queued' ELSE 'skipped' END,
                           target.reason, gen_random_uuid()::text,
                           %(uid)s, %(now)s, %(uid)s, %(now)s
                      FROM (
                        -- OFFSET 0: the reason is computed once per customer
                        SELECT p.id, p.cs_relationship_manager_id AS manager_id,
                               %(refusal)s AS reason
                          FROM res_partner p
                          LEFT JOIN (%(budget)s) cs_budget
                            ON cs_budget.partner_id = p.id
                         WHERE p.id IN (%(targets)s) AND %(day_condition)s
                        OFFSET 0
                      ) target
                    ON CONFLICT (campaign_id, partner_id, occurrence) DO NOTHING
                    RETURNING state
                )
                SELECT state, count(*) FROM added GROUP BY state
                """,
                campaign=campaign.id,
                occurrence=occurrence,
                day=day,
                team=campaign.team_id.id,
                company=campaign.company_id.id,
                uid=self.env.uid,
                now=fields.Datetime.now(),
                refusal=self._cs_refusal_sql(campaign, day),
                budget=self._cs_budget_sql(campaign, day)
                if self._cs_budget_applies(campaign)
                else SQL("SELECT NULL::int AS partner_id, 0 AS contacts"),
                targets=targets.subselect(),
                day_condition=(
                    self._cs_day_sql(campaign, day) if per_customer else SQL("TRUE")
                ),
            )
        )
        self.invalidate_model()
        campaign.invalidate_recordset(["participant_ids"])
        return Counter(dict(rows))

    # ------------------------------------------------------------------
    # sending: the batch job
    # ------------------------------------------------------------------

    @api.model
    def _cron_send_care(self, batch_size=CARE_BATCH_SIZE):
        """Select the participants of the days that have come, then contact
        a batch of those due; ``ir.cron`` calls again while some are left."""
        Campaign = self.env["cs.care.campaign"].sudo()
        Campaign.search(
            [("state", "in", ("approved", "running"))]
        )._cs_materialise_due()
        self.sudo()._run_batch_job(batch_size)
        Campaign.search(
            [("state", "=", "running"), ("recurrence", "=", "once")]
        )._cs_close_finished()

    @api.model
    def _cs_due_sql(self, campaign_ids=None):
        """SQL of the queued participants (alias ``cp``) whose day and send
        time have come and whose customer's local time is inside the
        company's sending window. Local times are the customer's time zone,
        else the company's, else the campaign owner's, else UTC."""
        tz = SQL("COALESCE(NULLIF(p.tz, ''), due_campaign.tz)")
        local_now = SQL(
            "((%s::timestamp AT TIME ZONE 'UTC') AT TIME ZONE %s)",
            fields.Datetime.now(),
            tz,
        )
        local_hour = SQL(
            "(EXTRACT(HOUR FROM %s) + EXTRACT(MINUTE FROM %s) / 60.0)",
            local_now,
            local_now,
        )
        # The campaigns' part is computed once; the customer's part in a
        # subquery per participant, which the planner cannot turn into a
        # join: a claim walks the partial index of the queued participants
        # in id order and stops after a batch, instead of joining and
        # sorting all of them.
        return SQL(
            """
            WITH due_campaign AS MATERIALIZED (
                SELECT campaign.id, campaign.send_time,
                       company.cs_care_send_hour_from AS hour_from,
                       company.cs_care_send_hour_to AS hour_to,
                       COALESCE(NULLIF(company_partner.tz, ''),
                                NULLIF(owner_partner.tz, ''), 'UTC') AS tz
                  FROM cs_care_campaign campaign
                  JOIN res_company company ON company.id = campaign.company_id
                  JOIN res_partner company_partner
                    ON company_partner.id = company.partner_id
                  JOIN res_users owner ON owner.id = campaign.user_id
                  JOIN res_partner owner_partner
                    ON owner_partner.id = owner.partner_id
                 WHERE campaign.state IN ('approved', 'running') AND %s
            )
            SELECT cp.id
              FROM cs_care_participant cp
             WHERE cp.state = 'queued'
               AND cp.campaign_id IN (SELECT id FROM due_campaign)
               AND (SELECT cp.occurrence_date + make_interval(
                               secs => COALESCE(due_campaign.send_time, 0) * 3600)
                               <= %s
                           AND %s >= due_campaign.hour_from
                           AND %s < due_campaign.hour_to
                      FROM due_campaign, res_partner p
                     WHERE due_campaign.id = cp.campaign_id
                       AND p.id = cp.partner_id)
            """,
            SQL("campaign.id = ANY(%s)", campaign_ids) if campaign_ids else SQL("TRUE"),
            local_now,
            local_hour,
            local_hour,
        )

    @api.model
    def _batch_claim(self, limit, campaign_ids=None):
        query = self._batch_lock_sql(
            self._cs_due_sql(campaign_ids), limit, order=SQL("cp.id"), of="cp"
        )
        return self.browse(row[0] for row in self._batch_fetch(query))

    @api.model
    def _batch_remaining(self, campaign_ids=None):
        """The due participants left, counted up to ``CARE_REMAINING_CAP``:
        counting all of them after every batch would make sending a large
        campaign quadratic, and ir.cron only needs to know whether any are."""
        return self._batch_count(
            SQL("%s LIMIT %s", self._cs_due_sql(campaign_ids), CARE_REMAINING_CAP)
        )

    @api.model
    def _batch_failed(self, item, error):
        item.write({"state": "failed", "failure_reason": str(error)[:1000]})
        return True

    @api.model
    def _batch_process(self, batch, campaign_ids=None):
        """Contact a claimed batch: check the contact policy again (consent
        may have been withdrawn since the participants were selected), then
        mail those of email campaigns in one rendering and one creation, and
        give the others to their relationship managers as follow-ups."""
        now = fields.Datetime.now()
        mailed, tasked = self.browse(), defaultdict(self.browse)
        skipped = defaultdict(self.browse)
        for campaign, participants in batch.grouped("campaign_id").items():
            refusals = self._cs_send_refusals(campaign, participants)
            for participant in participants:
                reason, need_channel = refusals[participant.id]
                if reason:
                    skipped[reason] |= participant
                elif campaign.channel == "task":
                    kind = TASK_FOLLOWUP_KINDS[campaign.task_kind or "call"]
                    tasked[kind] |= participant
                elif need_channel:
                    kind = NEED_FOLLOWUP_KINDS.get(need_channel, "message")
                    tasked[kind] |= participant
                else:
                    mailed |= participant
        for reason, participants in skipped.items():
            participants.write({"state": "skipped", "skip_reason": reason})
        contacted = mailed | self.browse().concat(*tasked.values())
        contacted.filtered(lambda cp: cp.campaign_id.event_id)._cs_invite_to_event()
        sent = {}
        for campaign, participants in mailed.grouped("campaign_id").items():
            sent.update(participants._cs_mail(campaign))
        for kind, participants in tasked.items():
            sent.update(participants._cs_plan_tasks(kind))
        if sent:
            contacted._cs_mark_sent(sent, now)
        return batch

    def _cs_mark_sent(self, sent, now):
        """Mark these participants sent at ``now``, with the cost of their
        campaign and ``sent`` {participant id: (channel, mail message id,
        follow-up id)}, in one UPDATE whatever the batch's size."""
        self.flush_model()
        ids = list(sent)
        self.env.execute_query(
            SQL(
                """
                UPDATE cs_care_participant cp
                   SET state = 'sent', sent_date = %s, channel = sent.channel,
                       mail_message_id = sent.mail_message_id,
                       followup_id = sent.followup_id,
                       cost = campaign.cost_per_participant,
                       write_uid = %s, write_date = %s
                  FROM unnest(%s::int[], %s::varchar[], %s::int[], %s::int[])
                       AS sent(id, channel, mail_message_id, followup_id),
                       cs_care_campaign campaign
                 WHERE cp.id = sent.id AND campaign.id = cp.campaign_id
                """,
                now,
                self.env.uid,
                now,
                ids,
                [sent[key][0] for key in ids],
                [sent[key][1] for key in ids],
                [sent[key][2] for key in ids],
            )
        )
        self.invalidate_recordset(
            [
                "state",
                "sent_date",
                "channel",
                "mail_message_id",
                "followup_id",
                "cost",
                "write_uid",
                "write_date",
            ]
        )

    @api.model
    def _cs_send_refusals(self, campaign, participants):
        """{participant id: (skip reason or None, the other channel a special
        need asks for or None)} of ``campaign``'s ``participants``, now."""
        channel = campaign._cs_contact_channel()
        Partner = self.env["res.partner"]
        Partner._cs_contact_flush()
        self._batch_flush()
        rows = self.env.execute_query(
            SQL(
                """
                SELECT cp.id, %s,
                       (SELECT min(other.contact_channel) FROM (%s) other)
                  FROM cs_care_participant cp
                  JOIN res_partner p ON p.id = cp.partner_id
                 WHERE cp.id = ANY(%s)
                """,
                self._cs_refusal_sql(campaign, fields.Date.today(), budget=False),
                Partner._cs_other_channels_sql("p", channel),
                participants.ids,
            )
        )
        return {row[0]: (row[1], row[2]) for row in rows}

    def _cs_mail(self, campaign):
        """Queue the mails of these participants of ``campaign``: its template
        rendered for all of them at once, in each customer's language, and
        their messages, mails and recipients inserted in Odoo's mail queue
        with one INSERT each, whatever the batch's size. Returns {participant
        id: ("email", mail message id, None)}.

        ``create()`` of mail.message and mail.mail cost about 0.6 ms of Python
        per mail, a minute for a greeting to 100,000 customers; the INSERTs
        fill the columns those creates would (the message's body sanitised
        as its field does), and the mail queue's scheduled action is
        triggered as for mails created one by one.
        """
        template = campaign.mail_template_id
        rendered = template._generate_template(
            self.ids,
            (
                "subject",
                "body_html",
                "email_from",
                "reply_to",
                "email_cc",
                "mail_server_id",
                "auto_delete",
                "scheduled_date",
            ),
        )
        Message = self.env["mail.message"].sudo()
        Mail = self.env["mail.mail"].sudo()
        body_field = Message._fields["body"]
        default_from = None
        rows = defaultdict(list)
        for participant in self:
            values = rendered[participant.id]
            email_from = values.get("email_from")
            if not email_from:
                if default_from is None:
                    # what mail.message's create computes without an author
                    default_from = self.env["mail.thread"]._message_compute_author(
                        None, email_from=None, raise_on_email=False
                    )[1]
                email_from = default_from
            scheduled = values.get("scheduled_date")
            scheduled = scheduled and Mail._parse_scheduled_datetime(scheduled)
            rows["res_id"].append(participant.id)
            rows["partner_id"].append(participant.partner_id.id)
            rows["subject"].append(values.get("subject") or None)
            body = body_field.convert_to_column(values.get("body_html"), Message)
            rows["body"].append(body and str(body))
            rows["body_html"].append(values.get("body_html") or None)
            rows["email_from"].append(email_from or None)
            rows["reply_to"].append(values.get("reply_to") or None)
            rows["email_cc"].append(values.get("email_cc") or None)
            rows["mail_server_id"].append(values.get("mail_server_id") or None)
            rows["scheduled_date"].append(
                scheduled.replace(tzinfo=None) if scheduled else None
            )
            rows["message_id"].append(
                Message._get_message_id(
                    {
                        "model": self._name,
                        "res_id": participant.id,
                        "message_type": "email_outgoing",
                    }
                )
            )
        Message.flush_model()
        Mail.flush_model()
        now = fields.Datetime.now()
        uid = self.env.uid
        message_rows = self.env.execute_query(
            SQL(
                """
                INSERT INTO mail_message (
                    model, res_id, record_name, message_type, subject, body,
                    email_from, reply_to, mail_server_id, message_id, date,
                    email_add_signature,
                    create_uid, create_date, write_uid, write_date
                )
                SELECT %(model)s, new.res_id, %(record_name)s, 'email_outgoing',
                       new.subject, new.body, new.email_from, new.reply_to,
                       new.mail_server_id, new.message_id, %(now)s, TRUE,
                       %(uid)s, %(now)s, %(uid)s, %(now)s
                  FROM unnest(%(res_id)s::int[], %(subject)s::varchar[],
                              %(body)s::text[], %(email_from)s::varchar[],
                              %(reply_to)s::varchar[], %(mail_server_id)s::int[],
                              %(message_id)s::varchar[])
                       AS new(res_id, subject, body, email_from, reply_to,
                              mail_server_id, message_id)
                RETURNING id, res_id
                """,
                model=self._name,
                record_name=campaign.name,
                now=now,
                uid=uid,
                res_id=rows["res_id"],
                subject=rows["subject"],
                body=rows["body"],
                email_from=rows["email_from"],
                reply_to=rows["reply_to"],
                mail_server_id=rows["mail_server_id"],
                message_id=rows["message_id"],
            )
        )
        message_ids = {res_id: message_id for message_id, res_id in message_rows}
        self.env.execute_query(
            SQL(
                """
                WITH mail AS (
                    INSERT INTO mail_mail (
                        mail_message_id, body_html, email_cc, scheduled_date,
                        auto_delete, is_notification, state,
                        create_uid, create_date, write_uid, write_date
                    )
                    SELECT new.message_id, new.body_html, new.email_cc,
                           new.scheduled_date, %(auto_delete)s, FALSE,
                           'outgoing', %(uid)s, %(now)s, %(uid)s, %(now)s
                      FROM unnest(%(message_id)s::int[], %(body_html)s::text[],
                                  %(email_cc)s::varchar[],
                                  %(scheduled_date)s::timestamp[])
                           AS new(message_id, body_html, email_cc, scheduled_date)
                    RETURNING id, mail_message_id
                )
                INSERT INTO mail_mail_res_partner_rel (mail_mail_id, res_partner_id)
                SELECT mail.id, recipient.partner_id
                  FROM mail
                  JOIN unnest(%(message_id)s::int[], %(partner_id)s::int[])
                       AS recipient(message_id, partner_id)
                    ON recipient.message_id = mail.mail_message_id
                """,
                auto_delete=template.auto_delete,
                uid=uid,
                now=now,
                message_id=[message_ids[res_id] for res_id in rows["res_id"]],
                body_html=rows["body_html"],
                email_cc=rows["email_cc"],
                scheduled_date=rows["scheduled_date"],
                partner_id=rows["partner_id"],
            )
        )
        Message.invalidate_model()
        Mail.invalidate_model()
        self.env.ref("mail.ir_cron_mail_scheduler_action")._trigger()
        return {
            res_id: ("email", message_ids[res_id], None) for res_id in rows["res_id"]
        }

    def _cs_plan_tasks(self, kind):
        """Ask the relationship managers (else the campaigns' owners) to
        contact these participants, as follow-ups of ``kind``, in one batch.
        Returns {participant id: ("task", None, follow-up id)}."""
        vals_list = []
        for participant in self:
            vals = participant._cs_followup_values(
                False, kind, participant.occurrence_date
            )
            owner = self.env["res.users"].browse(vals["user_id"])
            vals["name"] = self.with_context(lang=owner.lang).env._(
                "Care: %(campaign)s", campaign=participant.campaign_id.name
            )
            vals_list.append(vals)
        followups = (
            self.env["cs.followup"]
            .sudo()
            .with_context(mail_create_nolog=True, mail_create_nosubscribe=True)
            .create(vals_list)
        )
        return {
            participant.id: ("task", None, followup.id)
            for participant, followup in zip(self, followups, strict=True)
        }

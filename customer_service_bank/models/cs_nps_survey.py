from datetime import timedelta
from operator import itemgetter

from psycopg2 import IntegrityError

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL, groupby

from .constants import NPS_SURVEY_STATES

NPS_BATCH_SIZE = 500


class CsNpsSurvey(models.Model):
    """A Net Promoter Score campaign.

    While running, the scheduled action (``_cron_sample_surveys``) samples up
    to ``sample_size`` customers of each of its segments, creates their
    responses and mails them a link to answer. A customer asked by any
    survey is not asked again within the company's quiet period.
    """

    _name = "cs.nps.survey"
    _description = "NPS Survey"
    _inherit = ["mail.thread", "cs.batch.job.mixin"]
    _order = "date_start desc, id desc"
    _check_company_auto = True
    # what _due_surveys_sql and _eligible_sql read, besides the contact policy
    _batch_flush_fields = {
        "res.partner": ["company_id", "cs_customer_number"],
        "cs.customer.metrics": ["partner_id", "segment_id"],
        "cs.nps.survey": [
            "state",
            "mail_template_id",
            "date_start",
            "date_end",
            "sample_size",
        ],
        "cs.nps.response": [
            "survey_id",
            "partner_id",
            "segment_id",
            "sent_date",
            "create_date",
        ],
    }
    # sampling creates its responses through _batch_create_safely
    _batch_isolation = "none"

    name = fields.Char(required=True, tracking=True)
    company_id = fields.Many2one(
        "res.company",
        required=True,
        index=True,
        default=lambda self: self.env.company,
    )
    user_id = fields.Many2one(
        "res.users",
        string="Responsible",
        required=True,
        tracking=True,
        domain="[('share', '=', False)]",
        default=lambda self: self.env.user,
        help="Owns the follow-ups of detractors who have no relationship manager.",
    )
    state = fields.Selection(
        NPS_SURVEY_STATES,
        required=True,
        default="draft",
        tracking=True,
        index=True,
        copy=False,
    )
    segment_ids = fields.Many2many(
        "cs.segment",
        string="Segments",
        check_company=True,
        help="Customers are sampled in each of these tiers or tags.",
    )
    sample_size = fields.Integer(
        string="Sample Size per Segment",
        required=True,
        default=50,
        help="Customers asked in each segment, at most.",
    )
    date_start = fields.Date(
        string="Start Date",
        default=fields.Date.context_today,
        tracking=True,
        help="Customers are sampled from this day on.",
    )
    date_end = fields.Date(
        string="End Date",
        tracking=True,
        help="Customers are no longer sampled after this day; answers are "
        "still recorded until the survey is closed.",
    )
    mail_template_id = fields.Many2one(
        "mail.template",
        string="Invitation Mail",
        domain="[('model', '=', 'cs.nps.response')]",
        default=lambda self: self.env.ref(
            "customer_service_bank.mail_template_cs_nps_survey",
            raise_if_not_found=False,
        ),
    )
    response_ids = fields.One2many("cs.nps.response", "survey_id", string="Responses")
    sent_count = fields.Integer(string="Sent", compute="_compute_counts")
    answered_count = fields.Integer(string="Answered", compute="_compute_counts")
    promoter_count = fields.Integer(string="Promoters", compute="_compute_counts")
    passive_count = fields.Integer(string="Passives", compute="_compute_counts")
    detractor_count = fields.Integer(string="Detractors", compute="_compute_counts")
    response_rate = fields.Float(
        string="Response Rate (%)",
        compute="_compute_counts",
        help="Answered responses per response sent.",
    )
    nps = fields.Float(
        string="NPS",
        compute="_compute_counts",
        help="Share of promoters (9-10) minus share of detractors (0-6) among "
        "the answers, from -100 to 100.",
    )

    @api.constrains("sample_size")
    def _check_sample_size(self):
        for survey in self:
            if survey.sample_size <= 0:
                raise ValidationError(
                    _(
                        "%(survey)s: the sample size must be positive.",
                        survey=survey.display_name,
                    )
                )

    @api.constrains("date_start", "date_end")
    def _check_dates(self):
        for survey in self:
            if (
                survey.date_start
                and survey.date_end
                and survey.date_end < survey.date_start
            ):
                raise ValidationError(
                    _(
                        "%(survey)s: the end date cannot be before the start date.",
                        survey=survey.display_name,
                    )
                )

    @api.depends("response_ids.sent_date", "response_ids.category")
    def _compute_counts(self):
        Response = self.env["cs.nps.response"]
        sent = dict(
            Response._read_group(
                [("survey_id", "in", self.ids), ("sent_date", "!=", False)],
                ["survey_id"],
                ["__count"],
            )
        )
        by_category = {
            (survey, category): count
            for survey, category, count in Response._read_group(
                [("survey_id", "in", self.ids), ("category", "!=", False)],
                ["survey_id", "category"],
                ["__count"],
            )
        }
        for survey in self:
            promoters = by_category.get((survey, "promoter"), 0)
            passives = by_category.get((survey, "passive"), 0)
            detractors = by_category.get((survey, "detractor"), 0)
            answered = promoters + passives + detractors
            survey.sent_count = sent.get(survey, 0)
            survey.answered_count = answered
            survey.promoter_count = promoters
            survey.passive_count = passives
            survey.detractor_count = detractors
            survey.response_rate = (
                100.0 * answered / survey.sent_count if survey.sent_count else 0.0
            )
            survey.nps = (
                round(100.0 * (promoters - detractors) / answered, 2)
                if answered
                else 0.0
            )

    @api.ondelete(at_uninstall=False)
    def _unlink_except_sent(self):
        if self.response_ids:
            raise UserError(
                _(
                    "Customers were already asked by %(surveys)s: close the survey "
                    "instead of deleting it.",
                    surveys=", ".join(
                        self.filtered("response_ids").mapped("display_name")
                    ),
                )
            )

    def copy_data(self, default=None):
        vals_list = super().copy_data(default=default)
        return [
            dict(vals, name=self.env._("%(name)s (copy)", name=vals["name"]))
            for vals in vals_list
        ]

    def action_start(self):
        for survey in self:
            if survey.state != "draft":
                raise UserError(
                    _(
                        "%(survey)s is not a draft and cannot be started.",
                        survey=survey.display_name,
                    )
                )
            if not survey.segment_ids:
                raise UserError(
                    _(
                        "Choose the segments %(survey)s samples before starting it.",
                        survey=survey.display_name,
                    )
                )
            if not survey.mail_template_id:
                raise UserError(
                    _(
                        "Choose the invitation mail of %(survey)s before starting it.",
                        survey=survey.display_name,
                    )
                )
        self.state = "running"
        return True

    def action_close(self):
        """Stop sampling and recording answers."""
        self.filtered(lambda survey: survey.state != "closed").state = "closed"
        return True

    def action_reset_draft(self):
        for survey in self:
            if survey.response_ids:
                raise UserError(
                    _(
                        "Customers were already asked by %(survey)s: it cannot go "
                        "back to draft.",
                        survey=survey.display_name,
                    )
                )
        self.state = "draft"
        return True

    def action_view_responses(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "customer_service_bank.cs_nps_response_action"
        )
        action["domain"] = [("survey_id", "=", self.id)]
        action["context"] = {"search_default_filter_answered": 1}
        return action

    # ------------------------------------------------------------------
    # sampling
    # ------------------------------------------------------------------

    @api.model
    def _cron_sample_surveys(self, batch_size=NPS_BATCH_SIZE):
        """Sample, create and mail the responses of the running surveys.

        Each call locks one survey due for sampling (SKIP LOCKED: a second
        worker takes another one) and samples up to ``batch_size`` customers
        among those eligible in its segments; a unique index on (survey,
        customer) backs it. A rerun finds every segment sampled, or no
        eligible customer left, and creates nothing. ``ir.cron`` calls again
        while ``_notify_progress`` reports more.
        """
        return self._run_batch_job(batch_size, today=fields.Date.context_today(self))

    @api.model
    def _due_surveys_sql(self, today):
        return SQL(
            """
            SELECT s.id
              FROM cs_nps_survey s
             WHERE s.state = 'running'
               AND s.mail_template_id IS NOT NULL
               AND (s.date_start IS NULL OR s.date_start <= %(today)s)
               AND (s.date_end IS NULL OR s.date_end >= %(today)s)
            """,
            today=today,
        )

    @api.model
    def _batch_flush(self):
        """Flush the contact policy's fields too."""
        self.env["res.partner"]._cs_contact_flush()
        return super()._batch_flush()

    @api.model
    def _batch_claim(self, limit, today):
        """Sample up to ``limit`` customers of the first running survey with
        customers left to sample; a survey another worker holds is skipped.

        Returns (survey, customer id, segment id) rows.
        """
        for (survey_id,) in self._batch_fetch(
            SQL("%s ORDER BY s.id", self._due_surveys_sql(today))
        ):
            survey = self.browse(survey_id)
            locked = self._batch_fetch(
                self._batch_lock_sql(
                    SQL("SELECT id FROM cs_nps_survey WHERE id = %s", survey_id), 1
                )
            )
            if locked and any(survey._segment_needs().values()):
                return [(survey, *row) for row in survey._sample(limit)]
        return []

    @api.model
    def _batch_process(self, rows, today):
        """Create the responses of the sampled customers and invite them."""
        responses = self.env["cs.nps.response"]
        for survey, survey_rows in groupby(rows, key=itemgetter(0)):
            responses |= survey._create_responses([row[1:] for row in survey_rows])
        responses._send_invitations()
        return responses

    @api.model
    def _batch_remaining(self, today):
        """Customers the next calls would sample, over every due survey."""
        surveys = self.browse(
            row[0] for row in self._batch_fetch(self._due_surveys_sql(today))
        )
        return sum(sum(survey._segment_needs().values()) for survey in surveys)

    def _segment_needs(self):
        """{segment: customers still to sample in it}, at most the eligible ones."""
        self.ensure_one()
        asked = dict(
            self.env["cs.nps.response"]
            .sudo()
            ._read_group([("survey_id", "=", self.id)], ["segment_id"], ["__count"])
        )
        needs = {}
        for segment in self.segment_ids:
            wanted = self.sample_size - asked.get(segment, 0)
            if wanted <= 0:
                needs[segment] = 0
                continue
            self.env.cr.execute(
                SQL(
                    "SELECT count(*) FROM (SELECT p.id %s LIMIT %s) eligible",
                    self._eligible_sql(segment),
                    wanted,
                )
            )
            needs[segment] = self.env.cr.fetchone()[0]
        return needs

    def _eligible_sql(self, segment):
        """FROM/WHERE of the customers ``segment`` may sample for this survey.

        Customers of the survey's company (or of none) in the tier or tag
        whom the contact policy lets the bank survey by email, not in this
        survey yet and not asked by any survey within the quiet period.
        """
        self.ensure_one()
        quiet_since = fields.Datetime.now() - timedelta(
            days=self.company_id.cs_nps_quiet_days
        )
        in_segment = SQL(
            """EXISTS (SELECT 1 FROM cs_customer_metrics m
                        WHERE m.partner_id = p.id AND %s)""",
            SQL("m.segment_id = %s", segment.id)
            if segment.kind == "tier"
            else SQL("m.tag_array @> ARRAY[%s]", segment.id),
        )
        return SQL(
            """
              FROM res_partner p
             WHERE p.cs_customer_number IS NOT NULL
               AND %(contactable)s
               AND (p.company_id IS NULL OR p.company_id = %(company)s)
               AND %(in_segment)s
               AND NOT EXISTS (
                    SELECT 1 FROM cs_nps_response r
                     WHERE r.partner_id = p.id
                       AND (r.survey_id = %(survey)s
                            OR COALESCE(r.sent_date, r.create_date) > %(quiet_since)s)
               )
            """,
            contactable=self.env["res.partner"]._cs_contact_allowed_sql(
                "p", "survey", "email"
            ),
            company=self.company_id.id,
            in_segment=in_segment,
            survey=self.id,
            quiet_since=quiet_since,
        )

    def _sample(self, limit):
        """Up to ``limit`` (customer id, segment id) rows, segment by segment.

        Customers are drawn at random and locked (SKIP LOCKED), so that two
        surveys sampled at once do not both ask the same customer.
        """
        self.ensure_one()
        rows = []
        taken = set()
        for segment, need in self._segment_needs().items():
            count = min(need, limit - len(rows))
            if count <= 0:
                continue
            for (partner_id,) in self._batch_fetch(
                self._batch_lock_sql(
                    SQL(
                        "SELECT p.id %s %s",
                        self._eligible_sql(segment),
                        SQL("AND NOT p.id = ANY(%s)", list(taken)) if taken else SQL(),
                    ),
                    count,
                    order=SQL("random()"),
                    of="p",
                )
            ):
                taken.add(partner_id)
                rows.append((partner_id, segment.id))
        return rows

    def _create_responses(self, rows):
        """Create the responses of (customer id, segment id) ``rows``.

        In one batch, else one by one: a customer another worker has just
        asked for this survey hits the unique index and is skipped.
        """
        self.ensure_one()
        Response = self.env["cs.nps.response"].sudo()
        if not rows:
            return Response
        partners = self.env["res.partner"].sudo().browse(row[0] for row in rows)
        last_teams = Response._last_complaint_teams(partners)
        vals_list = [
            {
                "survey_id": self.id,
                "partner_id": partner.id,
                "segment_id": segment_id,
                "team_id": last_teams.get(partner.id, False),
                "relationship_manager_id": partner.cs_relationship_manager_id.id,
            }
            for partner, (_partner_id, segment_id) in zip(partners, rows, strict=True)
        ]
        return self._batch_create_safely(
            vals_list,
            IntegrityError,
            model=Response,
            describe=lambda vals: f"customer {vals['partner_id']} of {self.name}",
        )

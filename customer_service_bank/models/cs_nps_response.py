import uuid

from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL, html_escape

from .constants import NPS_CATEGORIES, NPS_PASSIVE_MIN, NPS_PROMOTER_MIN, NPS_SCORE_MAX

# each answer's share of the NPS: averaging it over answers gives the NPS
NPS_VALUES = {"promoter": 100, "passive": 0, "detractor": -100}


class CsNpsResponse(models.Model):
    """One customer asked by an NPS survey, and their answer.

    Created by the survey's sampling with a secret token; the customer
    answers once through the public page of that token. The segment, team
    and relationship manager are those of the sampling, for reporting.
    """

    _name = "cs.nps.response"
    _description = "NPS Response"
    _order = "sent_date desc, id desc"
    _rec_name = "partner_id"
    _check_company_auto = True

    survey_id = fields.Many2one(
        "cs.nps.survey",
        required=True,
        index=True,
        ondelete="cascade",
        check_company=True,
    )
    company_id = fields.Many2one(
        related="survey_id.company_id", store=True, index=True, precompute=True
    )
    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, index=True, ondelete="cascade"
    )
    segment_id = fields.Many2one(
        "cs.segment",
        index=True,
        ondelete="set null",
        help="The segment the customer was sampled in.",
    )
    team_id = fields.Many2one(
        "cs.team",
        index=True,
        ondelete="set null",
        help="Team of the customer's last complaint when sampled.",
    )
    relationship_manager_id = fields.Many2one(
        "res.users", index=True, ondelete="set null"
    )
    score = fields.Integer(
        aggregator="avg",
        help="How likely the customer is to recommend the bank, 0 to 10.",
    )
    comment = fields.Text()
    access_token = fields.Char(
        required=True,
        copy=False,
        readonly=True,
        groups="base.group_system",
        default=lambda self: str(uuid.uuid4()),
    )
    sent_date = fields.Datetime(string="Sent", readonly=True, copy=False, index=True)
    answered_date = fields.Datetime(
        string="Answered On", readonly=True, copy=False, index=True
    )
    is_answered = fields.Boolean(
        string="Answered", compute="_compute_category", store=True
    )
    category = fields.Selection(
        NPS_CATEGORIES,
        compute="_compute_category",
        store=True,
        index=True,
        help="Promoters answer 9 or 10, passives 7 or 8, detractors 0 to 6.",
    )
    nps_value = fields.Integer(
        string="NPS",
        compute="_compute_category",
        store=True,
        aggregator="avg",
        help="+100 for a promoter, 0 for a passive, -100 for a detractor: "
        "averaged over answers, it is their NPS.",
    )
    followup_id = fields.Many2one(
        "cs.followup",
        string="Detractor Follow-up",
        readonly=True,
        copy=False,
        index="btree_not_null",
        ondelete="set null",
    )

    _sql_constraints = [
        (
            "survey_partner_uniq",
            "unique(survey_id, partner_id)",
            "A survey asks each customer once.",
        ),
        (
            "access_token_uniq",
            "unique(access_token)",
            "The access token of an NPS response must be unique.",
        ),
    ]

    @api.constrains("score")
    def _check_score(self):
        for response in self:
            if not 0 <= response.score <= NPS_SCORE_MAX:
                raise ValidationError(
                    _(
                        "An NPS score is between 0 and %(max)s, not %(score)s.",
                        max=NPS_SCORE_MAX,
                        score=response.score,
                    )
                )

    @api.depends("answered_date", "score")
    def _compute_category(self):
        for response in self:
            if not response.answered_date:
                category = False
            elif response.score >= NPS_PROMOTER_MIN:
                category = "promoter"
            elif response.score >= NPS_PASSIVE_MIN:
                category = "passive"
            else:
                category = "detractor"
            response.category = category
            response.is_answered = bool(category)
            response.nps_value = NPS_VALUES.get(category, 0)

    # ------------------------------------------------------------------
    # business methods
    # ------------------------------------------------------------------

    @api.model
    def _last_complaint_teams(self, partners):
        """{customer id: team id of their latest complaint}, for ``partners``."""
        if not partners:
            return {}
        self.env["cs.complaint"].flush_model(["partner_id", "team_id", "received_date"])
        self.env.cr.execute(
            SQL(
                """
                SELECT DISTINCT ON (partner_id) partner_id, team_id
                  FROM cs_complaint
                 WHERE partner_id = ANY(%s)
                 ORDER BY partner_id, received_date DESC, id DESC
                """,
                partners.ids,
            )
        )
        return dict(self.env.cr.fetchall())

    def _get_survey_url(self):
        self.ensure_one()
        return f"{self.get_base_url()}/cs/nps/{self.sudo().access_token}"

    def _send_invitations(self):
        """Mail each response's customer the survey's invitation, once."""
        to_send = self.filtered(lambda response: not response.sent_date)
        for template, responses in to_send.grouped(
            lambda response: response.survey_id.mail_template_id
        ).items():
            if template:
                template.sudo().send_mail_batch(responses.ids)
        to_send.sent_date = fields.Datetime.now()

    def _record_answer(self, score, comment=None):
        """Record the customer's answer; a response is answered only once.

        Called by the public page, as superuser, once the token is checked.
        A detractor gets a follow-up from their relationship manager, or
        the survey's responsible.
        """
        self.ensure_one()
        # two submissions at once: the second waits here, then sees the answer
        self.env.cr.execute(
            SQL("SELECT id FROM cs_nps_response WHERE id = %s FOR UPDATE", self.id)
        )
        self.invalidate_recordset(["answered_date"])
        if self.answered_date:
            raise UserError(_("This survey has already been answered."))
        if self.survey_id.state == "closed":
            raise UserError(_("This survey is closed."))
        if not isinstance(score, int) or not 0 <= score <= NPS_SCORE_MAX:
            raise ValidationError(
                _("Choose a score between 0 and %(max)s.", max=NPS_SCORE_MAX)
            )
        self.write(
            {
                "score": score,
                "comment": (comment or "").strip() or False,
                "answered_date": fields.Datetime.now(),
            }
        )
        self._plan_detractor_followup()
        return True

    def _plan_detractor_followup(self):
        """Plan a call with each detractor, once per response.

        Only for customers the contact policy lets the bank call for care.
        The relationship manager owns it, else the survey's responsible.
        """
        Followup = self.env["cs.followup"].sudo()
        detractors = self.filtered(
            lambda response: (
                response.category == "detractor" and not response.followup_id
            )
        )
        reachable = detractors.partner_id._cs_contactable("care", "phone")
        for response in detractors:
            partner = response.partner_id
            if partner not in reachable:
                continue
            manager = response.relationship_manager_id
            owner = manager if manager.active else response.survey_id.user_id
            env = self.with_context(lang=owner.lang).env
            notes = Markup("<p>%s</p>") % env._(
                "The customer scored %(score)s out of 10 in the survey %(survey)s.",
                score=response.score,
                survey=response.survey_id.name,
            )
            if response.comment:
                notes += Markup("<blockquote>%s</blockquote>") % Markup("<br/>").join(
                    html_escape(line) for line in response.comment.splitlines()
                )
            response.followup_id = Followup.create(
                {
                    "name": env._("NPS detractor: %(customer)s", customer=partner.name),
                    "partner_id": partner.id,
                    "kind": "phone",
                    "planned_date": fields.Date.context_today(response),
                    "user_id": owner.id,
                    "notes": notes,
                    "company_id": response.company_id.id,
                }
            )

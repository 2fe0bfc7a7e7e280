import logging
from datetime import timedelta

from psycopg2 import IntegrityError

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL
from odoo.tools.sql import index_exists

from .constants import FOLLOWUP_KINDS, FOLLOWUP_OUTCOMES, SATISFACTION_LEVELS

_logger = logging.getLogger(__name__)

FOLLOWUP_BATCH_SIZE = 500
# outcomes after which the customer was actually talked to and may rate it
RATED_OUTCOMES = ("reached", "opportunity", "issue")
FOLLOWUP_STATES = [
    ("planned", "Planned"),
    ("done", "Done"),
    ("cancelled", "Cancelled"),
]


def _planned_for(vals):
    return f"customer {vals['partner_id']}"


class CsFollowup(models.Model):
    """A planned contact with a customer: call, visit, video call or message.

    Follow-ups are planned by hand, by the tier cadence of key customers
    (``_cron_plan_followups``) and after each resolved complaint
    (``_plan_after_complaints``). The owner gets an activity that follows
    the follow-up's date and owner and is marked done with it.
    """

    _name = "cs.followup"
    _description = "Customer Follow-up"
    # rating.mixin, through the rating requests, brings mail.thread
    _inherit = [
        "cs.rating.request.mixin",
        "mail.activity.mixin",
        "cs.reminder.mixin",
        "cs.batch.job.mixin",
    ]
    _order = "planned_date desc, id desc"
    _check_company_auto = True
    _reminder_activity_type = "customer_service_bank.mail_activity_type_cs_followup"
    # what _due_customers_sql reads, besides the contact policy
    _batch_flush_fields = {
        "res.partner": ["cs_relationship_manager_id"],
        "cs.customer.metrics": ["partner_id", "is_key", "segment_id"],
        "cs.segment": ["active", "followup_cadence_days", "followup_user_id"],
        "res.users": ["active"],
        "cs.followup": ["partner_id", "active", "planned_date", "done_date"],
    }
    # planning creates its follow-ups through _batch_create_safely
    _batch_isolation = "none"

    name = fields.Char(string="Subject", required=True, tracking=True)
    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        index=True,
        tracking=True,
        check_company=True,
        ondelete="restrict",
    )
    kind = fields.Selection(
        FOLLOWUP_KINDS, required=True, default="phone", tracking=True
    )
    planned_date = fields.Date(required=True, tracking=True, index=True)
    user_id = fields.Many2one(
        "res.users",
        string="Owner",
        required=True,
        tracking=True,
        index=True,
        domain="[('share', '=', False)]",
        default=lambda self: self.env.user,
    )
    done_date = fields.Date(tracking=True, copy=False)
    outcome = fields.Selection(FOLLOWUP_OUTCOMES, tracking=True, copy=False)
    satisfaction = fields.Selection(SATISFACTION_LEVELS, copy=False)
    notes = fields.Html()
    next_action = fields.Char()
    complaint_id = fields.Many2one(
        "cs.complaint",
        string="After Complaint",
        index="btree_not_null",
        check_company=True,
        help="The resolved complaint this follow-up checks on.",
    )
    segment_id = fields.Many2one(
        "cs.segment",
        string="Planned for Tier",
        help="Tier whose cadence planned this follow-up.",
    )
    company_id = fields.Many2one(
        "res.company",
        required=True,
        index=True,
        default=lambda self: self.env.company,
    )
    active = fields.Boolean(default=True)
    state = fields.Selection(
        FOLLOWUP_STATES,
        compute="_compute_state",
        store=True,
        index=True,
        help="Planned until done; a cancelled follow-up is archived.",
    )
    is_overdue = fields.Boolean(
        string="Overdue",
        compute="_compute_is_overdue",
        search="_search_is_overdue",
        help="Planned for a day that has passed and not done.",
    )

    _sql_constraints = [
        # a partial unique index, created in _auto_init
        (
            "one_open_planned",
            "",
            "The customer already has an open follow-up planned automatically.",
        ),
    ]

    def _auto_init(self):
        result = super()._auto_init()
        # Planners check for open follow-ups before creating one; the index
        # makes two workers planning for the same customer at once collide.
        if not index_exists(self.env.cr, "cs_followup_one_open_planned"):
            self.env.cr.execute(
                """
                CREATE UNIQUE INDEX cs_followup_one_open_planned
                    ON cs_followup (partner_id)
                 WHERE active
                   AND done_date IS NULL
                   AND (segment_id IS NOT NULL OR complaint_id IS NOT NULL)
                """
            )
        return result

    @api.depends("done_date", "active")
    def _compute_state(self):
        for followup in self:
            if followup.done_date:
                followup.state = "done"
            elif not followup.active:
                followup.state = "cancelled"
            else:
                followup.state = "planned"

    @api.depends("state", "planned_date")
    @api.depends_context("tz")
    def _compute_is_overdue(self):
        today = fields.Date.context_today(self)
        for followup in self:
            followup.is_overdue = (
                followup.state == "planned"
                and bool(followup.planned_date)
                and followup.planned_date < today
            )

    def _search_is_overdue(self, operator, value):
        if operator not in ("=", "!="):
            raise UserError(_("Search overdue follow-ups with = or != only."))
        domain = [
            "&",
            ("state", "=", "planned"),
            ("planned_date", "<", fields.Date.context_today(self)),
        ]
        return domain if (operator == "=") == bool(value) else ["!", *domain]

    @api.model_create_multi
    def create(self, vals_list):
        followups = super().create(vals_list)
        followups._sync_activities()
        return followups

    def write(self, vals):
        result = super().write(vals)
        if {"name", "user_id", "planned_date", "done_date", "active"} & vals.keys():
            self._sync_activities()
        if vals.get("done_date"):
            self._request_ratings_when_done()
        return result

    def action_done(self):
        """Mark done today; the outcome says how the contact went."""
        missing = self.filtered(lambda followup: not followup.outcome)
        if missing:
            raise UserError(
                _(
                    "Set the outcome of %(followups)s before marking it done.",
                    followups=", ".join(missing.mapped("display_name")),
                )
            )
        self.filtered(lambda followup: followup.state == "planned").write(
            {"done_date": fields.Date.context_today(self)}
        )
        return True

    def action_reopen(self):
        self.filtered(lambda followup: followup.state == "done").write(
            {"done_date": False}
        )
        return True

    def action_cancel(self):
        """Follow-ups are kept as the history of contacts: cancel archives."""
        self.filtered(lambda followup: followup.state == "planned").action_archive()
        return True

    def _reminder_wish(self):
        """Open while planned; done with the outcome; cancelled ones lose it
        on archiving, in ``mail.activity.mixin``."""
        if self.state == "done":
            outcomes = dict(self._fields["outcome"]._description_selection(self.env))
            outcome = outcomes.get(self.outcome) or _("none")
            return "done", _("Outcome: %(outcome)s", outcome=outcome)
        if self.state != "planned":
            return "keep", None
        return "open", {
            "summary": self.name,
            "user_id": self.user_id.id,
            "date_deadline": self.planned_date,
        }

    def _request_ratings_when_done(self):
        """Ask the customers reached by done follow-ups to rate them."""
        template = self.env.ref(
            "customer_service_bank.mail_template_cs_followup_rating_request",
            raise_if_not_found=False,
        )
        if template and template.active:
            self.filtered(
                lambda followup: (
                    followup.state == "done" and followup.outcome in RATED_OUTCOMES
                )
            )._send_rating_requests(template)

    # ------------------------------------------------------------------
    # planning
    # ------------------------------------------------------------------

    @api.model
    def _cron_plan_followups(self, batch_size=FOLLOWUP_BATCH_SIZE):
        """Plan today's follow-up of each key customer whose tier cadence is due.

        Due customers are selected in one query that locks them (SKIP LOCKED,
        so a second worker takes other customers) and excludes those with an
        open follow-up or one planned or done within the cadence: a rerun
        plans nothing new. ``ir.cron`` calls again while ``_notify_progress``
        reports more.
        """
        return self._run_batch_job(batch_size, today=fields.Date.context_today(self))

    @api.model
    def _due_customers_sql(self, today):
        """FROM/WHERE of the key customers due for a tier follow-up, those
        the contact policy lets the bank call for care.

        ``owner_id`` is the active relationship manager, else the tier's
        active follow-up owner, else NULL. A cancelled follow-up counts as
        planned, so cancelling one does not bring it back the next day.
        """
        return SQL(
            """
              FROM res_partner p
              JOIN cs_customer_metrics m ON m.partner_id = p.id
              JOIN cs_segment s ON s.id = m.segment_id
              LEFT JOIN res_users rm
                     ON rm.id = p.cs_relationship_manager_id AND rm.active
              LEFT JOIN res_users tu ON tu.id = s.followup_user_id AND tu.active
             CROSS JOIN LATERAL (SELECT COALESCE(rm.id, tu.id) AS owner_id) o
             WHERE m.is_key
               AND %(contactable)s
               AND s.active
               AND s.followup_cadence_days > 0
               AND NOT EXISTS (
                    SELECT 1
                      FROM cs_followup f
                     WHERE f.partner_id = p.id
                       AND ((f.active AND f.done_date IS NULL)
                            OR GREATEST(f.planned_date, f.done_date)
                               + s.followup_cadence_days > %(today)s)
               )
            """,
            today=today,
            contactable=self.env["res.partner"]._cs_contact_allowed_sql(
                "p", "care", "phone"
            ),
        )

    @api.model
    def _batch_flush(self):
        """Flush the contact policy's fields too."""
        self.env["res.partner"]._cs_contact_flush()
        return super()._batch_flush()

    @api.model
    def _batch_claim(self, limit, today):
        """Lock up to ``limit`` due customers, those with an owner first.

        Returns (partner id, tier id, owner id or None) rows.
        """
        return self._batch_fetch(
            self._batch_lock_sql(
                SQL("SELECT p.id, s.id, o.owner_id %s", self._due_customers_sql(today)),
                limit,
                order=SQL("o.owner_id IS NULL, p.id"),
                of="p",
            )
        )

    @api.model
    def _batch_remaining(self, today):
        """Due customers with an owner: those the next batch would plan."""
        return self._batch_count(
            SQL(
                "SELECT 1 %s AND o.owner_id IS NOT NULL", self._due_customers_sql(today)
            )
        )

    @api.model
    def _batch_process(self, rows, today):
        """Plan the follow-ups of claimed customers that have an owner."""
        ownerless = [partner_id for partner_id, _tier, owner_id in rows if not owner_id]
        if ownerless:
            _logger.warning(
                "No follow-up planned for key customers %s: they have no "
                "relationship manager and their tier no follow-up owner.",
                ", ".join(
                    self.env["res.partner"].browse(ownerless).mapped("display_name")
                ),
            )
        return self._plan_tier_followups([row for row in rows if row[2]], today)

    @api.model
    def _plan_tier_followups(self, rows, today):
        """Create the follow-ups of (partner id, tier id, owner id) ``rows``."""
        partners = {
            partner.id: partner
            for partner in self.env["res.partner"].browse(row[0] for row in rows)
        }
        tiers = {
            tier.id: tier
            for tier in self.env["cs.segment"].browse({row[1] for row in rows})
        }
        owners = {
            owner.id: owner
            for owner in self.env["res.users"].browse({row[2] for row in rows})
        }
        vals_list = []
        for partner_id, tier_id, owner_id in rows:
            partner, tier, owner = (
                partners[partner_id],
                tiers[tier_id],
                owners[owner_id],
            )
            env = self.with_context(lang=owner.lang).env
            vals_list.append(
                {
                    "name": env._("%(tier)s follow-up", tier=tier.with_env(env).name),
                    "partner_id": partner.id,
                    "kind": "phone",
                    "planned_date": today,
                    "user_id": owner.id,
                    "segment_id": tier.id,
                    "company_id": (partner.company_id or owner.company_id).id,
                }
            )
        # a batch of hundreds: no creation note and no mail per activity
        return self.with_context(
            mail_create_nolog=True,
            mail_create_nosubscribe=True,
            mail_activity_quick_update=True,
        )._batch_create_safely(vals_list, describe=_planned_for)

    @api.model
    def _plan_after_complaints(self, complaints):
        """Plan a call with the customer after each of ``complaints`` resolved.

        Only in companies that ask for it, for customers the contact policy
        lets the bank call for care and without an open follow-up. The
        handler owns it, else the team supervisor.
        """
        complaints = complaints.filtered(
            lambda complaint: (
                complaint.resolved_date
                and complaint.company_id.cs_followup_after_complaint
            )
        )
        reachable = complaints.partner_id._cs_contactable("care", "phone")
        complaints = complaints.filtered(
            lambda complaint: complaint.partner_id in reachable
        )
        if not complaints:
            return self.browse()
        # the resolver may not own the follow-up nor manage the customer
        Followup = self.sudo()
        busy = {
            partner.id
            for [partner] in Followup._read_group(
                [
                    ("partner_id", "in", complaints.partner_id.ids),
                    ("state", "=", "planned"),
                ],
                ["partner_id"],
            )
        }
        vals_list = []
        for complaint in complaints:
            owner = complaint.user_id or complaint.team_id.supervisor_id
            if complaint.partner_id.id in busy:
                continue
            if not owner:
                _logger.info(
                    "No follow-up planned after %s: no handler nor supervisor.",
                    complaint.name,
                )
                continue
            busy.add(complaint.partner_id.id)
            resolved_on = fields.Date.context_today(complaint, complaint.resolved_date)
            delay = complaint.company_id.cs_followup_after_complaint_days
            vals_list.append(
                {
                    "name": _(
                        "Follow-up of complaint %(complaint)s",
                        complaint=complaint.name,
                    ),
                    "partner_id": complaint.partner_id.id,
                    "kind": "phone",
                    "planned_date": resolved_on + timedelta(days=delay),
                    "user_id": owner.id,
                    "complaint_id": complaint.id,
                    "company_id": complaint.company_id.id,
                }
            )
        # another transaction planning for the same customer is the only
        # expected failure: any other error belongs to the resolution
        return Followup._batch_create_safely(
            vals_list, IntegrityError, describe=_planned_for
        ).sudo(self.env.su)

import re
from collections import defaultdict
from datetime import timedelta

from dateutil.relativedelta import relativedelta

from odoo import Command, _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL

from .constants import CHANNELS, OUTCOMES, PRIORITIES
from .cs_complaint_stage import DONE_KINDS
from .ir_qweb import QwebBatchCache

DIGEST_TEMPLATES = {
    "assigned": "customer_service_bank.mail_template_cs_digest_assigned",
    "escalated": "customer_service_bank.mail_template_cs_digest_escalated",
}
# Receipt dates a few minutes ahead are clock skew between systems, not fraud.
FUTURE_TOLERANCE = timedelta(minutes=5)
# whitespace and the zero-width characters that print nothing
INVISIBLE_CHARACTERS = re.compile(r"[\s\u200b-\u200d\u2060\ufeff]+")


class CsComplaint(models.Model):
    """A customer's complaint through its lifecycle, from receipt to closing.

    This file holds the core: identification, stages and what entering them
    implies, resolution, root cause, repeats. The deadlines are counted by
    ``cs.deadline.mixin`` (cs_deadline_mixin.py). Extending this model,
    cs_complaint_intake.py numbers and routes new complaints,
    cs_complaint_escalation.py escalates them and cs_complaint_demo.py
    helps the demo data.
    """

    _name = "cs.complaint"
    _description = "Customer Complaint"
    # rating.mixin, through the rating requests, brings mail.thread
    _inherit = [
        "cs.rating.request.mixin",
        "mail.activity.mixin",
        "cs.deadline.mixin",
    ]
    _order = "priority desc, received_date desc, id desc"
    _rec_names_search = ["name", "subject", "partner_id.name"]
    _check_company_auto = True
    _mail_post_access = "read"

    # identification
    name = fields.Char(
        string="Reference",
        required=True,
        readonly=True,
        copy=False,
        default=lambda self: _("New"),
        index="trigram",
    )
    subject = fields.Char(required=True, tracking=True)
    active = fields.Boolean(default=True, tracking=True)
    company_id = fields.Many2one(
        "res.company",
        required=True,
        index=True,
        default=lambda self: self.env.company,
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        index=True,
        tracking=True,
        check_company=True,
    )
    partner_email = fields.Char(related="partner_id.email", string="Customer Email")
    team_id = fields.Many2one(
        "cs.team",
        required=True,
        index=True,
        tracking=True,
        check_company=True,
        default=lambda self: self._default_team_id(),
    )
    user_id = fields.Many2one(
        "res.users",
        string="Handler",
        index=True,
        tracking=True,
        check_company=True,
        domain="[('share', '=', False)]",
    )
    channel = fields.Selection(CHANNELS, required=True, default="branch", tracking=True)
    category_id = fields.Many2one(
        "cs.complaint.category", index=True, tracking=True, check_company=True
    )
    priority = fields.Selection(
        PRIORITIES,
        compute="_compute_priority",
        store=True,
        readonly=False,
        precompute=True,
        tracking=True,
        index=True,
        help="Raised to the priority of the customer's tier, never lowered.",
    )
    description = fields.Html()
    received_date = fields.Datetime(
        string="Received",
        required=True,
        default=fields.Datetime.now,
        tracking=True,
        help="When the bank received the complaint; may be backdated for letters.",
    )
    subject_employee_id = fields.Many2one(
        "hr.employee",
        string="Employee Complained About",
        tracking=True,
        check_company=True,
    )
    # stages
    stage_id = fields.Many2one(
        "cs.complaint.stage",
        required=True,
        index=True,
        tracking=True,
        copy=False,
        ondelete="restrict",
        default=lambda self: self._default_stage_id(),
        group_expand="_read_group_expand_stages",
    )
    stage_kind = fields.Selection(
        related="stage_id.kind", store=True, precompute=True, index=True
    )
    stage_log_ids = fields.One2many(
        "cs.complaint.stage.log", "complaint_id", string="Stage History"
    )
    acknowledged_date = fields.Datetime(readonly=True, copy=False, tracking=True)
    resolved_date = fields.Datetime(readonly=True, copy=False, tracking=True)
    reopen_count = fields.Integer(readonly=True, copy=False)
    paused_since = fields.Datetime(
        readonly=True,
        copy=False,
        help="Set while the deadline clock is paused awaiting the customer.",
    )
    color = fields.Integer()
    # resolution
    outcome = fields.Selection(OUTCOMES, tracking=True, copy=False)
    redress_amount = fields.Monetary(tracking=True, copy=False)
    currency_id = fields.Many2one(
        "res.currency",
        required=True,
        default=lambda self: self.env.company.currency_id,
    )
    final_response_date = fields.Datetime(tracking=True, copy=False)
    resolution = fields.Html(
        string="Final Response",
        copy=False,
        help="What the bank decided and why, as told to the customer.",
    )
    escalation_rights = fields.Html(related="sla_policy_id.escalation_rights")
    # root cause and actions
    root_cause_id = fields.Many2one(
        "cs.root.cause", tracking=True, check_company=True, copy=False
    )
    root_cause_analysis = fields.Html(copy=False)
    action_ids = fields.One2many("cs.complaint.action", "complaint_id", copy=False)
    open_action_count = fields.Integer(compute="_compute_open_action_count")
    # repeats and merges
    repeat_of_id = fields.Many2one(
        "cs.complaint",
        readonly=True,
        copy=False,
        index="btree_not_null",
        compute="_compute_repeat_of_id",
        store=True,
        precompute=True,
        help="The earlier complaint of this customer in this category within "
        "the repeat window.",
    )
    is_repeat = fields.Boolean(
        compute="_compute_repeat_of_id", store=True, precompute=True
    )
    repeat_ids = fields.One2many("cs.complaint", "repeat_of_id", string="Repeats")
    merged_into_id = fields.Many2one(
        "cs.complaint", readonly=True, copy=False, index="btree_not_null"
    )
    # deadlines: the fields are in cs.deadline.mixin, which reads these
    extension_ids = fields.One2many(
        "cs.complaint.extension", "complaint_id", string="Extensions", copy=False
    )
    quality_review_count = fields.Integer(
        compute="_compute_quality_review_count",
        groups="customer_service_bank.group_cs_supervisor",
    )

    _sql_constraints = [
        (
            "name_company_uniq",
            "unique(name, company_id)",
            "Complaint references must be unique per company.",
        ),
    ]

    # ------------------------------------------------------------------
    # constraints
    # ------------------------------------------------------------------

    @api.constrains("subject")
    def _check_subject(self):
        for complaint in self:
            if not INVISIBLE_CHARACTERS.sub("", complaint.subject or ""):
                raise ValidationError(
                    _("A complaint needs a subject with visible text.")
                )

    @api.constrains("received_date")
    def _check_received_date(self):
        now = fields.Datetime.now()
        may_backdate = self.env.user.has_group("customer_service_bank.group_cs_manager")
        for complaint in self:
            if complaint.received_date > now + FUTURE_TOLERANCE:
                raise ValidationError(
                    _(
                        "%(complaint)s: the received date cannot be in the future.",
                        complaint=complaint.display_name,
                    )
                )
            years = complaint.company_id.cs_received_max_age_years
            if not may_backdate and complaint.received_date < now - relativedelta(
                years=years
            ):
                raise ValidationError(
                    _(
                        "%(complaint)s: the received date is more than %(years)s "
                        "years ago. Check the date; only a customer-service "
                        "manager may record a complaint received that long ago.",
                        complaint=complaint.display_name,
                        years=years,
                    )
                )

    @api.constrains("redress_amount")
    def _check_redress_amount(self):
        for complaint in self:
            if complaint.redress_amount < 0:
                raise ValidationError(_("The redress amount cannot be negative."))

    @api.constrains("user_id", "partner_id", "subject_employee_id")
    def _check_recusal(self):
        for complaint in self.filtered("user_id"):
            handler = complaint.user_id
            if complaint.subject_employee_id.user_id == handler:
                raise ValidationError(
                    _(
                        "%(user)s is the employee complained about and cannot "
                        "handle %(complaint)s.",
                        user=handler.name,
                        complaint=complaint.display_name,
                    )
                )
            if handler.partner_id == complaint.partner_id:
                raise ValidationError(
                    _(
                        "%(user)s is the customer and cannot handle their own "
                        "complaint %(complaint)s.",
                        user=handler.name,
                        complaint=complaint.display_name,
                    )
                )

    # ------------------------------------------------------------------
    # defaults
    # ------------------------------------------------------------------

    def _default_team_id(self):
        """The user's own team in the current company, else its intake team."""
        return (
            self.env.user.cs_team_ids.filtered(
                lambda team: team.company_id == self.env.company
            )[:1]
            or self.env.company.cs_intake_team_id
        )

    def _default_stage_id(self):
        Stage = self.env["cs.complaint.stage"]
        return Stage.browse(Stage._new_stage_id(self.env.su, self.env.companies.ids))

    @api.model
    def _read_group_expand_stages(self, stages, domain):
        return stages.search([], order=stages._order)

    # ------------------------------------------------------------------
    # computes
    # ------------------------------------------------------------------

    @api.depends("action_ids.is_done")
    def _compute_open_action_count(self):
        for complaint in self:
            complaint.open_action_count = len(
                complaint.action_ids.filtered(lambda action: not action.is_done)
            )

    def _compute_quality_review_count(self):
        counts = dict(
            self.env["cs.quality.review"]._read_group(
                [("complaint_id", "in", self.ids)], ["complaint_id"], ["__count"]
            )
        )
        for complaint in self:
            complaint.quality_review_count = counts.get(complaint, 0)

    @api.depends("partner_id")
    def _compute_priority(self):
        for complaint in self:
            tier_priority = complaint.partner_id.cs_segment_id.complaint_priority
            complaint.priority = max(complaint.priority or "0", tier_priority or "0")

    @api.depends("partner_id", "category_id", "received_date")
    def _compute_repeat_of_id(self):
        """Link each complaint to the customer's latest earlier one in its
        category and company, within the company's repeat window.

        Whoever records it, a repeat is a repeat: one query for the whole
        batch, whatever its size, past record rules (the link is stored
        for everyone).
        """
        candidates = self.filtered(
            lambda c: c.partner_id and c.category_id and c.received_date
        )
        earlier_by_key = defaultdict(list)
        if candidates:
            longest_window = max(candidates.company_id.mapped("cs_repeat_window_days"))
            earliest = min(candidates.mapped("received_date")) - timedelta(
                days=longest_window
            )
            self.flush_model(
                ["partner_id", "category_id", "company_id", "received_date"]
                + ["merged_into_id"]
            )
            self.env.cr.execute(
                SQL(
                    """
                    SELECT partner_id, category_id, company_id, id, received_date
                      FROM cs_complaint
                     WHERE partner_id = ANY(%s) AND category_id = ANY(%s)
                       AND received_date >= %s AND merged_into_id IS NULL
                     ORDER BY received_date DESC, id DESC
                    """,
                    candidates.partner_id.ids,
                    candidates.category_id.ids,
                    earliest,
                )
            )
            for partner_id, category_id, company_id, *earlier in self.env.cr.fetchall():
                earlier_by_key[partner_id, category_id, company_id].append(earlier)
        for complaint in self:
            window = timedelta(days=complaint.company_id.cs_repeat_window_days)
            key = (
                complaint.partner_id.id,
                complaint.category_id.id,
                complaint.company_id.id,
            )
            previous_id = next(
                (
                    other_id
                    for other_id, received in earlier_by_key.get(key, [])
                    if other_id != complaint.id
                    and (not complaint.id or other_id < complaint.id)
                    and complaint.received_date - window
                    <= received
                    <= complaint.received_date
                ),
                False,
            )
            complaint.repeat_of_id = previous_id
            complaint.is_repeat = bool(previous_id)

    def _tier_sla_policy(self):
        """The deadline policy of the customer's tier, if of this company."""
        self.ensure_one()
        policy = self.partner_id.sudo().cs_segment_id.sla_policy_id
        return policy if policy.company_id == self.company_id else policy.browse()

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        # references and teams are given first, in cs_complaint_intake.py
        # handlers of a batch get one digest below, not a mail per complaint
        batch = len(vals_list) > 1
        model = self.with_context(mail_auto_subscribe_no_notify=True) if batch else self
        # the default stage is given first, once for the batch, in
        # cs_complaint_ack_queue.py, which needs it to queue its mail
        # the creation note is logged below, where the acknowledgement job
        # may take it over (cs_complaint_ack_queue.py)
        log_creation = not (
            self.env.context.get("mail_create_nolog")
            or self.env.context.get("tracking_disable")
        )
        model = model.with_context(mail_create_nolog=True)
        complaints = super(CsComplaint, model).create(vals_list).with_env(self.env)
        if log_creation:
            complaints._log_creation()
        # precomputed before the INSERT, repeats leave new ids in the cached
        # repeats of the complaints they repeat
        complaints.repeat_of_id.invalidate_recordset(["repeat_ids"])
        for stage, entering in complaints.grouped("stage_id").items():
            entering._check_can_enter(stage)
        if batch:
            # precomputed each on its own, the complaints of a batch cannot
            # see each other: once all exist, look for repeats again
            for name in ("repeat_of_id", "is_repeat"):
                self.env.add_to_compute(self._fields[name], complaints)
        complaints._on_stage_entered(previous_kinds={})
        if batch:
            complaints.filtered("user_id")._mail_digests("assigned", "user_id")
        return complaints

    def write(self, vals):
        if "stage_id" not in vals:
            return super().write(vals)
        stage = self.env["cs.complaint.stage"].browse(vals["stage_id"])
        moving = self.filtered(lambda complaint: complaint.stage_id != stage)
        previous_kinds = {complaint.id: complaint.stage_kind for complaint in moving}
        result = super().write(vals)
        # after the write, so the outcome may be set along with the stage
        moving._check_can_enter(stage)
        moving._on_stage_entered(previous_kinds)
        return result

    @api.ondelete(at_uninstall=False)
    def _unlink_never(self):
        raise UserError(
            _(
                "Complaints are records the bank must keep: archive them instead of "
                "deleting them."
            )
        )

    def copy_data(self, default=None):
        vals_list = super().copy_data(default=default)
        return [
            dict(vals, subject=self.env._("%s (copy)", vals["subject"]))
            for vals in vals_list
        ]

    # ------------------------------------------------------------------
    # actions
    # ------------------------------------------------------------------

    def action_view_repeats(self):
        self.ensure_one()
        related = self.repeat_ids | self.repeat_of_id
        return {
            "type": "ir.actions.act_window",
            "name": _("Related Complaints"),
            "res_model": "cs.complaint",
            "view_mode": "list,form",
            "domain": [("id", "in", related.ids)],
        }

    def action_view_actions(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": _("Actions"),
            "res_model": "cs.complaint.action",
            "view_mode": "list,form",
            "domain": [("complaint_id", "=", self.id)],
            "context": {"default_complaint_id": self.id},
        }

    def action_view_quality_reviews(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "customer_service_bank.cs_quality_review_action"
        )
        action["domain"] = [("complaint_id", "=", self.id)]
        action["context"] = {"default_complaint_id": self.id}
        return action

    def action_request_extension(self):
        self.ensure_one()
        self._check_no_pending_extension()
        step = self._next_extension_step()
        if not step:
            raise UserError(
                _(
                    "The deadline policy of %(complaint)s allows no further extension.",
                    complaint=self.display_name,
                )
            )
        return {
            "type": "ir.actions.act_window",
            "name": _("Request Extension"),
            "res_model": "cs.complaint.extension",
            "view_mode": "form",
            "target": "new",
            "context": {"default_complaint_id": self.id, "default_step_id": step.id},
        }

    def action_merge(self):
        return {
            "type": "ir.actions.act_window",
            "name": _("Merge Complaints"),
            "res_model": "cs.complaint.merge",
            "view_mode": "form",
            "target": "new",
            "context": {"active_model": self._name, "active_ids": self.ids},
        }

    # ------------------------------------------------------------------
    # business methods
    # ------------------------------------------------------------------

    def _check_can_enter(self, stage):
        """Refuse moves that would resolve or close a complaint too early."""
        if stage.kind not in DONE_KINDS:
            return
        for complaint in self:
            if not complaint.outcome:
                raise UserError(
                    _(
                        "Set the outcome of %(complaint)s before resolving it.",
                        complaint=complaint.display_name,
                    )
                )
            if (
                stage.kind == "closed"
                and complaint.company_id.cs_close_requires_analysis
            ):
                if not complaint.root_cause_id:
                    raise UserError(
                        _(
                            "Set the root cause of %(complaint)s before closing it.",
                            complaint=complaint.display_name,
                        )
                    )
                if complaint.action_ids.filtered(lambda action: not action.is_done):
                    raise UserError(
                        _(
                            "Finish every action of %(complaint)s before closing it.",
                            complaint=complaint.display_name,
                        )
                    )

    def _log_creation(self):
        """The chatter's creation note, as ``mail.thread`` logs it."""
        if self:
            self._message_log_batch(
                bodies={
                    complaint.id: complaint._creation_message() for complaint in self
                }
            )

    def _on_stage_entered(self, previous_kinds):
        """Log the move, keep the stage dates, and mail the customer.

        ``previous_kinds`` maps complaint ids to the kind of the stage they
        left; new complaints are absent from it.
        """
        if not self:
            return
        now = fields.Datetime.now()
        logs = self.env["cs.complaint.stage.log"].sudo()
        # new complaints have no stay to close
        moved = self.filtered(lambda complaint: complaint.id in previous_kinds)
        if moved:
            logs.search(
                [("complaint_id", "in", moved.ids), ("date_out", "=", False)]
            ).write({"date_out": now})
        self._open_stage_stays(now)
        for kind, entered in self.grouped("stage_kind").items():
            entered._apply_stage_kind(kind, previous_kinds, now)
        for stage, entered in self.grouped("stage_id").items():
            if stage.mail_template_id:
                entered._mail_customer(stage.mail_template_id)
            if stage.rating_template_id:
                entered._send_rating_requests(stage.rating_template_id)

    def _open_stage_stays(self, now):
        """Log each complaint's entry into its stage, in one INSERT.

        Every new complaint and every stage move writes one log; through the
        ORM it was a tenth of the cost of a new complaint. Nothing computed
        depends on a stay just begun (deadlines only count closed stays),
        so the only cache to refresh is the complaints' history.
        """
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO cs_complaint_stage_log
                       (complaint_id, company_id, team_id, stage_id, stage_kind,
                        user_id, date_in, duration_hours)
                SELECT complaint_id, company_id, team_id, stage_id, stage_kind,
                       %(uid)s, %(now)s, 0
                  FROM unnest(%(ids)s::int[], %(companies)s::int[], %(teams)s::int[],
                              %(stages)s::int[], %(kinds)s::varchar[])
                    AS stay(complaint_id, company_id, team_id, stage_id, stage_kind)
                """,
                uid=self.env.uid,
                now=now,
                ids=self.ids,
                companies=[complaint.company_id.id for complaint in self],
                teams=[complaint.team_id.id or None for complaint in self],
                stages=[complaint.stage_id.id for complaint in self],
                kinds=[complaint.stage_kind for complaint in self],
            )
        )
        self.invalidate_recordset(["stage_log_ids"])

    def _apply_stage_kind(self, kind, previous_kinds, now):
        """Set the dates a stage of ``kind`` implies on complaints entering it."""
        if kind != "new":
            self.filtered(lambda c: not c.acknowledged_date).acknowledged_date = now
        if kind == "awaiting":
            self.filtered(
                lambda c: c.sla_policy_id.pause_when_awaiting and not c.paused_since
            ).paused_since = now
        else:
            self.filtered("paused_since").paused_since = False
        if kind in DONE_KINDS:
            resolved = self.filtered(lambda c: not c.resolved_date)
            for complaint in resolved:
                complaint.write(
                    {
                        "resolved_date": now,
                        "final_response_date": complaint.final_response_date or now,
                    }
                )
            self.env["cs.followup"]._plan_after_complaints(resolved)
            return
        reopened = self.filtered(lambda c: previous_kinds.get(c.id) in DONE_KINDS)
        for complaint in reopened:
            complaint.write(
                {
                    "resolved_date": False,
                    "final_response_date": False,
                    "reopen_count": complaint.reopen_count + 1,
                    "rating_request_date": False,
                }
            )

    def _mail_customer(self, template):
        """Send ``template`` to each complaint's customer and keep it in the chatter.

        Rendered and queued in one batch; the mails stay on the complaints as
        evidence of what the bank told the customer and when. Not through
        ``_track_template``: it posts record by record, rendering each mail
        on its own, and only on tracked writes, while an import creates
        thousands of complaints that must all be acknowledged at once.
        """
        template.with_context(cs_qweb_batch_cache=QwebBatchCache()).send_mail_batch(
            self.ids
        )

    def _mail_digests(self, kind, user_field):
        """Notify each user in ``user_field`` once of all their complaints.

        ``kind`` is "assigned" or "escalated", each with its mail template,
        editable by admins. A batch of hundreds of complaints gives each
        person one notification, in their language and time zone, instead of
        hundreds; each complaint keeps its own activity. As each user chose:
        by email, queued for the mail scheduler rather than sent from within
        the batch, or in Odoo's inbox through ``message_notify``.
        """
        if not self:
            return
        # the body compiled once per language, not once per user
        template = self.env.ref(DIGEST_TEMPLATES[kind]).with_context(
            cs_qweb_batch_cache=QwebBatchCache()
        )
        mails = []
        for user, complaints in self.grouped(user_field).items():
            context = {"complaints": complaints.with_context(lang=user.lang)}
            subject, body = (
                template._render_field(
                    field, user.ids, compute_lang=True, add_context=context
                )[user.id]
                for field in ("subject", "body_html")
            )
            if user.notification_type == "inbox":
                self.env["mail.thread"].sudo().message_notify(
                    partner_ids=user.partner_id.ids, subject=subject, body=body
                )
            elif user.partner_id.email:
                company = complaints.company_id[:1]
                mails.append(
                    {
                        "subject": subject,
                        "body_html": body,
                        "email_from": company.email_formatted
                        or self.env.user.email_formatted,
                        "recipient_ids": [Command.link(user.partner_id.id)],
                        "auto_delete": template.auto_delete,
                    }
                )
        self.env["mail.mail"].sudo().create(mails)

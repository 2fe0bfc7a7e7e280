from dateutil.relativedelta import relativedelta

from odoo import Command, _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL

from .constants import AUM_CATEGORIES, CHANNELS, CUSTOMER_TYPES, DIGITAL_CHANNELS

METRICS_STAGE = "cs_customer_metrics_stage"
METRICS_BATCH = "cs_customer_metrics_batch"
METRICS_BATCH_SIZE = 50000
# columns of a metrics row, in the order _cs_metrics_sql selects them
METRICS_COLUMNS = [
    ("company_id", "integer"),
    ("aum", "numeric"),
    ("transaction_amount", "numeric"),
    ("transaction_count", "integer"),
    ("last_transaction_date", "date"),
    ("recency_days", "integer"),
    ("digital_share", "double precision"),
    ("complaint_count", "integer"),
    ("last_contact_date", "date"),
    ("age", "integer"),
    ("special_need_ids", "integer[]"),
    ("recency_score", "integer"),
    ("frequency_score", "integer"),
    ("monetary_score", "integer"),
    ("value_score", "double precision"),
    ("is_key", "boolean"),
    ("segment_id", "integer"),
    ("tag_ids", "integer[]"),
]
# partner field <- metrics column
METRIC_FIELDS = [
    ("cs_aum", "aum"),
    ("cs_transaction_amount", "transaction_amount"),
    ("cs_transaction_window_count", "transaction_count"),
    ("cs_last_transaction_date", "last_transaction_date"),
    ("cs_recency_days", "recency_days"),
    ("cs_digital_share", "digital_share"),
    ("cs_complaint_count", "complaint_count"),
    ("cs_last_contact_date", "last_contact_date"),
    ("cs_recency_score", "recency_score"),
    ("cs_frequency_score", "frequency_score"),
    ("cs_monetary_score", "monetary_score"),
    ("cs_value_score", "value_score"),
    ("cs_is_key_customer", "is_key"),
    ("cs_computed_segment_id", "segment_id"),
]
# counter field <- model counted on the customer form
COUNTED = [
    ("cs_holding_count", "cs.product.holding"),
    ("cs_transaction_count", "cs.customer.transaction"),
    ("cs_complaint_total", "cs.complaint"),
    ("cs_followup_count", "cs.followup"),
    ("cs_service_plan_count", "cs.service.plan"),
    ("cs_segment_history_count", "cs.segment.history"),
]
# weights of the value score (percent): assets, amount, count, recency
VALUE_SCORE_WEIGHTS = (40, 30, 20, 10)


class ResPartner(models.Model):
    _inherit = "res.partner"

    cs_customer_number = fields.Char(
        string="Customer Number",
        index="btree_not_null",
        copy=False,
        help="Number of the customer in core banking, unique per company.",
    )
    cs_customer_type = fields.Selection(
        CUSTOMER_TYPES,
        string="Customer Type",
        compute="_compute_cs_customer_type",
        store=True,
        readonly=False,
        precompute=True,
    )
    cs_relationship_manager_id = fields.Many2one(
        "res.users",
        string="Relationship Manager",
        index="btree_not_null",
        domain="[('share', '=', False)]",
        help="Sees this customer's holdings and transactions.",
    )
    cs_branch = fields.Char(string="Branch")
    cs_preferred_channel = fields.Selection(CHANNELS, string="Preferred Channel")
    cs_contact_hours = fields.Char(
        string="Contact Hours", help="When the customer wishes to be contacted."
    )
    cs_do_not_contact = fields.Boolean(
        string="Do Not Contact",
        help="The customer must not be contacted for care or surveys.",
    )
    cs_marketing_consent = fields.Boolean(
        string="Marketing Consent",
        help="The customer agreed to receive marketing.",
    )
    cs_holding_ids = fields.One2many(
        "cs.product.holding",
        "partner_id",
        string="Products Held",
        groups="customer_service_bank.group_cs_agent",
    )
    cs_transaction_ids = fields.One2many(
        "cs.customer.transaction",
        "partner_id",
        string="Transactions",
        groups="customer_service_bank.group_cs_agent",
    )
    cs_holding_count = fields.Integer(
        string="Holding Count",
        compute="_compute_cs_counts",
        groups="customer_service_bank.group_cs_agent",
    )
    cs_transaction_count = fields.Integer(
        string="Transaction Count",
        compute="_compute_cs_counts",
        groups="customer_service_bank.group_cs_agent",
    )
    # sensitive data, stored on cs.customer.sensitive behind record rules
    cs_birth_date = fields.Date(
        string="Birth Date",
        compute="_compute_cs_sensitive",
        inverse="_inverse_cs_birth_date",
    )
    cs_special_need_ids = fields.Many2many(
        "cs.special.need",
        string="Special Needs",
        compute="_compute_cs_sensitive",
        inverse="_inverse_cs_special_need_ids",
    )
    cs_special_needs_note = fields.Text(
        string="Special Needs Notes",
        compute="_compute_cs_sensitive",
        inverse="_inverse_cs_special_needs_note",
    )
    # value metrics, written by the recomputation (see _cs_recompute_metrics)
    cs_currency_id = fields.Many2one(
        "res.currency", string="Metrics Currency", compute="_compute_cs_currency_id"
    )
    cs_aum = fields.Monetary(
        string="Assets Under Management",
        help="Balances of the deposit and wealth products held.",
        currency_field="cs_currency_id",
        readonly=True,
        groups="customer_service_bank.group_cs_supervisor",
    )
    cs_transaction_amount = fields.Monetary(
        string="Amount in Window",
        currency_field="cs_currency_id",
        readonly=True,
        groups="customer_service_bank.group_cs_supervisor",
        help="Total amount of the transactions in the metrics window.",
    )
    cs_transaction_window_count = fields.Integer(
        string="Transactions in Window", readonly=True
    )
    cs_last_transaction_date = fields.Date(string="Last Transaction", readonly=True)
    cs_recency_days = fields.Integer(
        string="Days Since Last Transaction", readonly=True
    )
    cs_digital_share = fields.Float(
        string="Digital Share (%)",
        readonly=True,
        help="Share of the transactions in the window made online or in the app.",
    )
    cs_complaint_count = fields.Integer(string="Complaints", readonly=True)
    cs_last_contact_date = fields.Date(
        string="Last Contact",
        readonly=True,
        help="Last complaint received or follow-up done.",
    )
    cs_recency_score = fields.Integer(string="Recency Score (R)", readonly=True)
    cs_frequency_score = fields.Integer(string="Frequency Score (F)", readonly=True)
    cs_monetary_score = fields.Integer(string="Monetary Score (M)", readonly=True)
    cs_value_score = fields.Float(
        string="Value Score",
        readonly=True,
        aggregator="avg",
        help="0 to 100: the customer's rank among the company's customers by "
        "assets (40%), amount (30%), count (20%) and recency (10%) of "
        "transactions.",
    )
    cs_is_key_customer = fields.Boolean(
        string="Key Customer",
        readonly=True,
        index=True,
        help="Among the top customers by value score; the share is set in Settings.",
    )
    cs_metrics_date = fields.Datetime(string="Metrics Computed", readonly=True)
    # segments
    cs_computed_segment_id = fields.Many2one(
        "cs.segment",
        string="Tier by Rules",
        readonly=True,
        ondelete="set null",
        groups="customer_service_bank.group_cs_agent",
    )
    cs_segment_override_id = fields.Many2one(
        "cs.segment",
        string="Tier Override",
        domain="[('kind', '=', 'tier')]",
        ondelete="set null",
        groups="customer_service_bank.group_cs_supervisor",
        help="Kept through recomputation until removed.",
    )
    cs_segment_override_reason = fields.Char(
        string="Override Reason", groups="customer_service_bank.group_cs_supervisor"
    )
    cs_segment_id = fields.Many2one(
        "cs.segment",
        string="Tier",
        compute="_compute_cs_segment_id",
        store=True,
        index="btree_not_null",
        groups="customer_service_bank.group_cs_agent",
    )
    cs_segment_tag_ids = fields.Many2many(
        "cs.segment",
        "res_partner_cs_segment_tag_rel",
        "partner_id",
        "segment_id",
        string="Segments",
        readonly=True,
        groups="customer_service_bank.group_cs_agent",
    )
    cs_segment_history_ids = fields.One2many(
        "cs.segment.history",
        "partner_id",
        string="Tier History",
        groups="customer_service_bank.group_cs_agent",
    )
    cs_followup_ids = fields.One2many("cs.followup", "partner_id", string="Follow-ups")
    cs_service_plan_ids = fields.One2many(
        "cs.service.plan",
        "partner_id",
        string="Service Plans",
        groups="customer_service_bank.group_cs_agent",
    )
    cs_complaint_total = fields.Integer(
        string="Complaint Total",
        compute="_compute_cs_counts",
        groups="customer_service_bank.group_cs_agent",
    )
    cs_followup_count = fields.Integer(
        string="Follow-up Count",
        compute="_compute_cs_counts",
        groups="customer_service_bank.group_cs_agent",
    )
    cs_service_plan_count = fields.Integer(
        string="Service Plan Count",
        compute="_compute_cs_counts",
        groups="customer_service_bank.group_cs_agent",
    )
    cs_segment_history_count = fields.Integer(
        string="Tier Change Count",
        compute="_compute_cs_counts",
        groups="customer_service_bank.group_cs_agent",
    )
    cs_can_see_sensitive = fields.Boolean(
        string="Can See Sensitive Data",
        compute="_compute_cs_can_see_sensitive",
        help="The current user may see this customer's holdings and transactions: "
        "Customer Service supervisors and managers, and the relationship manager.",
    )

    @api.depends("is_company")
    def _compute_cs_customer_type(self):
        for partner in self:
            partner.cs_customer_type = (
                "corporate" if partner.is_company else "individual"
            )

    @api.depends_context("uid")
    def _compute_cs_sensitive(self):
        """Read through the record rules: empty when the user may not see it."""
        Sensitive = self.env["cs.customer.sensitive"]
        records = (
            Sensitive.search([("partner_id", "in", self.ids)])
            if self.ids and Sensitive.has_access("read")
            else Sensitive
        )
        by_partner = {record.partner_id: record for record in records}
        for partner in self:
            record = by_partner.get(partner, Sensitive)
            partner.cs_birth_date = record.birth_date
            partner.cs_special_need_ids = record.special_need_ids
            partner.cs_special_needs_note = record.special_needs_note

    def _inverse_cs_birth_date(self):
        self._cs_write_sensitive("birth_date", "cs_birth_date")

    def _inverse_cs_special_need_ids(self):
        self._cs_write_sensitive("special_need_ids", "cs_special_need_ids")

    def _inverse_cs_special_needs_note(self):
        self._cs_write_sensitive("special_needs_note", "cs_special_needs_note")

    def _cs_write_sensitive(self, name, partner_field):
        """Write one field through the record rules, creating the record.

        One inverse per field: Odoo protects the fields of a shared compute
        while inverting one, so a shared inverse would read the others empty.
        """
        Sensitive = self.env["cs.customer.sensitive"]
        # found whatever the rules, written as the user: a record the user
        # may not see raises an AccessError rather than a duplicate
        records = Sensitive.sudo().search([("partner_id", "in", self.ids)])
        by_partner = {record.partner_id: record.sudo(False) for record in records}
        for partner in self:
            value = partner[partner_field]
            if partner_field == "cs_special_need_ids":
                value = [Command.set(value.ids)]
            if partner in by_partner:
                by_partner[partner].write({name: value})
            elif partner[partner_field]:
                Sensitive.create({"partner_id": partner.id, name: value})

    @api.depends("company_id")
    @api.depends_context("company")
    def _compute_cs_currency_id(self):
        for partner in self:
            partner.cs_currency_id = (
                partner.company_id.currency_id or self.env.company.currency_id
            )

    @api.depends("cs_segment_override_id", "cs_computed_segment_id")
    def _compute_cs_segment_id(self):
        for partner in self:
            partner.cs_segment_id = (
                partner.cs_segment_override_id or partner.cs_computed_segment_id
            )

    @api.depends_context("uid", "allowed_company_ids")
    def _compute_cs_counts(self):
        """Count what the current user may read, one grouped query a model."""
        for field, model in COUNTED:
            Model = self.env[model]
            counts = (
                dict(
                    Model._read_group(
                        [("partner_id", "in", self.ids)], ["partner_id"], ["__count"]
                    )
                )
                if self.ids and Model.has_access("read")
                else {}
            )
            for partner in self:
                partner[field] = counts.get(partner, 0)

    @api.depends("cs_relationship_manager_id")
    @api.depends_context("uid")
    def _compute_cs_can_see_sensitive(self):
        supervisor = self.env.user.has_group(
            "customer_service_bank.group_cs_supervisor"
        )
        for partner in self:
            partner.cs_can_see_sensitive = (
                supervisor or partner.cs_relationship_manager_id == self.env.user
            )

    @api.constrains("cs_customer_number", "company_id")
    def _check_cs_customer_number(self):
        numbered = self.filtered("cs_customer_number")
        if not numbered:
            return
        groups = (
            self.sudo()
            .with_context(active_test=False)
            ._read_group(
                [("cs_customer_number", "in", numbered.mapped("cs_customer_number"))],
                ["cs_customer_number", "company_id"],
                ["__count"],
            )
        )
        for number, company, count in groups:
            if count > 1:
                raise ValidationError(
                    _(
                        "The customer number %(number)s is already used in "
                        "%(company)s.",
                        number=number,
                        company=company.name or _("the shared contacts"),
                    )
                )

    @api.constrains("cs_segment_override_id", "cs_segment_override_reason")
    def _check_cs_segment_override(self):
        for partner in self:
            if (
                partner.cs_segment_override_id
                and not (partner.cs_segment_override_reason or "").strip()
            ):
                raise ValidationError(
                    _(
                        "Give a reason for overriding the tier of %(customer)s.",
                        customer=partner.display_name,
                    )
                )

    @api.ondelete(at_uninstall=False)
    def _unlink_except_bank_customer(self):
        customers = self.filtered("cs_customer_number")
        if customers:
            raise UserError(
                _(
                    "Bank customers are kept for their history: archive "
                    "%(customers)s instead of deleting them.",
                    customers=", ".join(customers.mapped("display_name")),
                )
            )

    def write(self, vals):
        if "cs_segment_override_id" not in vals:
            return super().write(vals)
        if not vals["cs_segment_override_id"]:
            vals.setdefault("cs_segment_override_reason", False)
        before = {partner: partner.cs_segment_id for partner in self}
        result = super().write(vals)
        self.env["cs.segment.history"].sudo().create(
            [
                {
                    "partner_id": partner.id,
                    "old_segment_id": before[partner].id,
                    "new_segment_id": partner.cs_segment_id.id,
                    "cause": "override"
                    if partner.cs_segment_override_id
                    else "override_removed",
                    "reason": partner.cs_segment_override_reason,
                }
                for partner in self
                if partner.cs_segment_id != before[partner]
            ]
        )
        return result

    def _cs_action(self, xmlid):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(xmlid)
        action["domain"] = [("partner_id", "=", self.id)]
        action["context"] = {"default_partner_id": self.id}
        return action

    def action_cs_view_holdings(self):
        return self._cs_action("customer_service_bank.cs_product_holding_action")

    def action_cs_view_transactions(self):
        return self._cs_action("customer_service_bank.cs_customer_transaction_action")

    def action_cs_view_followups(self):
        return self._cs_action("customer_service_bank.cs_followup_action")

    def action_cs_view_service_plans(self):
        return self._cs_action("customer_service_bank.cs_service_plan_action")

    def action_cs_view_segment_history(self):
        return self._cs_action("customer_service_bank.cs_segment_history_action")

    def action_cs_view_complaints(self):
        action = self._cs_action("customer_service_bank.cs_complaint_action")
        action["context"] = {"default_partner_id": self.id}
        return action

    def action_cs_recompute_metrics(self):
        """Recompute the metrics, scores and tier of these customers now."""
        customers = self.filtered("cs_customer_number")
        if not customers:
            raise UserError(
                _("Only bank customers, with a customer number, have metrics.")
            )
        self.env["res.partner"].sudo()._cs_recompute_metrics(customers.ids)

    # ------------------------------------------------------------------
    # metrics, scores and tiers, set-based
    # ------------------------------------------------------------------

    def init(self):
        result = super().init()
        # Unlogged, and made anew on every upgrade so its columns follow the
        # code: a run's rows are rebuilt from the source tables anyway.
        self.env.cr.execute(
            SQL("DROP TABLE IF EXISTS %s", SQL.identifier(METRICS_STAGE))
        )
        self.env.cr.execute(
            SQL(
                "CREATE UNLOGGED TABLE %s "
                "(partner_id integer PRIMARY KEY, run_date date NOT NULL, %s)",
                SQL.identifier(METRICS_STAGE),
                SQL(", ").join(
                    SQL("%s %s", SQL.identifier(name), SQL(kind))
                    for name, kind in METRICS_COLUMNS
                ),
            )
        )
        return result

    @api.model
    def _cron_cs_recompute_metrics(self, batch_size=METRICS_BATCH_SIZE):
        """Recompute every customer's metrics and tier, one batch per call.

        The first call of a run computes every customer's values in one
        statement into a staging table; each call then applies one batch of
        them, so ``ir.cron`` commits between batches. Batches are claimed with
        SKIP LOCKED, so several workers share a run, and rows whose values did
        not change are not written, so a rerun writes nothing new.
        """
        self.env.flush_all()
        cr = self.env.cr
        if self._cs_metrics_stage_stale():
            # one worker builds; the others wait, then share its batches
            cr.execute(SQL("SELECT pg_advisory_xact_lock(hashtext(%s))", METRICS_STAGE))
            if self._cs_metrics_stage_stale():
                self._cs_build_metrics_stage()
        cr.execute(
            SQL(
                """
                CREATE TEMP TABLE %(batch)s ON COMMIT DROP AS
                SELECT * FROM %(stage)s
                 WHERE partner_id IN (
                       SELECT partner_id FROM %(stage)s
                        ORDER BY partner_id LIMIT %(limit)s
                          FOR UPDATE SKIP LOCKED)
                """,
                batch=SQL.identifier(METRICS_BATCH),
                stage=SQL.identifier(METRICS_STAGE),
                limit=batch_size,
            )
        )
        done = self._cs_apply_metrics_batch()
        cr.execute(
            SQL(
                "DELETE FROM %(stage)s s USING %(batch)s b "
                "WHERE s.partner_id = b.partner_id",
                stage=SQL.identifier(METRICS_STAGE),
                batch=SQL.identifier(METRICS_BATCH),
            )
        )
        cr.execute(SQL("DROP TABLE %s", SQL.identifier(METRICS_BATCH)))
        cr.execute(SQL("SELECT count(*) FROM %s", SQL.identifier(METRICS_STAGE)))
        self.env["ir.cron"]._notify_progress(done=done, remaining=cr.fetchone()[0])

    @api.model
    def _cs_recompute_metrics(self, partner_ids):
        """Recompute some customers now, scored against the stored others."""
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                "CREATE TEMP TABLE %s ON COMMIT DROP AS %s",
                SQL.identifier(METRICS_BATCH),
                self._cs_metrics_sql(partner_ids),
            )
        )
        self._cs_apply_metrics_batch()
        self.env.cr.execute(SQL("DROP TABLE %s", SQL.identifier(METRICS_BATCH)))

    @api.model
    def _cs_metrics_stage_stale(self):
        """Whether the staging table is empty or from an earlier day."""
        self.env.cr.execute(
            SQL("SELECT min(run_date) FROM %s", SQL.identifier(METRICS_STAGE))
        )
        run_date = self.env.cr.fetchone()[0]
        return not run_date or run_date < fields.Date.context_today(self)

    @api.model
    def _cs_build_metrics_stage(self):
        cr = self.env.cr
        cr.execute(SQL("TRUNCATE %s", SQL.identifier(METRICS_STAGE)))
        cr.execute(
            SQL(
                "INSERT INTO %s SELECT * FROM (%s) metrics",
                SQL.identifier(METRICS_STAGE),
                self._cs_metrics_sql(),
            )
        )

    @api.model
    def _cs_apply_metrics_batch(self):
        """Write the rows of the batch table onto the customers.

        Returns the number of customers whose values changed. Tier changes
        are added to the tier history in the same statement; a customer's
        first tier is not a change (and would add a row for every customer
        on the first run).
        """
        cr = self.env.cr
        batch = SQL.identifier(METRICS_BATCH)
        now = fields.Datetime.now()
        # a temporary table has no statistics until analyzed; its id range
        # lets the planner read res_partner by primary key
        cr.execute(SQL("ANALYZE %s", batch))
        cr.execute(SQL("SELECT min(partner_id), max(partner_id) FROM %s", batch))
        low, high = cr.fetchone()
        changed = SQL(
            "(%s) IS DISTINCT FROM (%s)",
            SQL(", ").join(SQL("p.%s", SQL.identifier(f)) for f, _c in METRIC_FIELDS),
            SQL(", ").join(SQL("b.%s", SQL.identifier(c)) for _f, c in METRIC_FIELDS),
        )
        cr.execute(
            SQL(
                """
                WITH old AS (
                    SELECT p.id, p.cs_segment_id
                      FROM res_partner p JOIN %(batch)s b ON b.partner_id = p.id
                     WHERE p.id BETWEEN %(low)s AND %(high)s
                ), updated AS (
                    UPDATE res_partner p
                       SET %(assignments)s,
                           cs_segment_id = COALESCE(p.cs_segment_override_id,
                                                    b.segment_id),
                           cs_metrics_date = %(now)s
                      FROM %(batch)s b
                     WHERE p.id = b.partner_id AND p.id BETWEEN %(low)s AND %(high)s
                       AND %(changed)s
                 RETURNING p.id, p.cs_segment_id, p.company_id
                ), history AS (
                    INSERT INTO cs_segment_history (
                        partner_id, date, old_segment_id, new_segment_id, cause,
                        user_id, company_id, create_uid, create_date, write_uid,
                        write_date)
                    SELECT u.id, %(now)s, o.cs_segment_id, u.cs_segment_id,
                           'recompute', %(uid)s, u.company_id, %(uid)s, %(now)s,
                           %(uid)s, %(now)s
                      FROM updated u JOIN old o ON o.id = u.id
                     WHERE o.cs_segment_id IS NOT NULL
                       AND o.cs_segment_id IS DISTINCT FROM u.cs_segment_id
                )
                SELECT count(*) FROM updated
                """,
                batch=batch,
                assignments=SQL(", ").join(
                    SQL("%s = b.%s", SQL.identifier(f), SQL.identifier(c))
                    for f, c in METRIC_FIELDS
                ),
                changed=changed,
                now=now,
                low=low,
                high=high,
                uid=self.env.uid,
            )
        )
        done = cr.fetchone()[0]
        cr.execute(
            SQL(
                """
                DELETE FROM res_partner_cs_segment_tag_rel r USING %(batch)s b
                 WHERE r.partner_id = b.partner_id
                   AND r.partner_id BETWEEN %(low)s AND %(high)s
                   AND NOT r.segment_id = ANY(b.tag_ids)
                """,
                batch=batch,
                low=low,
                high=high,
            )
        )
        cr.execute(
            SQL(
                """
                INSERT INTO res_partner_cs_segment_tag_rel (partner_id, segment_id)
                SELECT b.partner_id, unnest(b.tag_ids) FROM %(batch)s b
                    ON CONFLICT DO NOTHING
                """,
                batch=batch,
            )
        )
        self.invalidate_model(
            [f for f, _c in METRIC_FIELDS]
            + ["cs_segment_id", "cs_metrics_date", "cs_segment_tag_ids"]
        )
        self.env["cs.segment.history"].invalidate_model()
        return done

    @api.model
    def _cs_metrics_sql(self, partner_ids=None):
        """SELECT the metrics row of every active customer, or of some.

        Scores rank a customer among the active customers of its company:
        each of assets, amount, count and recency gives the cumulative share
        of customers at or below it (0 for none), the value score weighs them
        and the RFM scores cut them in fifths. Given ``partner_ids``, those
        are ranked against the values stored on the other customers.
        """
        today = fields.Date.context_today(self)
        default_company = self.env.company.id
        companies = self.env["res.company"].sudo().search([])
        currencies = self.env["res.currency"].sudo().search([])
        Currency = self.env["res.currency"]
        settings = SQL(", ").join(
            SQL(
                "(%s, %s::date, %s::float8)",
                company.id,
                today - relativedelta(months=company.cs_metrics_window_months),
                company.cs_key_customer_percent,
            )
            for company in companies
        )
        conversions = SQL(", ").join(
            SQL(
                "(%s, %s, %s::numeric)",
                company.id,
                currency.id,
                Currency._get_conversion_rate(
                    currency, company.currency_id, company, today
                ),
            )
            for company in companies
            for currency in currencies
        )

        def only(column):
            return (
                SQL("AND %s = ANY(%s)", SQL(column), partner_ids)
                if partner_ids
                else SQL()
            )

        others = SQL()
        if partner_ids:
            others = SQL(
                """
                UNION ALL
                SELECT p.id, COALESCE(p.company_id, %(company)s), p.cs_aum,
                       p.cs_transaction_amount, p.cs_transaction_window_count,
                       CASE WHEN p.cs_last_transaction_date IS NOT NULL
                            THEN p.cs_recency_days END,
                       FALSE
                  FROM res_partner p
                 WHERE p.active AND p.cs_customer_number IS NOT NULL
                   AND NOT p.id = ANY(%(ids)s)
                   AND COALESCE(p.company_id, %(company)s) IN (
                       SELECT company_id FROM target)
                """,
                company=default_company,
                ids=partner_ids,
            )
        w_aum, w_amount, w_count, w_recency = VALUE_SCORE_WEIGHTS
        tiers = self.env["cs.segment"].sudo().search([("kind", "=", "tier")])
        tags = self.env["cs.segment"].sudo().search([("kind", "=", "tag")])
        tier_case = (
            SQL(
                "CASE %s END",
                SQL(" ").join(
                    SQL("WHEN %s THEN %s", tier._rule_sql("m"), tier.id)
                    for tier in tiers
                ),
            )
            if tiers
            else SQL("NULL::integer")
        )
        tag_array = SQL(
            "array_remove(ARRAY[%s]::integer[], NULL)",
            SQL(", ").join(
                SQL("CASE WHEN %s THEN %s END", tag._rule_sql("m"), tag.id)
                for tag in tags
            ),
        )
        return SQL(
            """
            WITH settings(company_id, window_start, key_percent) AS (
                VALUES %(settings)s
            ), conversion(company_id, currency_id, factor) AS (
                VALUES %(conversions)s
            ), target AS (
                SELECT p.id, COALESCE(p.company_id, %(company)s) AS company_id
                  FROM res_partner p
                 WHERE p.active AND p.cs_customer_number IS NOT NULL %(only_p)s
            ), transactions AS (
                SELECT t.partner_id,
                       count(*) FILTER (WHERE t.date >= s.window_start) AS n,
                       count(*) FILTER (WHERE t.date >= s.window_start
                                          AND t.channel IN %(digital)s) AS digital,
                       sum(t.amount * COALESCE(c.factor, 1))
                           FILTER (WHERE t.date >= s.window_start) AS amount,
                       max(t.date) AS last_date
                  FROM cs_customer_transaction t
                  JOIN settings s ON s.company_id = t.company_id
                  LEFT JOIN conversion c ON c.company_id = t.company_id
                                        AND c.currency_id = t.currency_id
                 WHERE t.date <= %(today)s %(only_t)s
                 GROUP BY t.partner_id
            ), holdings AS (
                SELECT h.partner_id, sum(h.balance * COALESCE(c.factor, 1)) AS aum
                  FROM cs_product_holding h
                  LEFT JOIN conversion c ON c.company_id = h.company_id
                                        AND c.currency_id = h.currency_id
                 WHERE h.active AND h.category IN %(aum_categories)s %(only_h)s
                 GROUP BY h.partner_id
            ), complaints AS (
                SELECT partner_id, count(*) AS n,
                       max(received_date)::date AS last_date
                  FROM cs_complaint
                 WHERE active AND partner_id IS NOT NULL %(only_c)s
                 GROUP BY partner_id
            ), followups AS (
                SELECT partner_id, max(done_date) AS last_done
                  FROM cs_followup
                 WHERE done_date IS NOT NULL %(only_f)s
                 GROUP BY partner_id
            ), sensitive AS (
                SELECT s.partner_id,
                       date_part('year', age(%(today)s, s.birth_date))::integer
                           AS age,
                       array_remove(array_agg(r.special_need_id), NULL) AS need_ids
                  FROM cs_customer_sensitive s
                  LEFT JOIN cs_customer_sensitive_special_need_rel r
                         ON r.sensitive_id = s.id
                 WHERE TRUE %(only_s)s
                 GROUP BY s.partner_id, s.birth_date
            ), metrics AS (
                SELECT tg.id AS partner_id, tg.company_id,
                       COALESCE(h.aum, 0)::numeric AS aum,
                       COALESCE(x.amount, 0)::numeric AS transaction_amount,
                       COALESCE(x.n, 0)::integer AS transaction_count,
                       x.last_date AS last_transaction_date,
                       (%(today)s::date - x.last_date) AS recency_days,
                       (CASE WHEN x.n > 0 THEN round(100.0 * x.digital / x.n, 2)
                             ELSE 0 END)::float8 AS digital_share,
                       COALESCE(cp.n, 0)::integer AS complaint_count,
                       GREATEST(cp.last_date, f.last_done) AS last_contact_date,
                       se.age,
                       COALESCE(se.need_ids, '{}'::integer[]) AS special_need_ids
                  FROM target tg
                  LEFT JOIN transactions x ON x.partner_id = tg.id
                  LEFT JOIN holdings h ON h.partner_id = tg.id
                  LEFT JOIN complaints cp ON cp.partner_id = tg.id
                  LEFT JOIN followups f ON f.partner_id = tg.id
                  LEFT JOIN sensitive se ON se.partner_id = tg.id
            ), population AS (
                SELECT partner_id, company_id, aum, transaction_amount,
                       transaction_count, recency_days, TRUE AS is_target
                  FROM metrics
                %(others)s
            ), totals AS (
                SELECT company_id, count(*) AS total FROM population
                 GROUP BY company_id
            ), ranked AS (
                SELECT pp.partner_id, pp.company_id, pp.is_target, n.total,
                       CASE WHEN aum > 0 THEN (n.total + 1 - rank() OVER (
                           PARTITION BY pp.company_id ORDER BY aum DESC))::float8
                           / n.total ELSE 0 END AS c_aum,
                       CASE WHEN transaction_amount > 0 THEN (n.total + 1 - rank()
                           OVER (PARTITION BY pp.company_id
                                 ORDER BY transaction_amount DESC))::float8
                           / n.total ELSE 0 END AS c_amount,
                       CASE WHEN transaction_count > 0 THEN (n.total + 1 - rank()
                           OVER (PARTITION BY pp.company_id
                                 ORDER BY transaction_count DESC))::float8
                           / n.total ELSE 0 END AS c_count,
                       CASE WHEN recency_days IS NOT NULL THEN (n.total + 1 - rank()
                           OVER (PARTITION BY pp.company_id
                                 ORDER BY recency_days))::float8
                           / n.total ELSE 0 END AS c_recency
                  FROM population pp JOIN totals n ON n.company_id = pp.company_id
            ), scored AS (
                SELECT r.*,
                       round((%(w_aum)s * c_aum + %(w_amount)s * c_amount
                              + %(w_count)s * c_count
                              + %(w_recency)s * c_recency)::numeric, 2)::float8
                           AS value_score
                  FROM ranked r
            ), keyed AS (
                SELECT sc.*,
                       sc.value_score > 0 AND row_number() OVER (
                           PARTITION BY sc.company_id
                           ORDER BY sc.value_score DESC, sc.partner_id)
                       <= ceil(sc.total * st.key_percent / 100.0) AS is_key
                  FROM scored sc JOIN settings st ON st.company_id = sc.company_id
            ), m AS (
                SELECT mt.*,
                       greatest(1, ceil(k.c_recency * 5))::integer AS recency_score,
                       greatest(1, ceil(k.c_count * 5))::integer AS frequency_score,
                       greatest(1, ceil(k.c_amount * 5))::integer AS monetary_score,
                       k.value_score, k.is_key
                  FROM metrics mt
                  JOIN keyed k ON k.partner_id = mt.partner_id AND k.is_target
            )
            SELECT m.partner_id, %(today)s::date AS run_date, m.company_id, m.aum,
                   m.transaction_amount, m.transaction_count,
                   m.last_transaction_date, m.recency_days, m.digital_share,
                   m.complaint_count, m.last_contact_date, m.age,
                   m.special_need_ids, m.recency_score, m.frequency_score,
                   m.monetary_score, m.value_score, m.is_key,
                   %(tier_case)s AS segment_id, %(tag_array)s AS tag_ids
              FROM m %(domain_joins)s
            """,
            settings=settings,
            conversions=conversions,
            company=default_company,
            today=today,
            digital=DIGITAL_CHANNELS,
            aum_categories=AUM_CATEGORIES,
            only_p=only("p.id"),
            only_t=only("t.partner_id"),
            only_h=only("h.partner_id"),
            only_c=only("partner_id"),
            only_f=only("partner_id"),
            only_s=only("s.partner_id"),
            others=others,
            w_aum=w_aum,
            w_amount=w_amount,
            w_count=w_count,
            w_recency=w_recency,
            tier_case=tier_case,
            tag_array=tag_array,
            domain_joins=SQL(" ").join(
                segment._domain_join_sql("m") for segment in tiers | tags
            ),
        )

from odoo import api, fields, models
from odoo.osv import expression
from odoo.tools import SQL

from . import cs_customer_metrics_sql as steps

STAGE = "cs_customer_metrics_stage"
BATCH_SIZE = 50000
# columns of a staged metrics row, in the order _metrics_sql selects them
STAGE_COLUMNS = [
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
    ("override_id", "integer"),
]
# column of this model <- staged column
APPLIED_COLUMNS = [
    ("company_id", "company_id"),
    ("aum", "aum"),
    ("transaction_amount", "transaction_amount"),
    ("transaction_count", "transaction_count"),
    ("last_transaction_date", "last_transaction_date"),
    ("digital_share", "digital_share"),
    ("complaint_count", "complaint_count"),
    ("last_contact_date", "last_contact_date"),
    ("recency_score", "recency_score"),
    ("frequency_score", "frequency_score"),
    ("monetary_score", "monetary_score"),
    ("value_score", "value_score"),
    ("is_key", "is_key"),
    ("computed_segment", "segment_id"),
    ("tag_array", "tag_ids"),
]


class CsCustomerMetrics(models.Model):
    """A customer's value metrics, scores and tier, one row a customer.

    Kept beside ``res.partner`` rather than on it: the nightly recomputation
    rewrites these rows, and rewriting a narrow table costs a fraction of
    rewriting the wide, heavily indexed partner table. The customer shows
    them through related fields.
    """

    _name = "cs.customer.metrics"
    _description = "Customer Value Metrics"
    _inherit = ["cs.batch.job.mixin"]
    _rec_name = "partner_id"
    _order = "value_score desc, id"
    # written by the recomputation, which dates its rows itself
    _log_access = False

    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, ondelete="cascade"
    )
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    relationship_manager_id = fields.Many2one(
        related="partner_id.cs_relationship_manager_id"
    )
    # Created with the customer at their full width (zeros, not empty), so
    # that the recomputation can rewrite a row in its own page (see init).
    aum = fields.Monetary(
        string="Assets Under Management",
        default=0,
        help="Balances of the deposit and wealth products held.",
        readonly=True,
        groups="customer_service_bank.group_cs_supervisor",
    )
    transaction_amount = fields.Monetary(
        string="Amount in Window",
        default=0,
        readonly=True,
        groups="customer_service_bank.group_cs_supervisor",
        help="Total amount of the transactions in the metrics window.",
    )
    transaction_count = fields.Integer(
        string="Transactions in Window", default=0, readonly=True
    )
    last_transaction_date = fields.Date(string="Last Transaction", readonly=True)
    recency_days = fields.Integer(
        string="Days Since Last Transaction",
        compute="_compute_recency_days",
        help="Counted today rather than stored: stored, it would change every "
        "customer's row every night.",
    )
    digital_share = fields.Float(
        string="Digital Share (%)",
        default=0,
        readonly=True,
        aggregator="avg",
        help="Share of the transactions in the window made online or in the app.",
    )
    complaint_count = fields.Integer(string="Complaints", default=0, readonly=True)
    last_contact_date = fields.Date(
        string="Last Contact",
        readonly=True,
        help="Last complaint received or follow-up done.",
    )
    recency_score = fields.Integer(
        string="Recency Score (R)", default=0, readonly=True, aggregator="avg"
    )
    frequency_score = fields.Integer(
        string="Frequency Score (F)", default=0, readonly=True, aggregator="avg"
    )
    monetary_score = fields.Integer(
        string="Monetary Score (M)", default=0, readonly=True, aggregator="avg"
    )
    value_score = fields.Float(
        default=0,
        readonly=True,
        aggregator="avg",
        help="0 to 100: the customer's rank among the company's customers by "
        "assets (40%), amount (30%), count (20%) and recency (10%) of "
        "transactions. A whole number: finer, it would move a little for most "
        "customers every night.",
    )
    is_key = fields.Boolean(
        string="Key Customer",
        default=False,
        readonly=True,
        help="Among the top customers by value score; the share is set in Settings.",
    )
    date = fields.Datetime(string="Metrics Computed", readonly=True)
    computed_segment_id = fields.Many2one(
        "cs.segment",
        string="Tier by Rules",
        compute="_compute_rule_segments",
        inverse="_inverse_computed_segment_id",
        help="The tier whose rules the customer met at the last computation.",
    )
    segment_id = fields.Many2one(
        "cs.segment",
        string="Tier",
        compute="_compute_segment_id",
        store=True,
        ondelete="set null",
        help="The override of the customer if any, else the tier by rules.",
    )
    tag_ids = fields.Many2many(
        "cs.segment",
        string="Segments",
        compute="_compute_rule_segments",
        search="_search_tag_ids",
        help="Tags whose rules the customer met at the last computation.",
    )

    _sql_constraints = [
        (
            "partner_unique",
            "UNIQUE(partner_id)",
            "A customer has one metrics row.",
        )
    ]

    @api.depends("partner_id.cs_segment_override_id", "computed_segment_id")
    def _compute_segment_id(self):
        for metrics in self:
            metrics.segment_id = (
                metrics.partner_id.sudo().cs_segment_override_id
                or metrics.computed_segment_id
            )

    @api.depends("last_transaction_date")
    @api.depends_context("tz")
    def _compute_recency_days(self):
        today = fields.Date.context_today(self)
        for metrics in self:
            last = metrics.last_transaction_date
            metrics.recency_days = (today - last).days if last else 0

    def _compute_rule_segments(self):
        """Read the tier and tags the recomputation writes (see :meth:`init`)."""
        rows = {}
        if self.ids:
            self.env.cr.execute(
                SQL(
                    "SELECT id, computed_segment, tag_array FROM %s WHERE id = ANY(%s)",
                    SQL.identifier(self._table),
                    self.ids,
                )
            )
            rows = {row[0]: row[1:] for row in self.env.cr.fetchall()}
        Segment = self.env["cs.segment"]
        for metrics in self:
            tier, tags = rows.get(metrics.id, (None, None))
            metrics.computed_segment_id = Segment.browse(tier)
            metrics.tag_ids = Segment.browse(tags or [])

    def _inverse_computed_segment_id(self):
        for tier, rows in self.grouped("computed_segment_id").items():
            self.env.cr.execute(
                SQL(
                    "UPDATE %s SET computed_segment = %s WHERE id = ANY(%s)",
                    SQL.identifier(self._table),
                    tier.id or None,
                    rows.ids,
                )
            )

    def _search_tag_ids(self, operator, value):
        """Search the tag array: by segment ids or names, or for none."""
        negative = operator in expression.NEGATIVE_TERM_OPERATORS
        if not value:
            # ('tag_ids', '=', False): the customers without any tag
            return [("id", "in" if negative else "not in", self._tagged_sql(None))]
        if isinstance(value, str):
            name_operator = operator.removeprefix("not ").replace("!=", "=")
            ids = self.env["cs.segment"].search([("name", name_operator, value)]).ids
        else:
            ids = [value] if isinstance(value, int) else list(value)
        return [("id", "not in" if negative else "in", self._tagged_sql(ids))]

    def _tagged_sql(self, segment_ids):
        """Subquery of the rows tagged with any of ``segment_ids`` (None: any)."""
        condition = (
            SQL("cardinality(tag_array) > 0")
            if segment_ids is None
            else SQL("tag_array && %s::integer[]", segment_ids)
        )
        return SQL(
            "(SELECT id FROM %s WHERE %s)", SQL.identifier(self._table), condition
        )

    def init(self):
        result = super().init()
        cr = self.env.cr
        # The tags are an array on the row rather than a many2many table: one
        # value a customer instead of a row a customer and tag. The tier by
        # rules is a bare integer: a foreign key would look the segment up
        # again for every customer a run writes (cs.segment.unlink clears
        # both). Half-empty pages: a recomputation then rewrites a row in its
        # own page without touching the indexes (a HOT update); for the same
        # reason, no column a recomputation writes is indexed.
        cr.execute(
            SQL(
                """
                ALTER TABLE %s
                  ADD COLUMN IF NOT EXISTS tag_array integer[],
                  ALTER COLUMN tag_array SET DEFAULT '{}',
                  ADD COLUMN IF NOT EXISTS computed_segment integer,
                  SET (fillfactor = 50)
                """,
                SQL.identifier(self._table),
            )
        )
        # Unlogged, and made anew on every upgrade so its columns follow the
        # code: a run's rows are rebuilt from the source tables anyway.
        cr.execute(SQL("DROP TABLE IF EXISTS %s", SQL.identifier(STAGE)))
        cr.execute(
            SQL(
                "CREATE UNLOGGED TABLE %s "
                "(partner_id integer PRIMARY KEY, run_date date NOT NULL, %s)",
                SQL.identifier(STAGE),
                SQL(", ").join(
                    SQL("%s %s", SQL.identifier(name), SQL(kind))
                    for name, kind in STAGE_COLUMNS
                ),
            )
        )
        return result

    def action_open_customer(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "res.partner",
            "res_id": self.partner_id.id,
            "view_mode": "form",
            "views": [(False, "form")],
        }

    @api.model
    def _ensure_rows(self, partners):
        """Give these customers a metrics row if they have none yet."""
        found = self.search([("partner_id", "in", partners.ids)])
        missing = partners - found.partner_id
        self.create(
            [
                {
                    "partner_id": partner.id,
                    "company_id": (partner.company_id or self.env.company).id,
                }
                for partner in missing
            ]
        )

    @api.model
    def _stage_overrides(self, partners):
        """Give a run under way the overrides just set on ``partners``.

        The staging table copied them when the run began; a batch still to
        apply would otherwise put the tier by rules back.
        """
        partners.flush_recordset(["cs_segment_override_id"])
        self.env.cr.execute(
            SQL(
                """
                UPDATE %s s SET override_id = p.cs_segment_override_id
                  FROM res_partner p
                 WHERE p.id = s.partner_id AND p.id = ANY(%s)
                """,
                SQL.identifier(STAGE),
                partners.ids,
            )
        )

    @api.model
    def _cron_recompute(self, batch_size=BATCH_SIZE):
        """Recompute every customer's metrics and tier, one batch per call.

        The first call of a run computes every customer's values in one
        statement into a staging table; each call then applies one batch of
        them, so ``ir.cron`` commits between batches. Batches are claimed with
        SKIP LOCKED, so several workers share a run, and rows whose values did
        not change are not written, so a rerun writes nothing new.
        """
        self.env.flush_all()
        cr = self.env.cr
        if self._stage_stale():
            # one worker builds; the others wait, then share its batches
            cr.execute(SQL("SELECT pg_advisory_xact_lock(hashtext(%s))", STAGE))
            if self._stage_stale():
                self._build_stage()
        # claimed and taken off the staging table in the applying statement;
        # set-based, so there is no record to isolate: _run_batch_job does not fit
        stage = SQL.identifier(STAGE)
        done = self._apply_batch(
            SQL(
                "DELETE FROM %s WHERE partner_id IN (%s) RETURNING *",
                stage,
                self._batch_lock_sql(
                    SQL("SELECT partner_id FROM %s", stage),
                    batch_size,
                    order=SQL("partner_id"),
                ),
            )
        )
        self.env["ir.cron"]._notify_progress(
            done=done, remaining=self._batch_count(SQL("SELECT 1 FROM %s", stage))
        )

    @api.model
    def _recompute(self, partner_ids):
        """Recompute some customers now, scored against the stored others."""
        self.env.flush_all()
        self._apply_batch(self._metrics_sql(partner_ids))

    @api.model
    def _stage_stale(self):
        """Whether the staging table is empty or from an earlier day."""
        self.env.cr.execute(
            SQL("SELECT run_date FROM %s LIMIT 1", SQL.identifier(STAGE))
        )
        row = self.env.cr.fetchone()
        return not row or row[0] < fields.Date.context_today(self)

    @api.model
    def _build_stage(self):
        cr = self.env.cr
        cr.execute(SQL("TRUNCATE %s", SQL.identifier(STAGE)))
        # Enough memory to hash and sort a million customers' aggregates in
        # memory, for this statement only: set for the whole transaction, the
        # batches would hash all of res_partner instead of reading by key.
        cr.execute("SELECT current_setting('work_mem'), current_setting('jit')")
        work_mem, jit = cr.fetchone()
        cr.execute("SET LOCAL work_mem = '256MB'")
        cr.execute("SET LOCAL jit = off")
        cr.execute(
            SQL(
                "INSERT INTO %s SELECT * FROM (%s) metrics",
                SQL.identifier(STAGE),
                self._metrics_sql(),
            )
        )
        cr.execute(
            "SELECT set_config('work_mem', %s, true), set_config('jit', %s, true)",
            (work_mem, jit),
        )

    @api.model
    def _apply_batch(self, batch):
        """Write the metrics rows of a batch, selected or returned by ``batch``.

        Returns the number of customers whose values changed. Tier changes
        are added to the tier history in the same statement; a customer's
        first tier is not a change (and would add a row for every customer
        on the first run).
        """
        cr = self.env.cr
        now = fields.Datetime.now()
        columns = [column for column, _staged in APPLIED_COLUMNS] + ["segment_id"]
        staged = [
            SQL("b.%s", SQL.identifier(staged)) for _column, staged in APPLIED_COLUMNS
        ] + [SQL("COALESCE(b.override_id, b.segment_id)")]
        cr.execute(
            SQL(
                """
                WITH b AS (%(batch)s
                ), bounds AS (
                    -- lets the planner read the tables by key
                    SELECT min(partner_id) AS low, max(partner_id) AS high FROM b
                ), old AS (
                    SELECT m.partner_id, m.segment_id
                      FROM cs_customer_metrics m, bounds
                     WHERE m.partner_id BETWEEN bounds.low AND bounds.high
                ), updated AS (
                    UPDATE cs_customer_metrics m
                       SET (%(columns)s, date) = (%(staged)s, %(now)s)
                      FROM b, bounds
                     WHERE m.partner_id = b.partner_id
                       AND m.partner_id BETWEEN bounds.low AND bounds.high
                       AND (%(current)s) IS DISTINCT FROM (%(staged)s)
                 RETURNING m.partner_id, m.segment_id, m.company_id
                ), inserted AS (
                    INSERT INTO cs_customer_metrics (partner_id, %(columns)s, date)
                    SELECT b.partner_id, %(staged)s, %(now)s
                      FROM b
                     WHERE NOT EXISTS (
                           SELECT FROM old WHERE old.partner_id = b.partner_id)
                        ON CONFLICT (partner_id) DO NOTHING
                 RETURNING partner_id
                ), history AS (
                    INSERT INTO cs_segment_history (
                        partner_id, date, old_segment_id, new_segment_id, cause,
                        user_id, company_id, create_uid, create_date, write_uid,
                        write_date)
                    SELECT u.partner_id, %(now)s, o.segment_id, u.segment_id,
                           'recompute', %(uid)s, u.company_id, %(uid)s, %(now)s,
                           %(uid)s, %(now)s
                      FROM updated u JOIN old o ON o.partner_id = u.partner_id
                     WHERE o.segment_id IS NOT NULL
                       AND o.segment_id IS DISTINCT FROM u.segment_id
                )
                SELECT (SELECT count(*) FROM updated)
                       + (SELECT count(*) FROM inserted)
                """,
                batch=batch,
                columns=SQL(", ").join(SQL.identifier(c) for c in columns),
                staged=SQL(", ").join(staged),
                current=SQL(", ").join(SQL("m.%s", SQL.identifier(c)) for c in columns),
                now=now,
                uid=self.env.uid,
            )
        )
        done = cr.fetchone()[0]
        self.invalidate_model()
        Partner = self.env["res.partner"]
        Partner.invalidate_model(
            [
                name
                for name, field in Partner._fields.items()
                if name == "cs_metrics_ids"
                or (field.related or "").startswith("cs_metrics_ids.")
            ]
        )
        self.env["cs.segment.history"].invalidate_model()
        return done

    @api.model
    def _metrics_sql(self, partner_ids=None):
        """SELECT the metrics row of every active customer, or of some.

        Scores rank a customer among the active customers of its company:
        each of assets, amount, count and recency gives the cumulative share
        of customers at or below it (0 for none), the value score weighs them
        and the RFM scores cut them in fifths. Given ``partner_ids``, those
        are ranked against the values stored on the other customers. Each
        step is built in cs_customer_metrics_sql.py.
        """
        today = fields.Date.context_today(self)
        default_company = self.env.company.id
        companies = self.env["res.company"].sudo().search([])
        currencies = self.env["res.currency"].sudo().search([])
        Currency = self.env["res.currency"]

        def rate(currency, company):
            return Currency._get_conversion_rate(
                currency, company.currency_id, company, today
            )

        Segment = self.env["cs.segment"].sudo()
        tiers = Segment.search([("kind", "=", "tier")])
        tags = Segment.search([("kind", "=", "tag")])
        return steps.with_steps(
            [
                # what the run needs to know
                (
                    "settings(company_id, window_start, key_percent)",
                    steps.settings_values(companies, today),
                ),
                (
                    "conversion(company_id, currency_id, factor)",
                    steps.conversion_values(companies, currencies, rate),
                ),
                ("target", steps.target_sql(default_company, partner_ids)),
                # each source, per customer
                ("transactions", steps.transactions_sql(today, partner_ids)),
                ("holdings", steps.holdings_sql(partner_ids)),
                ("complaints", steps.complaints_sql(partner_ids)),
                ("followups", steps.followups_sql(partner_ids)),
                ("sensitive", steps.sensitive_sql(today, partner_ids)),
                ("metrics", steps.metrics_per_customer_sql(today)),
                # ranks and scores
                (
                    "population",
                    steps.population_sql(default_company, today, partner_ids),
                ),
                ("totals", steps.totals_sql()),
                ("ranked", steps.ranked_sql()),
                ("scored", steps.scored_sql()),
                ("keyed", steps.keyed_sql()),
                ("m", steps.scores_sql()),
            ],
            # tier and tags by rules
            steps.metrics_row_sql(today, tiers, tags),
        )

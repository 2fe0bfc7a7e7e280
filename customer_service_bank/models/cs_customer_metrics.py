from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.osv import expression
from odoo.tools import SQL

from .constants import AUM_CATEGORIES, DIGITAL_CHANNELS

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
# weights of the value score (percent): assets, amount, count, recency
VALUE_SCORE_WEIGHTS = (40, 30, 20, 10)


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
                SELECT p.id, COALESCE(p.company_id, %(company)s), m.aum,
                       m.transaction_amount, m.transaction_count,
                       %(today)s::date - m.last_transaction_date, FALSE
                  FROM res_partner p
                  JOIN cs_customer_metrics m ON m.partner_id = p.id
                 WHERE p.active AND p.cs_customer_number IS NOT NULL
                   AND NOT p.id = ANY(%(ids)s)
                   AND COALESCE(p.company_id, %(company)s) IN (
                       SELECT company_id FROM target)
                """,
                company=default_company,
                today=today,
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
                SELECT p.id, COALESCE(p.company_id, %(company)s) AS company_id,
                       p.cs_segment_override_id AS override_id
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
                SELECT tg.id AS partner_id, tg.company_id, tg.override_id,
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
                              + %(w_recency)s * c_recency)::numeric)::float8
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
                   %(tier_case)s AS segment_id, %(tag_array)s AS tag_ids,
                   m.override_id
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

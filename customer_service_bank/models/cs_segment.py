from odoo import _, api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL
from odoo.tools.safe_eval import safe_eval

from .constants import PRIORITIES, SEGMENT_KINDS


class CsSegment(models.Model):
    """A customer segment defined by rules on the customer's metrics.

    Value tiers are exclusive: a customer is in the first tier, by sequence,
    whose rules all hold. Needs and behaviour segments are tags: a customer
    has every tag whose rules hold. A rule left empty always holds, so the
    last tier without rules catches everyone else.
    """

    _name = "cs.segment"
    _description = "Customer Segment"
    _order = "kind desc, sequence, id"

    name = fields.Char(required=True, translate=True)
    kind = fields.Selection(SEGMENT_KINDS, required=True, default="tier")
    sequence = fields.Integer(
        default=10, help="Tiers are tried in this order; the first that fits wins."
    )
    active = fields.Boolean(default=True)
    color = fields.Integer()
    company_id = fields.Many2one(
        "res.company", index=True, help="Empty for a segment of every company."
    )
    currency_id = fields.Many2one(
        "res.currency",
        compute="_compute_currency_id",
        help="Amounts are in the currency of the customer's company.",
    )
    # rules: thresholds on the metrics
    min_aum = fields.Monetary(
        string="Minimum Assets", help="Assets under management, in company currency."
    )
    min_transaction_amount = fields.Monetary(
        string="Minimum Amount in Window",
        help="Total amount of the transactions in the metrics window.",
    )
    min_transaction_count = fields.Integer(
        string="Minimum Transactions in Window",
    )
    max_recency_days = fields.Integer(
        string="Last Transaction Within (days)",
        help="Holds when the last transaction is at most this many days old.",
    )
    min_recency_days = fields.Integer(
        string="No Transaction For (days)",
        help="Holds when the customer has made no transaction for at least this "
        "many days, or never.",
    )
    min_value_score = fields.Float(string="Minimum Value Score")
    # rules: RFM scores, 1 (lowest fifth of the customers) to 5 (highest)
    min_recency_score = fields.Integer(string="Minimum Recency Score (R)")
    min_frequency_score = fields.Integer(string="Minimum Frequency Score (F)")
    min_monetary_score = fields.Integer(string="Minimum Monetary Score (M)")
    # rules: behaviour and needs
    min_digital_share = fields.Float(
        string="Minimum Digital Share (%)",
        help="Share of the transactions in the window made online or in the app.",
    )
    max_digital_share = fields.Float(string="Maximum Digital Share (%)")
    min_age = fields.Integer(string="Minimum Age")
    max_age = fields.Integer(string="Maximum Age")
    special_need_ids = fields.Many2many(
        "cs.special.need",
        string="Any of These Special Needs",
    )
    rule_domain = fields.Char(
        string="Other Conditions",
        default="[]",
        help="Conditions on any field of the customer.",
    )
    # what the tier gives its customers
    followup_cadence_days = fields.Integer(
        string="Follow-up Every (days)",
        help="Key customers of this tier get a follow-up planned this often; "
        "0 plans none.",
    )
    followup_user_id = fields.Many2one(
        "res.users",
        string="Follow-up Owner",
        domain="[('share', '=', False)]",
        help="Owns the follow-ups of customers without a relationship manager.",
    )
    sla_policy_id = fields.Many2one(
        "cs.sla.policy",
        string="Complaint Deadline Policy",
        help="Deadline policy of this tier's complaints, unless a policy for "
        "their category, channel or priority applies.",
    )
    complaint_priority = fields.Selection(
        PRIORITIES,
        help="Priority given to new complaints of this tier's customers.",
    )
    benefits = fields.Html(translate=True)
    customer_count = fields.Integer(compute="_compute_customer_count")

    @api.constrains(
        "min_aum",
        "min_transaction_amount",
        "min_transaction_count",
        "max_recency_days",
        "min_recency_days",
        "followup_cadence_days",
        "min_recency_score",
        "min_frequency_score",
        "min_monetary_score",
        "min_value_score",
        "min_digital_share",
        "max_digital_share",
        "min_age",
        "max_age",
    )
    def _check_ranges(self):
        for segment in self:
            thresholds = (
                segment.min_aum,
                segment.min_transaction_amount,
                segment.min_transaction_count,
                segment.max_recency_days,
                segment.min_recency_days,
                segment.min_age,
                segment.max_age,
                segment.followup_cadence_days,
            )
            if any(value < 0 for value in thresholds):
                raise ValidationError(
                    _(
                        "The thresholds of %(segment)s cannot be negative.",
                        segment=segment.name,
                    )
                )
            scores = (
                segment.min_recency_score,
                segment.min_frequency_score,
                segment.min_monetary_score,
            )
            if any(not 0 <= score <= 5 for score in scores):
                raise ValidationError(
                    _("RFM scores go from 1 to 5 (0 for no condition).")
                )
            if not 0 <= segment.min_value_score <= 100:
                raise ValidationError(_("Value scores go from 0 to 100."))
            shares = (segment.min_digital_share, segment.max_digital_share)
            if any(not 0 <= share <= 100 for share in shares):
                raise ValidationError(_("A digital share is between 0 and 100%."))
            if segment.max_digital_share and (
                segment.min_digital_share > segment.max_digital_share
            ):
                raise ValidationError(
                    _(
                        "The minimum digital share of %(segment)s is above its "
                        "maximum.",
                        segment=segment.name,
                    )
                )
            if segment.max_age and segment.min_age > segment.max_age:
                raise ValidationError(
                    _(
                        "The minimum age of %(segment)s is above its maximum.",
                        segment=segment.name,
                    )
                )

    @api.constrains("rule_domain")
    def _check_rule_domain(self):
        for segment in self:
            try:
                self.env["res.partner"].sudo()._search(segment._parsed_domain())
            except Exception as error:
                raise ValidationError(
                    _(
                        "The conditions of %(segment)s are not valid: %(error)s",
                        segment=segment.name,
                        error=error,
                    )
                ) from error

    @api.depends("company_id")
    @api.depends_context("company")
    def _compute_currency_id(self):
        for segment in self:
            segment.currency_id = (
                segment.company_id.currency_id or self.env.company.currency_id
            )

    def _compute_customer_count(self):
        Metrics = self.env["cs.customer.metrics"]
        tiers = dict(
            Metrics._read_group(
                [("segment_id", "in", self.ids)], ["segment_id"], ["__count"]
            )
        )
        tags = {}
        if self.ids:
            # the tags are an array: count them unnested, as the user may read
            query = Metrics._search([("tag_ids", "in", self.ids)])
            self.env.cr.execute(
                SQL(
                    """
                    SELECT tag, count(*) FROM cs_customer_metrics m,
                           unnest(m.tag_array) tag
                     WHERE m.id IN %s AND tag = ANY(%s)
                     GROUP BY tag
                    """,
                    query.subselect(),
                    self.ids,
                )
            )
            tags = {self.browse(tag): count for tag, count in self.env.cr.fetchall()}
        for segment in self:
            counts = tiers if segment.kind == "tier" else tags
            segment.customer_count = counts.get(segment, 0)

    def unlink(self):
        if not self:
            return True
        # the metrics rows refer to tiers and tags without a foreign key
        self.env.cr.execute(
            SQL(
                """
                UPDATE cs_customer_metrics
                   SET computed_segment = CASE
                           WHEN computed_segment = ANY(%(ids)s) THEN NULL
                           ELSE computed_segment END,
                       tag_array = ARRAY(SELECT tag FROM unnest(tag_array) tag
                                          WHERE NOT tag = ANY(%(ids)s))
                 WHERE computed_segment = ANY(%(ids)s) OR tag_array && %(ids)s
                """,
                ids=self.ids,
            )
        )
        self.env["cs.customer.metrics"].invalidate_model(
            ["computed_segment_id", "tag_ids"]
        )
        return super().unlink()

    def action_view_customers(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "customer_service_bank.cs_customer_action"
        )
        field = "cs_segment_id" if self.kind == "tier" else "cs_segment_tag_ids"
        action["domain"] = [(field, "in", self.ids)]
        return action

    def _parsed_domain(self):
        self.ensure_one()
        return safe_eval(self.rule_domain or "[]")

    def _rule_sql(self, metrics):
        """SQL condition under which a customer fits this segment.

        ``metrics`` is the alias of a row with the customer's metrics, as
        built by ``cs.customer.metrics._metrics_sql``, joined with
        :meth:`_domain_join_sql`.
        """
        self.ensure_one()
        m = SQL.identifier(metrics)
        conditions = []
        thresholds = (
            ("aum", ">=", self.min_aum),
            ("transaction_amount", ">=", self.min_transaction_amount),
            ("transaction_count", ">=", self.min_transaction_count),
            ("value_score", ">=", self.min_value_score),
            ("recency_score", ">=", self.min_recency_score),
            ("frequency_score", ">=", self.min_frequency_score),
            ("monetary_score", ">=", self.min_monetary_score),
            ("digital_share", ">=", self.min_digital_share),
            ("digital_share", "<=", self.max_digital_share),
            ("age", ">=", self.min_age),
            ("age", "<=", self.max_age),
            ("recency_days", "<=", self.max_recency_days),
        )
        for column, operator, value in thresholds:
            if value:
                conditions.append(
                    SQL(
                        f"%s.%s {operator} %s",
                        m,
                        SQL.identifier(column),
                        value,
                    )
                )
        if self.min_recency_days:
            conditions.append(
                SQL("COALESCE(%s.recency_days >= %s, TRUE)", m, self.min_recency_days)
            )
        if self.special_need_ids:
            conditions.append(
                SQL("%s.special_need_ids && %s", m, self.special_need_ids.ids)
            )
        if self.company_id:
            conditions.append(SQL("%s.company_id = %s", m, self.company_id.id))
        if self._parsed_domain():
            conditions.append(SQL("%s.id IS NOT NULL", self._domain_alias()))
        return SQL(" AND ").join(conditions) if conditions else SQL("TRUE")

    def _domain_join_sql(self, metrics):
        """LEFT JOIN of the customers matching the other conditions.

        A join, not ``IN (subquery)``: with hundreds of thousands of matches
        the subquery outgrows ``work_mem`` and is rescanned for every row.
        """
        self.ensure_one()
        domain = self._parsed_domain()
        if not domain:
            return SQL()
        query = (
            self.env["res.partner"]
            .sudo()
            .with_context(active_test=False)
            ._search(domain)
        )
        alias = self._domain_alias()
        return SQL(
            "LEFT JOIN (%s) AS %s ON %s.id = %s.partner_id",
            query.subselect(),
            alias,
            alias,
            SQL.identifier(metrics),
        )

    def _domain_alias(self):
        return SQL.identifier(f"segment_domain_{self.id}")

"""The SQL of the customer metrics recomputation, one builder a step.

``cs.customer.metrics._metrics_sql`` chains them into one statement that
selects the metrics row of every active customer, or of some: first what
the run needs to know (settings, currency conversion, the customers it
targets), then each source aggregated per customer, then the ranks and
scores, and last the tier and tags by rules. Each builder returns the body
of one common table expression, named as in the statement; ``partner_ids``
(None for every customer) narrows the reads to the customers recomputed.
"""

from dateutil.relativedelta import relativedelta

from odoo.tools import SQL

from .constants import AUM_CATEGORIES, DIGITAL_CHANNELS

# weights of the value score (percent): assets, amount, count, recency
VALUE_SCORE_WEIGHTS = (40, 30, 20, 10)


def only_partners(column, partner_ids):
    """``AND column = ANY(partner_ids)``, or nothing for every customer."""
    return SQL("AND %s = ANY(%s)", SQL(column), partner_ids) if partner_ids else SQL()


def with_steps(steps, select):
    """``WITH`` each (name, body) of ``steps``, in order, then ``select``."""
    return SQL(
        "WITH %s %s",
        SQL(", ").join(SQL("%s AS (%s)", SQL(name), body) for name, body in steps),
        select,
    )


# ----------------------------------------------------------------------
# what the run needs to know
# ----------------------------------------------------------------------


def settings_values(companies, today):
    """Each company's metrics window start and key-customer share."""
    return SQL(
        "VALUES %s",
        SQL(", ").join(
            SQL(
                "(%s, %s::date, %s::float8)",
                company.id,
                today - relativedelta(months=company.cs_metrics_window_months),
                company.cs_key_customer_percent,
            )
            for company in companies
        ),
    )


def conversion_values(companies, currencies, rate):
    """The factor converting each currency to each company's currency, as
    ``rate(currency, company)`` gives it."""
    return SQL(
        "VALUES %s",
        SQL(", ").join(
            SQL(
                "(%s, %s, %s::numeric)",
                company.id,
                currency.id,
                rate(currency, company),
            )
            for company in companies
            for currency in currencies
        ),
    )


def target_sql(default_company, partner_ids):
    """The active customers recomputed, with their company and override."""
    return SQL(
        """
        SELECT p.id, COALESCE(p.company_id, %(company)s) AS company_id,
               p.cs_segment_override_id AS override_id
          FROM res_partner p
         WHERE p.active AND p.cs_customer_number IS NOT NULL %(only_p)s
        """,
        company=default_company,
        only_p=only_partners("p.id", partner_ids),
    )


# ----------------------------------------------------------------------
# each source, per customer
# ----------------------------------------------------------------------


def transactions_sql(today, partner_ids):
    """Count, digital count and converted amount in the window; last date."""
    return SQL(
        """
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
        """,
        digital=DIGITAL_CHANNELS,
        today=today,
        only_t=only_partners("t.partner_id", partner_ids),
    )


def holdings_sql(partner_ids):
    """Assets under management: balances of deposit and wealth products."""
    return SQL(
        """
        SELECT h.partner_id, sum(h.balance * COALESCE(c.factor, 1)) AS aum
          FROM cs_product_holding h
          LEFT JOIN conversion c ON c.company_id = h.company_id
                                AND c.currency_id = h.currency_id
         WHERE h.active AND h.category IN %(aum_categories)s %(only_h)s
         GROUP BY h.partner_id
        """,
        aum_categories=AUM_CATEGORIES,
        only_h=only_partners("h.partner_id", partner_ids),
    )


def complaints_sql(partner_ids):
    """Number of complaints and date of the last one received."""
    return SQL(
        """
        SELECT partner_id, count(*) AS n,
               max(received_date)::date AS last_date
          FROM cs_complaint
         WHERE active AND partner_id IS NOT NULL %(only_c)s
         GROUP BY partner_id
        """,
        only_c=only_partners("partner_id", partner_ids),
    )


def followups_sql(partner_ids):
    """Date of the last follow-up done."""
    return SQL(
        """
        SELECT partner_id, max(done_date) AS last_done
          FROM cs_followup
         WHERE done_date IS NOT NULL %(only_f)s
         GROUP BY partner_id
        """,
        only_f=only_partners("partner_id", partner_ids),
    )


def sensitive_sql(today, partner_ids):
    """Age and special needs, from the restricted sensitive data."""
    return SQL(
        """
        SELECT s.partner_id,
               date_part('year', age(%(today)s, s.birth_date))::integer
                   AS age,
               array_remove(array_agg(r.special_need_id), NULL) AS need_ids
          FROM cs_customer_sensitive s
          LEFT JOIN cs_customer_sensitive_special_need_rel r
                 ON r.sensitive_id = s.id
         WHERE TRUE %(only_s)s
         GROUP BY s.partner_id, s.birth_date
        """,
        today=today,
        only_s=only_partners("s.partner_id", partner_ids),
    )


def metrics_per_customer_sql(today):
    """The sources joined on each targeted customer, zeros for none."""
    return SQL(
        """
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
        """,
        today=today,
    )


# ----------------------------------------------------------------------
# ranks and scores
# ----------------------------------------------------------------------


def population_sql(default_company, today, partner_ids):
    """Whom the targeted customers rank among: themselves, and when only
    some are recomputed, the stored values of the others of their companies.
    """
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
    return SQL(
        """
        SELECT partner_id, company_id, aum, transaction_amount,
               transaction_count, recency_days, TRUE AS is_target
          FROM metrics
        %(others)s
        """,
        others=others,
    )


def totals_sql():
    """The size of each company's population."""
    return SQL(
        """
        SELECT company_id, count(*) AS total FROM population
         GROUP BY company_id
        """
    )


def ranked_sql():
    """For assets, amount, count and recency, the cumulative share of the
    company's customers at or below each customer (0 for none)."""
    return SQL(
        """
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
        """
    )


def scored_sql(weights=VALUE_SCORE_WEIGHTS):
    """The value score: the shares weighed, 0 to 100, a whole number."""
    w_aum, w_amount, w_count, w_recency = weights
    return SQL(
        """
        SELECT r.*,
               round((%(w_aum)s * c_aum + %(w_amount)s * c_amount
                      + %(w_count)s * c_count
                      + %(w_recency)s * c_recency)::numeric)::float8
                   AS value_score
          FROM ranked r
        """,
        w_aum=w_aum,
        w_amount=w_amount,
        w_count=w_count,
        w_recency=w_recency,
    )


def keyed_sql():
    """Key customers: the top share of each company by value score."""
    return SQL(
        """
        SELECT sc.*,
               sc.value_score > 0 AND row_number() OVER (
                   PARTITION BY sc.company_id
                   ORDER BY sc.value_score DESC, sc.partner_id)
               <= ceil(sc.total * st.key_percent / 100.0) AS is_key
          FROM scored sc JOIN settings st ON st.company_id = sc.company_id
        """
    )


def scores_sql():
    """The targeted customers' metrics with their RFM scores, in fifths."""
    return SQL(
        """
        SELECT mt.*,
               greatest(1, ceil(k.c_recency * 5))::integer AS recency_score,
               greatest(1, ceil(k.c_count * 5))::integer AS frequency_score,
               greatest(1, ceil(k.c_amount * 5))::integer AS monetary_score,
               k.value_score, k.is_key
          FROM metrics mt
          JOIN keyed k ON k.partner_id = mt.partner_id AND k.is_target
        """
    )


# ----------------------------------------------------------------------
# tier and tags by rules, and the row
# ----------------------------------------------------------------------


def tier_case_sql(tiers):
    """The first tier whose rules row ``m`` meets (tiers in order)."""
    if not tiers:
        return SQL("NULL::integer")
    return SQL(
        "CASE %s END",
        SQL(" ").join(
            SQL("WHEN %s THEN %s", tier._rule_sql("m"), tier.id) for tier in tiers
        ),
    )


def tag_array_sql(tags):
    """The tags whose rules row ``m`` meets."""
    return SQL(
        "array_remove(ARRAY[%s]::integer[], NULL)",
        SQL(", ").join(
            SQL("CASE WHEN %s THEN %s END", tag._rule_sql("m"), tag.id) for tag in tags
        ),
    )


def metrics_row_sql(today, tiers, tags):
    """The metrics row of each customer, columns as the staging table's."""
    return SQL(
        """
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
        today=today,
        tier_case=tier_case_sql(tiers),
        tag_array=tag_array_sql(tags),
        domain_joins=SQL(" ").join(
            segment._domain_join_sql("m") for segment in tiers | tags
        ),
    )

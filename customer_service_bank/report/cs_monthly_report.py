from datetime import datetime, time

import pytz
from dateutil.relativedelta import relativedelta

from odoo import _, api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import SQL, format_date

from odoo.addons.rating.models.rating_data import RATING_LIMIT_SATISFIED

TOP_COUNT = 5
TREND_MONTHS = 6
# open actions listed by name; the report counts them all
ACTION_LINES = 50
# Fonts with Chinese glyphs (Debian: fonts-noto-cjk), by the variant of the
# report's language; Simplified Chinese for the rest.
CJK_VARIANTS = {"zh_TW": "TC", "zh_HK": "TC", "ja": "JP", "ko": "KR"}
CJK_FONTS = (
    '"Noto Sans CJK {variant}", "Source Han Sans {variant}", '
    '"WenQuanYi Zen Hei", "Microsoft YaHei", "PingFang SC", sans-serif'
)


def percent(part, whole):
    return round(100.0 * part / whole, 1) if whole else 0.0


class ReportCsMonthly(models.AbstractModel):
    """Figures of the monthly customer-service report.

    Every figure comes from grouped queries on the complaints of the period,
    whatever their number; record rules apply, so a supervisor's report
    covers the teams they may see.
    """

    _name = "report.customer_service_bank.report_cs_monthly"
    _description = "Monthly Customer Service Report"

    @api.model
    def _get_report_values(self, docids, data=None):
        if not self.env.user.has_group("customer_service_bank.group_cs_supervisor"):
            raise AccessError(
                _(
                    "Only customer-service supervisors and managers can print "
                    "the monthly report."
                )
            )
        data = data or {}
        company = self.env["res.company"].browse(data["company_id"])
        team = self.env["cs.team"].browse(data.get("team_id") or [])
        report = self.with_company(company)
        return report._monthly_values(
            company,
            team.with_env(report.env),
            fields.Date.to_date(data["date_from"]),
            fields.Date.to_date(data["date_to"]),
        )

    @api.model
    def _monthly_values(self, company, team, date_from, date_to):
        """Everything the report shows for ``company`` (and ``team``) over the days
        from ``date_from`` to ``date_to`` included, in the user's time zone."""
        start, end = self._utc_bounds(date_from, date_to)
        scope = [("company_id", "=", company.id)]
        if team:
            scope.append(("team_id", "=", team.id))
        values = {
            "company": company,
            "font_family": self._font_family(company),
            "team": team,
            "date_from": date_from,
            "date_to": date_to,
        }
        values.update(self._volume_values(scope, start, end))
        months = [
            date_to.replace(day=1) - relativedelta(months=back)
            for back in reversed(range(TREND_MONTHS))
        ]
        values["csat"] = self._csat_values(scope, months)
        values["nps"] = self._nps_values(company, team, months)
        values["quality"] = self._quality_values(company, team, months)
        values["open_actions"] = self._open_action_values(company, team)
        values["care"] = self._care_values(company, team, date_from, date_to)
        return values

    # ------------------------------------------------------------------
    # business methods
    # ------------------------------------------------------------------

    def _font_family(self, company):
        """The report's fonts: the company's, then one that has Chinese glyphs.

        The layouts' fonts (Lato, Roboto...) have none, so wkhtmltopdf would
        print every Chinese word blank. A report in Chinese, Japanese or Korean
        is set in the CJK font alone, as documents in those languages are:
        Debian's wkhtmltopdf draws web fonts as outlines, and a system font
        keeps the whole text searchable.
        """
        lang = self.env.lang or "en_US"
        language = lang.split("_")[0]
        variant = CJK_VARIANTS.get(lang) or CJK_VARIANTS.get(language) or "SC"
        cjk_fonts = CJK_FONTS.format(variant=variant)
        if language in ("zh", "ja", "ko"):
            return cjk_fonts
        return f"{company.font or 'Lato'}, {cjk_fonts}"

    def _tz(self):
        return pytz.timezone(self.env.context.get("tz") or self.env.user.tz or "UTC")

    def _utc_bounds(self, date_from, date_to):
        """Naive UTC datetimes of the first and after the last day's midnight."""
        tz = self._tz()

        def utc(day):
            local = tz.localize(datetime.combine(day, time.min))
            return local.astimezone(pytz.utc).replace(tzinfo=None)

        return utc(date_from), utc(date_to + relativedelta(days=1))

    def _trend_bounds(self, months):
        return self._utc_bounds(
            months[0], months[-1] + relativedelta(months=1, days=-1)
        )

    def _volume_values(self, scope, start, end):
        """Volumes by channel, deadline compliance, top categories and causes."""
        Complaint = self.env["cs.complaint"]
        received = Complaint._read_group(
            [*scope, ("received_date", ">=", start), ("received_date", "<", end)],
            ["channel", "category_id"],
            ["__count"],
        )
        resolved = Complaint._read_group(
            [*scope, ("resolved_date", ">=", start), ("resolved_date", "<", end)],
            ["channel", "deadline_status", "root_cause_id"],
            ["__count"],
        )
        open_domain = [
            *scope,
            ("received_date", "<", end),
            "|",
            ("resolved_date", "=", False),
            ("resolved_date", ">=", end),
        ]
        open_at_end = Complaint._read_group(open_domain, ["channel"], ["__count"])
        over_deadline = Complaint.search_count(
            [*open_domain, ("resolve_deadline", "<", end)]
        )

        channel_labels = dict(
            Complaint._fields["channel"]._description_selection(self.env)
        )
        by_channel = {
            key: {"label": label, "received": 0, "resolved": 0, "open_end": 0}
            for key, label in channel_labels.items()
        }
        categories, root_causes = {}, {}
        on_time = late = 0
        for channel, category, count in received:
            by_channel[channel]["received"] += count
            if category:
                categories[category] = categories.get(category, 0) + count
        for channel, status, root_cause, count in resolved:
            by_channel[channel]["resolved"] += count
            if status == "breached":
                late += count
            else:
                on_time += count
            if root_cause:
                root_causes[root_cause] = root_causes.get(root_cause, 0) + count
        for channel, count in open_at_end:
            by_channel[channel]["open_end"] = count

        received_total = sum(row[-1] for row in received)
        resolved_total = on_time + late
        return {
            "volumes": {
                "received": received_total,
                "resolved": resolved_total,
                "open_end": sum(count for _channel, count in open_at_end),
            },
            "channels": [
                row
                for row in by_channel.values()
                if row["received"] or row["resolved"] or row["open_end"]
            ],
            "compliance": {
                "on_time": on_time,
                "late": late,
                "on_time_percent": percent(on_time, resolved_total),
                "open_over_deadline": over_deadline,
            },
            "top_categories": self._top(categories, received_total),
            "top_root_causes": self._top(root_causes, resolved_total),
        }

    def _top(self, counts, total):
        """The TOP_COUNT records with most complaints, with their share of ``total``."""
        ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0].id))
        return [
            {
                "name": record.display_name,
                "count": count,
                "share": percent(count, total),
            }
            for record, count in ranked[:TOP_COUNT]
        ]

    @api.model
    def _month_label(self, month):
        return format_date(self.env, month, date_format="MMMM yyyy")

    def _month_rows(self, months, figures, make_row):
        """One row per month of the trend, empty months included."""
        return [
            {
                "label": self._month_label(month),
                **make_row(figures.get(month)),
            }
            for month in months
        ]

    def _csat_values(self, scope, months):
        """Ratings of the complaints resolved in each month of the trend."""
        start, end = self._trend_bounds(months)
        complaints = self.env["cs.complaint"]._search(
            [*scope, ("resolved_date", ">=", start), ("resolved_date", "<", end)]
        )
        self.env["rating.rating"].flush_model(
            ["res_model", "res_id", "rating", "consumed"]
        )
        self.env["cs.complaint"].flush_model(["resolved_date"])
        self.env.cr.execute(
            SQL(
                """
                SELECT date_trunc('month', c.resolved_date AT TIME ZONE 'UTC'
                                           AT TIME ZONE %(tz)s)::date,
                       count(*), avg(r.rating),
                       count(*) FILTER (WHERE r.rating >= %(satisfied)s)
                  FROM rating_rating r
                  JOIN cs_complaint c ON c.id = r.res_id
                 WHERE r.res_model = 'cs.complaint'
                   AND r.consumed
                   AND r.rating > 0
                   AND c.id IN %(complaints)s
                 GROUP BY 1
                """,
                tz=self._tz().zone,
                satisfied=RATING_LIMIT_SATISFIED,
                complaints=complaints.subselect(),
            )
        )
        figures = {
            month: (count, average, satisfied)
            for month, count, average, satisfied in self.env.cr.fetchall()
        }

        def row(figure):
            count, average, satisfied = figure or (0, 0.0, 0)
            return {
                "count": count,
                "average": round(average, 2),
                "satisfied_percent": percent(satisfied, count),
            }

        return self._month_rows(months, figures, row)

    def _nps_values(self, company, team, months):
        """NPS of the answers received in each month of the trend."""
        start, end = self._trend_bounds(months)
        domain = [
            ("company_id", "=", company.id),
            ("is_answered", "=", True),
            ("answered_date", ">=", start),
            ("answered_date", "<", end),
        ]
        if team:
            domain.append(("team_id", "=", team.id))
        groups = self.env["cs.nps.response"]._read_group(
            domain, ["answered_date:month"], ["__count", "nps_value:avg"]
        )
        figures = {month.date(): (count, nps) for month, count, nps in groups}

        def row(figure):
            count, nps = figure or (0, 0.0)
            return {"count": count, "nps": round(nps, 1)}

        return self._month_rows(months, figures, row)

    def _quality_values(self, company, team, months):
        """Average QA score of the reviews submitted each month."""
        start, end = self._trend_bounds(months)
        domain = [
            ("company_id", "=", company.id),
            ("state", "in", ("done", "acknowledged")),
            ("review_date", ">=", start),
            ("review_date", "<", end),
        ]
        if team:
            domain.append(("team_id", "=", team.id))
        groups = self.env["cs.quality.review"]._read_group(
            domain, ["review_date:month"], ["__count", "score:avg"]
        )
        figures = {month.date(): (count, score) for month, count, score in groups}

        def row(figure):
            count, score = figure or (0, 0.0)
            return {"count": count, "score": round(score or 0.0, 1)}

        return self._month_rows(months, figures, row)

    def _care_values(self, company, team, date_from, date_to):
        """Care campaigns with customers due in the period: their figures,
        and the effect on the participants against the others of their tiers
        (over the occurrences of the period)."""
        domain = [
            ("company_id", "=", company.id),
            ("occurrence_date", ">=", date_from),
            ("occurrence_date", "<=", date_to),
        ]
        if team:
            domain.append(("team_id", "=", team.id))
        Participant = self.env["cs.care.participant"]
        campaigns = {}
        occurrences = set()

        def row(campaign):
            return campaigns.setdefault(
                campaign,
                {
                    "name": campaign.name,
                    "targeted": 0,
                    "sent": 0,
                    "skipped": 0,
                    "accepted": 0,
                    "attended": 0,
                    "cost": 0.0,
                },
            )

        for campaign, occurrence, state, count, cost in Participant._read_group(
            domain, ["campaign_id", "occurrence", "state"], ["__count", "cost:sum"]
        ):
            occurrences.add((campaign.id, occurrence))
            figures = row(campaign)
            figures["targeted"] += count
            figures["cost"] += cost
            if state in ("sent", "skipped"):
                figures[state] += count
        for campaign, count in Participant._read_group(
            [*domain, ("answer", "=", "accepted")], ["campaign_id"], ["__count"]
        ):
            row(campaign)["accepted"] = count
        for campaign, count in Participant._read_group(
            [*domain, ("attended", "=", True)], ["campaign_id"], ["__count"]
        ):
            row(campaign)["attended"] = count

        effect = {
            group: {"customers": 0, "answers": 0, "nps": 0.0, "complaints_per_100": 0.0}
            for group in ("participant", "other")
        }
        if campaigns:
            groups = self.env["cs.care.effect.report"]._read_group(
                [("campaign_id", "in", [c.id for c in campaigns])],
                ["campaign_id", "occurrence", "customer_group"],
                [
                    "customer_count:sum",
                    "nps_count:sum",
                    "promoter_count:sum",
                    "detractor_count:sum",
                    "complaint_count:sum",
                ],
            )
            totals = {group: [0, 0, 0, 0, 0] for group in effect}
            for campaign, occurrence, group, *counts in groups:
                if (campaign.id, occurrence) in occurrences:
                    totals[group] = [
                        a + b for a, b in zip(totals[group], counts, strict=True)
                    ]
            for group, (
                customers,
                answers,
                promoters,
                detractors,
                complaints,
            ) in totals.items():
                effect[group] = {
                    "customers": customers,
                    "answers": answers,
                    "nps": percent(promoters - detractors, answers),
                    "complaints_per_100": percent(complaints, customers),
                }
        return {
            "campaigns": sorted(campaigns.values(), key=lambda row: row["name"]),
            "currency": company.currency_id,
            "effect": effect,
            "effect_days": company.cs_care_effect_days,
        }

    def _open_action_values(self, company, team):
        """Actions not done today on the complaints of the scope, most urgent first."""
        today = fields.Date.context_today(self)
        domain = [("company_id", "=", company.id), ("is_done", "=", False)]
        if team:
            domain.append(("complaint_id.team_id", "=", team.id))
        Action = self.env["cs.complaint.action"]
        actions = Action.search(domain, order="date_deadline, id", limit=ACTION_LINES)
        return {
            "count": Action.search_count(domain),
            "overdue": Action.search_count([*domain, ("date_deadline", "<", today)]),
            "lines": [
                {
                    "name": action.name,
                    "complaint": action.complaint_id.name,
                    "customer": action.complaint_id.partner_id.name,
                    "owner": action.user_id.name,
                    "date_deadline": action.date_deadline,
                    "overdue": action.date_deadline < today,
                }
                for action in actions
            ],
        }

from collections import Counter
from datetime import date, datetime, time, timedelta

import pytz

from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.osv import expression
from odoo.tools.safe_eval import safe_eval

from .constants import (
    CARE_CAMPAIGN_CHANNELS,
    CARE_CAMPAIGN_KINDS,
    CARE_CAMPAIGN_RECURRENCES,
    CARE_CAMPAIGN_STATES,
    CARE_TASK_KINDS,
)

# kinds dated by each customer's own day, every year
PER_CUSTOMER_KINDS = ("birthday", "anniversary")
# an appreciation event lasts this long unless its owner changes it
EVENT_DURATION = timedelta(hours=3)
# the days a late scheduled action still catches up, today excluded
CATCH_UP_DAYS = 7
# the consent channel of the relationship manager's task
TASK_CONTACT_CHANNELS = {
    "call": "phone",
    "visit": "visit",
    "letter": "letter",
    "gift": "letter",
}
# what an approval covers: changed only on a draft
APPROVED_FIELDS = (
    "budget",
    "cost_per_participant",
    "tier_ids",
    "tag_ids",
    "key_only",
    "special_need_ids",
    "relationship_manager_ids",
    "branch",
    "extra_domain",
    "company_id",
)


def _day_in_year(day, year):
    """``day`` in ``year``; 29 February falls on the 28th in other years."""
    try:
        return day.replace(year=year)
    except ValueError:
        return date(year, 2, 28)


def _next_day_of_year(day, today):
    """The next anniversary of ``day``, from ``today`` included; 29 February
    falls on the 28th in other years."""
    for year in (today.year, today.year + 1):
        try:
            candidate = day.replace(year=year)
        except ValueError:
            candidate = date(year, 2, 28)
        if candidate >= today:
            return candidate
    return False


class CsCareCampaign(models.Model):
    """A campaign of care for customers: greetings, events, gifts.

    The targeting fields select the customers; the channel says how they are
    reached (a mail, or a task for their relationship manager). A budget
    above the company's threshold needs a customer-service manager to approve
    the campaign before it runs.
    """

    _name = "cs.care.campaign"
    _description = "Customer Care Campaign"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "id desc"
    _check_company_auto = True

    name = fields.Char(required=True, tracking=True)
    kind = fields.Selection(
        CARE_CAMPAIGN_KINDS,
        required=True,
        default="appreciation",
        tracking=True,
        help="Customer anniversaries count the years since the customer number "
        "was opened.",
    )
    state = fields.Selection(
        CARE_CAMPAIGN_STATES,
        required=True,
        default="draft",
        tracking=True,
        copy=False,
        index=True,
    )
    user_id = fields.Many2one(
        "res.users",
        string="Owner",
        required=True,
        tracking=True,
        domain="[('share', '=', False)]",
        default=lambda self: self.env.user,
    )
    team_id = fields.Many2one(
        "cs.team",
        required=True,
        index=True,
        tracking=True,
        check_company=True,
        help="Its agents see the campaign; its supervisor runs it.",
    )
    company_id = fields.Many2one(
        "res.company",
        required=True,
        index=True,
        default=lambda self: self.env.company,
    )
    description = fields.Html()
    # schedule
    recurrence = fields.Selection(
        CARE_CAMPAIGN_RECURRENCES,
        required=True,
        compute="_compute_recurrence",
        store=True,
        readonly=False,
        precompute=True,
        tracking=True,
        help="Birthday greetings and customer anniversaries come every year, on "
        "each customer's day.",
    )
    date = fields.Date(
        tracking=True,
        help="Day of the campaign; for a yearly campaign, its day every year.",
    )
    festival_id = fields.Many2one(
        "cs.care.festival",
        tracking=True,
        check_company=True,
        help="The festival whose day the greeting is sent on.",
    )
    next_date = fields.Date(
        compute="_compute_next_date",
        help="The campaign's next day from today; empty when each customer has "
        "their own day, or when its day has passed.",
    )
    send_time = fields.Float(
        default=9.0,
        help="Hour of the day the mails go out or the tasks are due.",
    )
    # channel
    channel = fields.Selection(
        CARE_CAMPAIGN_CHANNELS, required=True, default="email", tracking=True
    )
    mail_template_id = fields.Many2one(
        "mail.template",
        domain="[('model', '=', 'cs.care.participant')]",
        help="Rendered on each participant, in the customer's language.",
    )
    task_kind = fields.Selection(
        CARE_TASK_KINDS,
        default="call",
        help="What the relationship manager is asked to do, as a follow-up.",
    )
    # budget and approval
    currency_id = fields.Many2one(related="company_id.currency_id")
    budget = fields.Monetary(tracking=True)
    cost_per_participant = fields.Monetary(tracking=True)
    expected_cost = fields.Monetary(
        compute="_compute_expected_cost",
        help="The customers targeted now times the cost per participant.",
    )
    needs_manager_approval = fields.Boolean(
        compute="_compute_expected_cost",
        help="The budget, or the expected cost when higher, is above the "
        "company's threshold: a customer-service manager approves the campaign.",
    )
    approved_by_id = fields.Many2one(
        "res.users", readonly=True, copy=False, tracking=True
    )
    approved_date = fields.Datetime(readonly=True, copy=False)
    # targeting: every criterion set must hold
    tier_ids = fields.Many2many(
        "cs.segment",
        "cs_care_campaign_tier_rel",
        "campaign_id",
        "segment_id",
        string="Tiers",
        domain="[('kind', '=', 'tier')]",
        help="Customers in any of these value tiers.",
    )
    tag_ids = fields.Many2many(
        "cs.segment",
        "cs_care_campaign_tag_rel",
        "campaign_id",
        "segment_id",
        string="Segments",
        domain="[('kind', '=', 'tag')]",
        help="Customers with any of these needs and behaviour segments.",
    )
    key_only = fields.Boolean(string="Key Customers Only")
    special_need_ids = fields.Many2many(
        "cs.special.need",
        string="Special Needs",
        help="Customers with any of these special needs. Only the number of "
        "customers is shown: who has which need stays private.",
    )
    relationship_manager_ids = fields.Many2many(
        "res.users",
        "cs_care_campaign_manager_rel",
        "campaign_id",
        "user_id",
        string="Relationship Managers",
        domain="[('share', '=', False)]",
        help="Customers of any of these relationship managers.",
    )
    branch = fields.Char(help="Customers of this branch, whatever the case.")
    extra_domain = fields.Char(
        string="Other Conditions",
        help="Further conditions on the customers.",
    )
    event_id = fields.Many2one(
        "event.event",
        copy=False,
        index="btree_not_null",
        tracking=True,
        help="The appreciation event; its registrations are the invitations.",
    )
    followup_attendees = fields.Boolean(
        string="Follow Up Attendees",
        tracking=True,
        help="Each customer who attends the event gets a follow-up for their "
        "relationship manager, or the campaign's owner.",
    )
    followup_delay_days = fields.Integer(
        string="Follow Up After (Days)",
        default=3,
        help="Days after the event the attendees' follow-ups are planned.",
    )
    participant_ids = fields.One2many("cs.care.participant", "campaign_id")
    participant_count = fields.Integer(
        string="Participants", compute="_compute_participant_count"
    )
    results_html = fields.Html(
        string="Results",
        compute="_compute_results_html",
        sanitize=False,
        groups="customer_service_bank.group_cs_supervisor",
        help="Per occurrence: customers targeted, contacted, skipped and why, "
        "answers, attendance and cost.",
    )
    effect_html = fields.Html(
        string="Effect",
        compute="_compute_effect_html",
        sanitize=False,
        groups="customer_service_bank.group_cs_supervisor",
        help="Per occurrence: NPS, ratings and complaints of the participants "
        "against the other customers of their tiers, over the company's "
        "care effect window.",
    )
    last_run_date = fields.Date(
        string="Run Until",
        readonly=True,
        copy=False,
        help="The last day whose participants were selected. The scheduled "
        "action selects those of the days since, a week back at most.",
    )
    target_count = fields.Integer(
        string="Customers Targeted",
        compute="_compute_target_count",
        help="Active customers of the company that the targeting selects now.",
    )

    @api.constrains("kind", "recurrence", "date", "festival_id")
    def _check_schedule(self):
        for campaign in self:
            if campaign.kind == "festival" and not campaign.festival_id:
                raise ValidationError(
                    self.env._(
                        "Choose the festival of the greeting %(campaign)s.",
                        campaign=campaign.name,
                    )
                )
            if campaign.kind in PER_CUSTOMER_KINDS and campaign.recurrence != "yearly":
                raise ValidationError(
                    self.env._(
                        "%(campaign)s greets each customer on their day: it "
                        "comes every year.",
                        campaign=campaign.name,
                    )
                )
            if (
                campaign.kind not in PER_CUSTOMER_KINDS + ("festival",)
                and not campaign.date
            ):
                raise ValidationError(
                    self.env._(
                        "Choose the day of %(campaign)s.", campaign=campaign.name
                    )
                )

    @api.constrains("budget", "cost_per_participant", "send_time")
    def _check_amounts(self):
        for campaign in self:
            if campaign.budget < 0 or campaign.cost_per_participant < 0:
                raise ValidationError(
                    self.env._(
                        "The budget and the cost per participant of %(campaign)s "
                        "cannot be negative.",
                        campaign=campaign.name,
                    )
                )
            if not 0 <= campaign.send_time < 24:
                raise ValidationError(
                    self.env._(
                        "The send time is an hour of the day, from 00:00 to 23:59."
                    )
                )

    @api.constrains("followup_delay_days")
    def _check_followup_delay(self):
        for campaign in self:
            if campaign.followup_delay_days < 0:
                raise ValidationError(
                    self.env._(
                        "The attendees of %(campaign)s are followed up after the "
                        "event, not before it.",
                        campaign=campaign.name,
                    )
                )

    @api.constrains("mail_template_id")
    def _check_mail_template(self):
        for campaign in self:
            template = campaign.mail_template_id
            if template and template.model != "cs.care.participant":
                raise ValidationError(
                    self.env._(
                        "The mail template %(template)s is not written for care "
                        "campaign participants.",
                        template=template.name,
                    )
                )

    @api.constrains("extra_domain")
    def _check_extra_domain(self):
        for campaign in self:
            campaign._extra_domain()

    @api.depends("kind")
    def _compute_recurrence(self):
        for campaign in self:
            if campaign.kind in PER_CUSTOMER_KINDS:
                campaign.recurrence = "yearly"
            elif not campaign.recurrence:
                campaign.recurrence = "once"

    @api.depends("kind", "recurrence", "date", "festival_id")
    @api.depends_context("tz")
    def _compute_next_date(self):
        today = fields.Date.context_today(self)
        for campaign in self:
            day = False
            if campaign.kind in PER_CUSTOMER_KINDS:
                pass
            elif campaign.kind == "festival":
                day = campaign.festival_id.next_date
            elif campaign.recurrence == "yearly" and campaign.date:
                day = _next_day_of_year(campaign.date, today)
            elif campaign.date and campaign.date >= today:
                day = campaign.date
            campaign.next_date = day

    @api.depends("budget", "cost_per_participant", "target_count")
    def _compute_expected_cost(self):
        for campaign in self:
            campaign.expected_cost = (
                campaign.target_count * campaign.cost_per_participant
            )
            amount = max(campaign.budget, campaign.expected_cost)
            campaign.needs_manager_approval = (
                campaign.currency_id.compare_amounts(
                    amount, campaign.company_id.cs_care_budget_threshold
                )
                > 0
            )

    @api.depends(
        "company_id",
        "tier_ids",
        "tag_ids",
        "key_only",
        "special_need_ids",
        "relationship_manager_ids",
        "branch",
        "extra_domain",
    )
    def _compute_target_count(self):
        Partner = self.env["res.partner"].sudo()
        for campaign in self:
            try:
                domain = campaign._target_domain()
            except ValidationError:
                # the constraint says what is wrong when the campaign is saved
                campaign.target_count = 0
                continue
            # sudo: the special needs are counted, not shown; the domain keeps
            # the customers of the campaign's company
            campaign.target_count = Partner.search_count(domain)

    def _compute_participant_count(self):
        counts = dict(
            self.env["cs.care.participant"]._read_group(
                [("campaign_id", "in", self.ids)], ["campaign_id"], ["__count"]
            )
        )
        for campaign in self:
            campaign.participant_count = counts.get(campaign._origin, 0)

    def _compute_results_html(self):
        results = self._care_results()
        skip_labels = dict(
            self.env["cs.care.participant"]
            ._fields["skip_reason"]
            ._description_selection(self.env)
        )
        for campaign in self:
            rows = results.get(campaign._origin.id)
            campaign.results_html = rows and self.env["ir.qweb"]._render(
                "customer_service_bank.cs_care_campaign_results",
                {
                    "rows": rows,
                    "skip_labels": skip_labels,
                    "currency": campaign.currency_id,
                },
            )

    def _compute_effect_html(self):
        effects = self._care_effect()
        for campaign in self:
            rows = effects.get(campaign._origin.id)
            campaign.effect_html = rows and self.env["ir.qweb"]._render(
                "customer_service_bank.cs_care_campaign_effect",
                {
                    "rows": rows,
                    "days": campaign.company_id.cs_care_effect_days,
                },
            )

    @api.ondelete(at_uninstall=False)
    def _unlink_except_started(self):
        for campaign in self:
            if campaign.state not in ("draft", "cancelled"):
                raise UserError(
                    self.env._(
                        "%(campaign)s was approved: cancel it rather than delete it.",
                        campaign=campaign.name,
                    )
                )

    def write(self, vals):
        if set(vals) & set(APPROVED_FIELDS) and any(
            campaign.state != "draft" for campaign in self
        ):
            raise UserError(
                self.env._(
                    "The budget and the customers targeted are those approved: "
                    "reset the campaign to draft to change them."
                )
            )
        return super().write(vals)

    def copy_data(self, default=None):
        vals_list = super().copy_data(default=default)
        return [
            dict(vals, name=self.env._("%(name)s (copy)", name=vals["name"]))
            for vals in vals_list
        ]

    def action_approve(self):
        """Approve draft campaigns: supervisors approve budgets up to the
        company's threshold, managers any budget."""
        is_manager = self.env.user.has_group("customer_service_bank.group_cs_manager")
        for campaign in self:
            campaign._check_state("draft")
            campaign._check_channel()
            if campaign.needs_manager_approval and not is_manager:
                raise UserError(
                    self.env._(
                        "The budget of %(campaign)s is above %(threshold)s: a "
                        "customer-service manager must approve it.",
                        campaign=campaign.name,
                        threshold=campaign.currency_id.format(
                            campaign.company_id.cs_care_budget_threshold
                        ),
                    )
                )
        self.write(
            {
                "state": "approved",
                "approved_by_id": self.env.uid,
                "approved_date": fields.Datetime.now(),
            }
        )
        self.filtered(
            lambda campaign: campaign.kind == "appreciation" and not campaign.event_id
        )._create_event()
        return True

    def action_start(self):
        for campaign in self:
            campaign._check_state("approved")
        self.state = "running"
        return True

    def action_done(self):
        for campaign in self:
            campaign._check_state("running")
        self.state = "done"
        return True

    def action_cancel(self):
        for campaign in self:
            campaign._check_state("draft", "approved", "running")
        self.state = "cancelled"
        for campaign in self.filtered("event_id"):
            campaign.message_post(
                body=self.env._(
                    "The event %(event)s is left as it is: its organizer cancels "
                    "it, or holds it without the campaign.",
                    event=campaign.event_id.sudo().display_name,
                ),
                subtype_xmlid="mail.mt_note",
            )
        return True

    def action_reset_draft(self):
        for campaign in self:
            campaign._check_state("approved", "cancelled")
        self.write({"state": "draft", "approved_by_id": False, "approved_date": False})
        return True

    def action_preview_targets(self):
        """The customers the campaign targets now, in the customers list.

        For those who may change the campaign: the list of customers
        targeted by special needs tells who has them.
        """
        self.ensure_one()
        self.check_access("write")
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "customer_service_bank.cs_customer_action"
        )
        action["name"] = self.env._("Targeted by %(campaign)s", campaign=self.name)
        action["domain"] = self._target_domain()
        action["context"] = {}
        return action

    def action_cs_run_now(self):
        """Select the participants of the campaign's current occurrence now
        and contact those whose send time has come, inside the sending window;
        the rest goes out with the scheduled action."""
        self.ensure_one()
        if not self.env.user.has_group("customer_service_bank.group_cs_supervisor"):
            raise AccessError(
                self.env._("Only customer-service supervisors run care campaigns.")
            )
        self.check_access("write")
        self._check_state("approved", "running")
        self._check_channel()
        campaign = self.sudo()
        today = campaign._cs_today()
        if campaign.kind not in PER_CUSTOMER_KINDS and not campaign._cs_fixed_days(
            today - timedelta(days=CATCH_UP_DAYS), today
        ):
            next_day = campaign.with_context(tz=campaign._cs_tz()).next_date
            if next_day:
                raise UserError(
                    self.env._(
                        "%(campaign)s runs on %(date)s: its day has not come yet.",
                        campaign=campaign.name,
                        date=fields.Date.to_string(next_day),
                    )
                )
            raise UserError(
                self.env._(
                    "The day of %(campaign)s has passed: it has nothing to send.",
                    campaign=campaign.name,
                )
            )
        counts = campaign._cs_materialise_due()
        Participant = self.env["cs.care.participant"].sudo()
        processed = Participant
        while batch := Participant._run_batch_job(
            Participant._cs_batch_size, campaign_ids=campaign.ids
        ):
            processed |= batch
        states = Counter(processed.mapped("state"))
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "title": self.env._("%(campaign)s run", campaign=self.name),
                "message": self.env._(
                    "%(queued)s queued, %(sent)s sent, %(skipped)s skipped, "
                    "%(failed)s failed; %(waiting)s wait for their send time or "
                    "the sending window.",
                    queued=counts["queued"],
                    sent=states["sent"],
                    skipped=counts["skipped"] + states["skipped"],
                    failed=states["failed"],
                    waiting=Participant.search_count(
                        [("campaign_id", "=", self.id), ("state", "=", "queued")]
                    ),
                ),
                "sticky": False,
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

    def action_create_event(self):
        """Create the appreciation event of the campaign, in Events."""
        self.check_access("write")
        for campaign in self:
            if campaign.kind != "appreciation":
                raise UserError(
                    self.env._(
                        "%(campaign)s is not an appreciation event: it has no event.",
                        campaign=campaign.name,
                    )
                )
            if campaign.event_id:
                raise UserError(
                    self.env._(
                        "%(campaign)s already has its event %(event)s.",
                        campaign=campaign.name,
                        event=campaign.event_id.sudo().display_name,
                    )
                )
            campaign._check_state("draft", "approved", "running")
        self._create_event()
        return True

    def action_view_event(self):
        """The campaign's event, in Events (for event users)."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "event.event",
            "res_id": self.event_id.id,
            "views": [(False, "form")],
        }

    def action_view_participants(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "customer_service_bank.cs_care_participant_action"
        )
        action["domain"] = [("campaign_id", "=", self.id)]
        action["context"] = {"default_campaign_id": self.id}
        return action

    def action_view_results(self):
        """The participants in the pivot, by occurrence and state."""
        action = self.action_view_participants()
        action.update(
            name=self.env._("Results of %(campaign)s", campaign=self.name),
            view_mode="pivot,graph,list,form",
            views=[
                (False, "pivot"),
                (False, "graph"),
                (False, "list"),
                (False, "form"),
            ],
            context={
                "pivot_row_groupby": ["occurrence"],
                "pivot_column_groupby": ["state"],
                "pivot_measures": ["__count", "cost"],
            },
        )
        return action

    def action_view_effect(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "customer_service_bank.cs_care_effect_report_action"
        )
        action["domain"] = [("campaign_id", "=", self.id)]
        return action

    def _create_event(self):
        """Create and link the events of these campaigns.

        Callers check the campaigns may be written; the event is created as
        superuser so that supervisors need no rights in Events. Odoo's own
        event mails are left out: the campaign's invitation, sent under the
        contact policy, is the only mail the customers get.
        """
        Event = self.env["event.event"].sudo()
        for campaign in self:
            company = campaign.company_id
            campaign.event_id = Event.with_company(company).create(
                campaign._event_values()
            )

    def _event_values(self):
        """The new event: on the campaign's day, from its send time in the
        owner's time zone, for three hours."""
        self.ensure_one()
        if not self.date:
            raise UserError(
                self.env._("Choose the day of %(campaign)s.", campaign=self.name)
            )
        tz_name = self.user_id.tz or "UTC"
        day = (self.recurrence == "yearly" and self.next_date) or self.date
        start = datetime.combine(day, time()) + timedelta(
            minutes=round(self.send_time * 60)
        )
        start = (
            pytz.timezone(tz_name)
            .localize(start)
            .astimezone(pytz.utc)
            .replace(tzinfo=None)
        )
        partner = self.company_id.partner_id
        return {
            "name": self.name,
            "date_begin": start,
            "date_end": start + EVENT_DURATION,
            "date_tz": tz_name,
            "company_id": self.company_id.id,
            "organizer_id": partner.id,
            "address_id": partner.id,
            "user_id": self.user_id.id,
            "event_mail_ids": [Command.clear()],
        }

    def _care_results(self):
        """Figures per campaign and occurrence, from grouped queries.

        Returns ``{campaign id: [row, ...]}``, latest occurrence first; a row
        gives the occurrence, targeted, sent, failed, skipped (and
        ``skipped_by_reason``), accepted, declined, attended (registration
        done), cost and cost per attendee.
        """
        Participant = self.env["cs.care.participant"]
        scope = [("campaign_id", "in", self.ids)]
        rows = {}

        def row(campaign, occurrence):
            return rows.setdefault(
                (campaign.id, occurrence),
                {
                    "occurrence": occurrence,
                    "targeted": 0,
                    "queued": 0,
                    "sent": 0,
                    "failed": 0,
                    "skipped": 0,
                    "skipped_by_reason": {},
                    "accepted": 0,
                    "declined": 0,
                    "attended": 0,
                    "cost": 0.0,
                    "cost_per_attendee": 0.0,
                },
            )

        for campaign, occurrence, state, reason, count, cost in Participant._read_group(
            scope,
            ["campaign_id", "occurrence", "state", "skip_reason"],
            ["__count", "cost:sum"],
        ):
            figures = row(campaign, occurrence)
            figures["targeted"] += count
            figures[state] += count
            figures["cost"] += cost
            if state == "skipped" and reason:
                by_reason = figures["skipped_by_reason"]
                by_reason[reason] = by_reason.get(reason, 0) + count
        for campaign, occurrence, answer, count in Participant._read_group(
            [*scope, ("answer", "!=", False)],
            ["campaign_id", "occurrence", "answer"],
            ["__count"],
        ):
            row(campaign, occurrence)[answer] = count
        for campaign, occurrence, count in Participant._read_group(
            [*scope, ("attended", "=", True)],
            ["campaign_id", "occurrence"],
            ["__count"],
        ):
            row(campaign, occurrence)["attended"] = count
        results = {}
        for (campaign_id, _occurrence), figures in sorted(
            rows.items(), key=lambda item: (item[0][0], -item[0][1])
        ):
            if figures["attended"]:
                figures["cost_per_attendee"] = figures["cost"] / figures["attended"]
            results.setdefault(campaign_id, []).append(figures)
        return results

    def _care_effect(self):
        """Effect per campaign and occurrence: participants against the
        other customers of their tiers (see ``cs.care.effect.report``).

        Returns ``{campaign id: [{"occurrence", "participant": {...},
        "other": {...}}, ...]}``, latest occurrence first; each group gives
        customers, NPS answers and NPS, ratings and their average,
        complaints and complaints per 100 customers, over all its tiers.
        """
        groups = self.env["cs.care.effect.report"]._read_group(
            [("campaign_id", "in", self.ids)],
            ["campaign_id", "occurrence", "customer_group"],
            [
                "customer_count:sum",
                "nps_count:sum",
                "promoter_count:sum",
                "detractor_count:sum",
                "csat_count:sum",
                "csat_sum:sum",
                "complaint_count:sum",
            ],
        )
        rows = {}
        for (
            campaign,
            occurrence,
            group,
            customers,
            answers,
            promoters,
            detractors,
            ratings,
            rating_sum,
            complaints,
        ) in groups:
            figures = rows.setdefault(
                (campaign.id, occurrence),
                {"occurrence": occurrence, "participant": {}, "other": {}},
            )
            figures[group] = {
                "customers": customers,
                "nps_count": answers,
                "nps": round(100.0 * (promoters - detractors) / answers, 1)
                if answers
                else 0.0,
                "csat_count": ratings,
                "csat_average": round(rating_sum / ratings, 2) if ratings else 0.0,
                "complaints": complaints,
                "complaints_per_100": round(100.0 * complaints / customers, 1)
                if customers
                else 0.0,
            }
        effects = {}
        for (campaign_id, _occurrence), figures in sorted(
            rows.items(), key=lambda item: (item[0][0], -item[0][1])
        ):
            effects.setdefault(campaign_id, []).append(figures)
        return effects

    def _check_state(self, *states):
        self.ensure_one()
        if self.state not in states:
            state_names = dict(self._fields["state"]._description_selection(self.env))
            raise UserError(
                self.env._(
                    "%(campaign)s is %(state)s: it must be %(states)s.",
                    campaign=self.name,
                    state=state_names[self.state],
                    states=self.env._(" or ").join(state_names[s] for s in states),
                )
            )

    def _check_channel(self):
        self.ensure_one()
        if self.channel == "email" and not self.mail_template_id:
            raise UserError(
                self.env._(
                    "Choose the mail template of %(campaign)s.", campaign=self.name
                )
            )
        if self.channel == "task" and not self.task_kind:
            raise UserError(
                self.env._(
                    "Choose the task of the relationship managers for %(campaign)s.",
                    campaign=self.name,
                )
            )

    def _extra_domain(self):
        """The other conditions as a domain on customers, checked."""
        self.ensure_one()
        if not self.extra_domain:
            return []
        try:
            domain = safe_eval(self.extra_domain)
            if not isinstance(domain, list | tuple):
                raise TypeError(self.extra_domain)
            domain = expression.normalize_domain(list(domain))
            self.env["res.partner"]._search(domain)
        except (ValueError, TypeError, SyntaxError, NameError, KeyError) as error:
            raise ValidationError(
                self.env._(
                    "The other conditions of %(campaign)s are not a valid filter "
                    "on customers: %(error)s",
                    campaign=self.name,
                    error=error,
                )
            ) from error
        return domain

    def _target_domain(self):
        """Domain of the customers (``res.partner``) the campaign targets.

        Active customers with a customer number, of the campaign's company,
        meeting every criterion set. Special needs are private: the customers
        with them are found as superuser and given by their ids.
        """
        self.ensure_one()
        domains = [
            [
                ("cs_customer_number", "!=", False),
                ("active", "=", True),
                ("company_id", "in", [self.company_id.id, False]),
            ]
        ]
        if self.tier_ids:
            domains.append([("cs_segment_id", "in", self.tier_ids._origin.ids)])
        if self.tag_ids:
            domains.append([("cs_segment_tag_ids", "in", self.tag_ids._origin.ids)])
        if self.key_only:
            domains.append([("cs_is_key_customer", "=", True)])
        if self.special_need_ids:
            sensitive = (
                self.env["cs.customer.sensitive"]
                .sudo()
                .search([("special_need_ids", "in", self.special_need_ids._origin.ids)])
            )
            domains.append([("id", "in", sensitive.partner_id.ids)])
        if self.relationship_manager_ids:
            domains.append(
                [
                    (
                        "cs_relationship_manager_id",
                        "in",
                        self.relationship_manager_ids._origin.ids,
                    )
                ]
            )
        if self.branch:
            domains.append([("cs_branch", "=ilike", self.branch.strip())])
        domains.append(self._extra_domain())
        return expression.AND(domains)

    # ------------------------------------------------------------------
    # occurrences
    # ------------------------------------------------------------------

    def _cs_tz(self):
        """The time zone of the campaign's days: the company's, else the
        owner's."""
        self.ensure_one()
        return self.company_id.partner_id.tz or self.user_id.tz or "UTC"

    def _cs_today(self):
        self.ensure_one()
        return fields.Date.context_today(self.with_context(tz=self._cs_tz()))

    def _cs_contact_purpose(self):
        """Appreciation events invite; every other campaign greets."""
        self.ensure_one()
        return "event" if self.kind == "appreciation" else "care"

    def _cs_contact_channel(self):
        """The channel whose consent the campaign needs."""
        self.ensure_one()
        if self.channel == "task":
            return TASK_CONTACT_CHANNELS[self.task_kind or "call"]
        return "email"

    def _cs_fixed_days(self, first, last):
        """[(occurrence, day)] of a campaign with one day for all its customers,
        for the days from ``first`` to ``last``."""
        self.ensure_one()
        if self.kind in PER_CUSTOMER_KINDS:
            return []
        if self.recurrence == "yearly":
            # a festival's offset may move its day into the year before or after
            years = range(first.year - 1, last.year + 2)
            if self.kind == "festival":
                dates = self.festival_id._cs_dates(years)
                candidates = [(year, dates[self.festival_id, year]) for year in years]
            elif self.date:
                candidates = [(year, _day_in_year(self.date, year)) for year in years]
            else:
                candidates = []
        elif self.kind == "festival":
            candidates = [(0, self._cs_once_festival_day())]
        else:
            candidates = [(0, self.date)]
        return [(occ, day) for occ, day in candidates if day and first <= day <= last]

    def _cs_once_festival_day(self):
        """The day of a festival greeting sent once: the festival in the
        campaign's year, else the first festival after its approval."""
        if self.date:
            return self.festival_id._cs_date(self.date.year)
        start = fields.Date.context_today(
            self.with_context(tz=self._cs_tz()), self.approved_date or self.create_date
        )
        for year in (start.year, start.year + 1):
            day = self.festival_id._cs_date(year)
            if day and day >= start:
                return day
        return None

    def _cs_first_day_to_run(self, today):
        """The first day whose participants are still to be selected: the day
        after the last run, a week back at most. Birthdays and anniversaries
        start on the approval day: the days before it are not caught up."""
        self.ensure_one()
        first = today - timedelta(days=CATCH_UP_DAYS)
        if self.last_run_date:
            return max(first, self.last_run_date + timedelta(days=1))
        if self.kind in PER_CUSTOMER_KINDS and self.approved_date:
            approved = fields.Date.context_today(
                self.with_context(tz=self._cs_tz()), self.approved_date
            )
            return max(first, approved)
        return first

    def _cs_materialise_due(self):
        """Select the participants of the days that have come since the last
        run, for approved and running campaigns; approved ones start running.

        Returns a Counter of the participants added per state.
        """
        counts = Counter()
        Participant = self.env["cs.care.participant"].sudo()
        for campaign in self.filtered(lambda c: c.state in ("approved", "running")):
            today = campaign._cs_today()
            first = campaign._cs_first_day_to_run(today)
            if first > today:
                continue
            started = False
            if campaign.kind in PER_CUSTOMER_KINDS:
                day = first
                while day <= today:
                    added = Participant._cs_materialise(campaign, day.year, day, True)
                    started = started or bool(added.total())
                    counts += added
                    day += timedelta(days=1)
            else:
                for occurrence, day in campaign._cs_fixed_days(first, today):
                    counts += Participant._cs_materialise(campaign, occurrence, day)
                    started = True
            campaign.last_run_date = today
            if started and campaign.state == "approved":
                campaign.state = "running"
        return counts

    def _cs_close_finished(self):
        """Once campaigns without an event are done when none of their
        participants is left to contact."""
        candidates = self.filtered(
            lambda c: (
                c.state == "running"
                and c.recurrence == "once"
                and not c.event_id
                and c.last_run_date
                and c._cs_fixed_days(date.min, c.last_run_date)
            )
        )
        if not candidates:
            return
        waiting = {
            campaign.id
            for [campaign] in self.env["cs.care.participant"]
            .sudo()
            ._read_group(
                [("campaign_id", "in", candidates.ids), ("state", "=", "queued")],
                ["campaign_id"],
            )
        }
        candidates.filtered(lambda c: c.id not in waiting).state = "done"

import os

from dateutil.relativedelta import relativedelta

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL

from .constants import APPRAISAL_PERIOD_KINDS

MONTHLY_REPORT_BATCH_SIZE = 10


class ResCompany(models.Model):
    _name = "res.company"
    _inherit = ["res.company", "cs.batch.job.mixin"]
    # what _cs_report_due_sql reads
    _batch_flush_fields = {
        "res.company": ["active", "cs_report_last_month", "cs_report_recipient_ids"]
    }
    # each company renders a PDF: after a failure, rendering the others of
    # the batch again would cost minutes
    _batch_isolation = "record"

    cs_default_sla_policy_id = fields.Many2one(
        "cs.sla.policy",
        string="Default Deadline Policy",
        help="Applies to complaints that no more specific policy matches.",
    )
    cs_default_calendar_id = fields.Many2one(
        "resource.calendar",
        string="Default Complaint Calendar",
        help="Working days and holidays for teams without a calendar of their own.",
    )
    cs_holiday_month = fields.Selection(
        [("10", "October"), ("11", "November"), ("12", "December")],
        string="Next Year's Holidays From",
        default="11",
        required=True,
        help="Month from which next year's public holidays are added to the "
        "calendars in use, for an admin to check against the official schedule.",
    )
    cs_warning_threshold = fields.Float(
        string="Deadline Warning Threshold (%)",
        default=75.0,
        help="Share of the allowed time after which a complaint is at risk, "
        "unless its deadline policy sets its own threshold.",
    )
    cs_repeat_window_days = fields.Integer(
        string="Repeat Complaint Window (days)",
        default=30,
        help="A complaint from the same customer in the same category within "
        "this many days of an earlier one is flagged as a repeat.",
    )
    cs_intake_team_id = fields.Many2one(
        "cs.team",
        string="Default Intake Team",
        check_company=True,
        help="Receives the complaints that arrive without a team: imports, "
        "scripts, mail and API intake.",
    )
    cs_received_max_age_years = fields.Integer(
        string="Oldest Received Date (years)",
        default=6,
        help="A complaint received longer ago than this is refused, unless a "
        "customer-service manager backdates it.",
    )
    cs_close_requires_analysis = fields.Boolean(
        string="Closing Requires Root Cause and Actions",
        default=True,
        help="Block closing a complaint until its root cause is set and every "
        "corrective or preventive action is done.",
    )
    cs_escalation_enabled = fields.Boolean(
        string="Escalate Deadlines",
        default=True,
        help="Notify handler, supervisor and manager with activities and mail "
        "when a complaint is at risk or breaches its deadline.",
    )
    cs_manager_escalation_hours = fields.Integer(
        string="Escalate to Manager After (hours)",
        default=24,
        help="Hours a deadline may stay breached before the team's manager is "
        "notified.",
    )
    cs_department_buffer_days = fields.Integer(
        string="Department Answer Buffer (working days)",
        default=3,
        help="An action for another department is due this many working days "
        "of the team's calendar before the complaint's regulatory deadline, "
        "leaving the handler time to review the answer and reply.",
    )
    cs_key_customer_percent = fields.Float(
        string="Key Customers (%)",
        default=10.0,
        help="Share of the customers, by value score, flagged as key customers.",
    )
    cs_metrics_window_months = fields.Integer(
        string="Metrics Window (months)",
        default=12,
        help="Transactions of this many months count in the customer metrics.",
    )
    cs_followup_after_complaint = fields.Boolean(
        string="Follow Up Resolved Complaints",
        default=True,
        help="Plan a follow-up with the customer after each resolved complaint.",
    )
    cs_followup_after_complaint_days = fields.Integer(
        string="Follow Up After (days)",
        default=7,
        help="Days between a complaint's resolution and its follow-up.",
    )
    cs_rating_enabled = fields.Boolean(
        string="Ask for Customer Ratings",
        default=True,
        help="Mail customers a rating request when their complaint enters a "
        "stage with a rating template and when a follow-up with them is done.",
    )
    cs_nps_quiet_days = fields.Integer(
        string="NPS Quiet Period (days)",
        default=90,
        help="A customer asked for an NPS score is not asked again, by any "
        "survey, within this many days.",
    )
    cs_report_recipient_ids = fields.Many2many(
        "res.partner",
        "res_company_cs_report_recipient_rel",
        "company_id",
        "partner_id",
        string="Monthly Report Recipients",
        help="Mailed the customer-service report of the previous month at the "
        "start of each month.",
    )
    cs_report_last_month = fields.Date(
        string="Last Monthly Report Sent",
        readonly=True,
        copy=False,
        help="First day of the last month whose report was mailed; a month "
        "is mailed once.",
    )

    cs_qa_sample_size = fields.Integer(
        string="Quality Review Sample Size",
        default=3,
        help="Complaints closed last month drawn each month, per handler, for "
        "a quality review; 0 samples none.",
    )
    cs_qa_reviewer_id = fields.Many2one(
        "res.users",
        string="Fallback Quality Reviewer",
        domain="[('share', '=', False)]",
        help="Reviews the sampled complaints of teams without a supervisor, and "
        "those the supervisor handled.",
    )
    cs_care_budget_threshold = fields.Monetary(
        string="Care Budget Needing Approval",
        currency_field="currency_id",
        default=10000.0,
        help="A care campaign whose budget, or expected cost, is above this "
        "amount is approved by a customer-service manager.",
    )
    cs_care_contact_limit = fields.Integer(
        string="Care Contacts per Customer",
        default=3,
        help="At most this many care contacts reach a customer in the contact "
        "window, across all campaigns; 0 sets no limit.",
    )
    cs_care_contact_window_days = fields.Integer(
        string="Care Contact Window",
        default=30,
        help="Days over which the care contacts of a customer are counted.",
    )
    cs_care_birthday_exempt = fields.Boolean(
        string="Birthday Greetings Outside the Contact Budget",
        default=True,
        help="Birthday greetings are neither counted in nor refused by the "
        "contact budget.",
    )
    cs_care_quiet_open_complaint = fields.Boolean(
        string="Quiet Period During Open Complaints",
        default=True,
        help="Customers with an open complaint get no care greeting until it "
        "is resolved.",
    )
    cs_care_send_hour_from = fields.Float(
        string="Sending Window From",
        default=9.0,
        help="Care mails go out from this hour, in the customer's time zone.",
    )
    cs_care_send_hour_to = fields.Float(
        string="Sending Window To",
        default=20.0,
        help="Care mails go out until this hour, in the customer's time zone.",
    )
    cs_care_effect_days = fields.Integer(
        string="Care Effect Window",
        default=90,
        help="Days after a campaign over which the survey answers and "
        "complaints of participants and other customers are compared.",
    )
    cs_training_qa_threshold = fields.Float(
        string="Training QA Threshold (%)",
        default=60.0,
        help="A reviewed criterion scored below this share of its maximum "
        "proposes the criterion's courses to the agent.",
    )
    cs_training_window_days = fields.Integer(
        string="Training Proposal Window",
        default=90,
        help="Days of quality reviews and complaints behind training proposals.",
    )
    cs_training_breach_rate = fields.Float(
        string="Training Breach Rate (%)",
        default=20.0,
        help="A team's complaints of a category breaching their deadline at "
        "this rate or more propose the category's courses to the team.",
    )
    cs_training_reopen_rate = fields.Float(
        string="Training Reopen Rate (%)",
        default=15.0,
        help="A team's complaints of a category reopened at this rate or more "
        "propose the category's courses to the team.",
    )
    cs_training_min_complaints = fields.Integer(
        string="Training Minimum Complaints",
        default=5,
        help="Complaints of a category a team needs in the window before its "
        "rates propose a course.",
    )
    cs_training_effect_days = fields.Integer(
        string="Training Effect Window",
        default=90,
        help="Days before and after a session over which attendees' QA "
        "scores, CSAT and reopen rate are compared.",
    )
    cs_appraisal_period_kind = fields.Selection(
        APPRAISAL_PERIOD_KINDS,
        string="Appraisal Period",
        default="quarterly",
        required=True,
        help="How often agents are appraised: the scheduled action creates "
        "the periods ahead and, as each starts, an appraisal per team member.",
    )
    cs_appraisal_outlier_points = fields.Float(
        string="Calibration Tolerance",
        default=10.0,
        help="Calibration highlights a team's band share that differs from "
        "the band's target share by more than these percentage points.",
    )
    cs_api_batch_limit = fields.Integer(
        string="API Batch Limit",
        default=100,
        help="Most complaints one call of the complaint API may create.",
    )
    cs_api_text_limit = fields.Integer(
        string="API Text Limit",
        default=10000,
        help="Most characters of a complaint's subject or description sent "
        "through the complaint API.",
    )
    cs_portal_max_attachment_mb = fields.Float(
        string="Portal Attachment Size Limit (MB)",
        default=10.0,
        help="Largest file a customer may attach to a complaint in the portal.",
    )
    cs_portal_allowed_extensions = fields.Char(
        string="Portal Attachment Types",
        default="pdf,jpg,jpeg,png,txt,doc,docx",
        help="File extensions customers may attach in the portal, comma-separated.",
    )
    cs_portal_hide_handler = fields.Boolean(
        string="Hide Handler in Portal",
        help="Customers do not see the name of the employee handling their complaint.",
    )

    @api.constrains(
        "cs_warning_threshold",
        "cs_repeat_window_days",
        "cs_manager_escalation_hours",
        "cs_key_customer_percent",
        "cs_metrics_window_months",
        "cs_followup_after_complaint_days",
        "cs_nps_quiet_days",
        "cs_qa_sample_size",
        "cs_received_max_age_years",
        "cs_care_budget_threshold",
        "cs_care_contact_limit",
        "cs_care_contact_window_days",
        "cs_care_send_hour_from",
        "cs_care_send_hour_to",
        "cs_care_effect_days",
    )
    def _check_cs_settings(self):
        for company in self:
            if not 0 <= company.cs_warning_threshold <= 100:
                raise ValidationError(
                    _("The deadline warning threshold must be between 0 and 100%.")
                )
            if company.cs_repeat_window_days < 0:
                raise ValidationError(
                    _("The repeat complaint window cannot be negative.")
                )
            if company.cs_manager_escalation_hours < 0:
                raise ValidationError(
                    _("The manager escalation delay cannot be negative.")
                )
            if not 0 <= company.cs_key_customer_percent <= 100:
                raise ValidationError(
                    _("The share of key customers must be between 0 and 100%.")
                )
            if company.cs_metrics_window_months <= 0:
                raise ValidationError(
                    _("The metrics window must be at least one month.")
                )
            if company.cs_followup_after_complaint_days < 0:
                raise ValidationError(_("The follow-up delay cannot be negative."))
            if company.cs_nps_quiet_days < 0:
                raise ValidationError(_("The NPS quiet period cannot be negative."))
            if company.cs_qa_sample_size < 0:
                raise ValidationError(
                    _("The quality review sample size cannot be negative.")
                )
            if company.cs_received_max_age_years < 1:
                raise ValidationError(
                    _("The oldest received date must be at least one year back.")
                )
            if company.cs_care_budget_threshold < 0:
                raise ValidationError(
                    _("The care budget needing approval cannot be negative.")
                )
            if company.cs_care_contact_limit < 0:
                raise ValidationError(
                    _("The care contacts per customer cannot be negative.")
                )
            if company.cs_care_contact_window_days < 1:
                raise ValidationError(
                    _("The care contact window must be at least one day.")
                )
            if not (
                0 <= company.cs_care_send_hour_from < company.cs_care_send_hour_to <= 24
            ):
                raise ValidationError(
                    _(
                        "The care sending window must start before it ends, "
                        "between 00:00 and 24:00."
                    )
                )
            if company.cs_care_effect_days < 1:
                raise ValidationError(
                    _("The care effect window must be at least one day.")
                )

    @api.constrains("cs_department_buffer_days")
    def _check_cs_department_buffer_days(self):
        if any(company.cs_department_buffer_days < 0 for company in self):
            raise ValidationError(_("The department answer buffer cannot be negative."))

    @api.constrains(
        "cs_training_qa_threshold",
        "cs_training_window_days",
        "cs_training_breach_rate",
        "cs_training_reopen_rate",
        "cs_training_min_complaints",
        "cs_training_effect_days",
    )
    def _check_cs_training_settings(self):
        for company in self:
            rates = (
                company.cs_training_qa_threshold,
                company.cs_training_breach_rate,
                company.cs_training_reopen_rate,
            )
            if not all(0 <= rate <= 100 for rate in rates):
                raise ValidationError(
                    self.env._(
                        "The training QA threshold, breach rate and reopen rate "
                        "must be between 0 and 100%."
                    )
                )
            if (
                company.cs_training_window_days < 1
                or company.cs_training_effect_days < 1
            ):
                raise ValidationError(
                    self.env._(
                        "The training proposal and effect windows must be at "
                        "least one day."
                    )
                )
            if company.cs_training_min_complaints < 1:
                raise ValidationError(
                    self.env._(
                        "The minimum complaints behind a training proposal must "
                        "be at least one."
                    )
                )

    @api.constrains("cs_api_batch_limit", "cs_api_text_limit")
    def _check_cs_api_limits(self):
        for company in self:
            if company.cs_api_batch_limit < 1 or company.cs_api_text_limit < 1:
                raise ValidationError(
                    self.env._("The complaint API limits must be at least 1.")
                )

    @api.constrains("cs_portal_max_attachment_mb")
    def _check_cs_portal_max_attachment_mb(self):
        for company in self:
            if company.cs_portal_max_attachment_mb <= 0:
                raise ValidationError(
                    self.env._("The portal attachment size limit must be positive.")
                )

    @api.constrains("cs_intake_team_id")
    def _check_cs_intake_team(self):
        for company in self:
            team = company.cs_intake_team_id
            if team and team.company_id != company:
                raise ValidationError(
                    _(
                        "The default intake team of %(company)s must be one of "
                        "its own teams.",
                        company=company.name,
                    )
                )

    # ------------------------------------------------------------------
    # monthly report
    # ------------------------------------------------------------------

    @api.model
    def _cron_send_cs_monthly_report(self, batch_size=MONTHLY_REPORT_BATCH_SIZE):
        """Mail last month's customer-service report to each company's recipients.

        Companies are locked a batch at a time (SKIP LOCKED: a second worker
        takes others) and marked sent in the savepoint of their mail,
        so a rerun sends nothing. A company whose report fails is logged and
        left for the next run while the others go on. ``ir.cron`` calls again
        while ``_notify_progress`` reports more.
        """
        month = fields.Date.context_today(self).replace(day=1) - relativedelta(months=1)
        return self._run_batch_job(batch_size, month=month)

    @api.model
    def _cs_report_due_sql(self, month):
        return SQL(
            """
            SELECT c.id
              FROM res_company c
             WHERE c.active
               AND (c.cs_report_last_month IS NULL
                    OR c.cs_report_last_month < %(month)s)
               AND EXISTS (SELECT 1
                             FROM res_company_cs_report_recipient_rel r
                            WHERE r.company_id = c.id)
            """,
            month=month,
        )

    @api.model
    def _batch_claim(self, limit, month):
        """Lock up to ``limit`` companies still due for ``month``'s report."""
        return self.browse(
            row[0]
            for row in self._batch_fetch(
                self._batch_lock_sql(
                    self._cs_report_due_sql(month), limit, order=SQL("c.id")
                )
            )
        )

    @api.model
    def _batch_process(self, companies, month):
        for company in companies:
            company._send_cs_monthly_report(month)
        return companies

    @api.model
    def _batch_remaining(self, month):
        return self._batch_count(self._cs_report_due_sql(month))

    def _send_cs_monthly_report(self, month):
        """Mail the report of ``month`` to the recipients, as a PDF attachment.

        The mail template (editable by admins) attaches the report of the
        company's last reported month, which is ``month`` from now on.
        """
        self.ensure_one()
        self.cs_report_last_month = month
        self.env.ref(
            "customer_service_bank.mail_template_cs_monthly_report"
        ).with_context(tz=self.partner_id.tz or self.env.user.tz or "UTC").send_mail(
            self.id
        )

    def _cs_portal_extensions(self):
        """The allowed extensions, lower case and without dots."""
        self.ensure_one()
        return {
            ext.strip().lstrip(".").lower()
            for ext in (self.cs_portal_allowed_extensions or "").split(",")
            if ext.strip()
        }

    def _cs_portal_upload_refusal(self, filename, size):
        """Why a customer's file of ``size`` bytes is refused, or False."""
        self.ensure_one()
        allowed = self._cs_portal_extensions()
        extension = os.path.splitext(filename or "")[1].lstrip(".").lower()
        if extension not in allowed:
            return self.env._(
                "%(file)s: files of this type are not accepted; send one of: "
                "%(types)s.",
                file=filename,
                types=", ".join(sorted(allowed)),
            )
        if size > self.cs_portal_max_attachment_mb * 1024 * 1024:
            return self.env._(
                "%(file)s is larger than %(size)s MB.",
                file=filename,
                size=self.cs_portal_max_attachment_mb,
            )
        return False

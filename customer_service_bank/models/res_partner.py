from odoo import Command, _, api, fields, models
from odoo.exceptions import UserError, ValidationError

from .constants import CHANNELS, CUSTOMER_TYPES
from .cs_customer_consent import (
    DO_NOT_CONTACT_PURPOSES,
)

# customer flags kept in line with the consent ledger
CONSENT_FLAGS = ("cs_marketing_consent", "cs_do_not_contact")
# counter field <- model counted on the customer form
COUNTED = [
    ("cs_holding_count", "cs.product.holding"),
    ("cs_transaction_count", "cs.customer.transaction"),
    ("cs_complaint_total", "cs.complaint"),
    ("cs_followup_count", "cs.followup"),
    ("cs_service_plan_count", "cs.service.plan"),
    ("cs_segment_history_count", "cs.segment.history"),
]


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
    cs_customer_since = fields.Date(
        string="Customer Since",
        help="The day the customer number was opened: customer anniversaries "
        "count the years from it.",
    )
    cs_deceased = fields.Boolean(
        string="Deceased",
        tracking=True,
        help="The customer has died: the bank sends no care or survey to them.",
    )
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
        help="The customer agreed to receive marketing on all channels: "
        "kept in line with the consent ledger.",
    )
    cs_consent_ids = fields.One2many(
        "cs.customer.consent",
        "partner_id",
        string="Consent Ledger",
        groups="customer_service_bank.group_cs_agent",
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
    cs_metrics_ids = fields.One2many(
        "cs.customer.metrics", "partner_id", string="Metrics", readonly=True
    )
    cs_aum = fields.Monetary(
        related="cs_metrics_ids.aum",
        currency_field="cs_currency_id",
        groups="customer_service_bank.group_cs_supervisor",
    )
    cs_transaction_amount = fields.Monetary(
        related="cs_metrics_ids.transaction_amount",
        currency_field="cs_currency_id",
        groups="customer_service_bank.group_cs_supervisor",
    )
    cs_transaction_window_count = fields.Integer(
        related="cs_metrics_ids.transaction_count"
    )
    cs_last_transaction_date = fields.Date(
        related="cs_metrics_ids.last_transaction_date"
    )
    cs_recency_days = fields.Integer(related="cs_metrics_ids.recency_days")
    cs_digital_share = fields.Float(related="cs_metrics_ids.digital_share")
    cs_complaint_count = fields.Integer(related="cs_metrics_ids.complaint_count")
    cs_last_contact_date = fields.Date(related="cs_metrics_ids.last_contact_date")
    cs_recency_score = fields.Integer(related="cs_metrics_ids.recency_score")
    cs_frequency_score = fields.Integer(related="cs_metrics_ids.frequency_score")
    cs_monetary_score = fields.Integer(related="cs_metrics_ids.monetary_score")
    cs_value_score = fields.Float(related="cs_metrics_ids.value_score")
    cs_is_key_customer = fields.Boolean(related="cs_metrics_ids.is_key")
    cs_metrics_date = fields.Datetime(related="cs_metrics_ids.date")
    # segments
    cs_computed_segment_id = fields.Many2one(
        related="cs_metrics_ids.computed_segment_id",
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
        related="cs_metrics_ids.segment_id",
        groups="customer_service_bank.group_cs_agent",
    )
    cs_segment_tag_ids = fields.Many2many(
        related="cs_metrics_ids.tag_ids",
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

    @api.model_create_multi
    def create(self, vals_list):
        partners = super().create(vals_list)
        # a customer's metrics row comes with it: the recomputation then
        # only updates rows
        with_metrics = partners.sudo().filtered(
            lambda partner: partner.cs_customer_number or partner.cs_segment_override_id
        )
        if with_metrics:
            self.env["cs.customer.metrics"].sudo()._ensure_rows(with_metrics)
        if not self.env.context.get("cs_consent_no_ledger"):
            partners._cs_record_flag_consents(
                [(partners.filtered(flag), flag, True) for flag in CONSENT_FLAGS]
            )
        return partners

    def write(self, vals):
        changes = self._cs_flag_changes(vals)
        if "cs_segment_override_id" in vals:
            result = self._cs_write_segment_override(vals)
        else:
            result = super().write(vals)
            if vals.get("cs_customer_number"):
                self.env["cs.customer.metrics"].sudo()._ensure_rows(self)
        self._cs_record_flag_consents(changes)
        return result

    def _cs_write_segment_override(self, vals):
        if not vals["cs_segment_override_id"]:
            vals.setdefault("cs_segment_override_reason", False)
        before = {partner: partner.cs_segment_id for partner in self}
        result = super().write(vals)
        # the tier lives on the metrics row: a customer never computed yet
        # gets one now, so that the override takes effect at once
        Metrics = self.env["cs.customer.metrics"].sudo()
        Metrics._ensure_rows(self)
        Metrics._stage_overrides(self)
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

    def _cs_flag_changes(self, vals):
        """[(customers, flag, new value)] of the consent flags ``vals`` change
        on these customers; none when the ledger itself writes the flags."""
        if self.env.context.get("cs_consent_no_ledger"):
            return []
        return [
            (
                self.filtered(lambda partner, f=flag: partner[f] != bool(vals[f])),
                flag,
                bool(vals[flag]),
            )
            for flag in CONSENT_FLAGS
            if flag in vals
        ]

    def _cs_record_flag_consents(self, changes):
        """Record in the consent ledger, in one go, the flag ``changes`` of
        ``_cs_flag_changes``.

        Marketing consent grants or withdraws marketing on all channels.
        Do-not-contact withdraws every purpose but service replies on all
        channels, which also clears the marketing consent; lifting it grants
        care, events and surveys again, the customer no longer objecting to
        them, while marketing waits for an explicit consent.
        """
        entries = []
        for partners, flag, value in changes:
            if flag == "cs_marketing_consent":
                purposes = ["marketing"]
                state = "granted" if value else "withdrawn"
                note = (
                    self.env._("Marketing consent ticked on the customer.")
                    if value
                    else self.env._("Marketing consent unticked on the customer.")
                )
            else:
                purposes = [
                    purpose
                    for purpose in DO_NOT_CONTACT_PURPOSES
                    if value or purpose != "marketing"
                ]
                state = "withdrawn" if value else "granted"
                note = (
                    self.env._("Do not contact set on the customer.")
                    if value
                    else self.env._("Do not contact lifted on the customer.")
                )
            entries += [
                {
                    "partner_id": partner.id,
                    "purpose": purpose,
                    "channel": "all",
                    "state": state,
                    "source_channel": "customer_flag",
                    "note": note,
                }
                for partner in partners
                for purpose in purposes
            ]
        if entries:
            # whoever may write the flag records its consequence
            self.env["cs.customer.consent"].sudo().create(entries)

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
        self.env["cs.customer.metrics"].sudo()._recompute(customers.ids)

    @api.model
    def _cs_find_intake_customer(self, company, email=False, phone=False):
        """The contact a complaint arriving by mail or chat belongs to: the
        bank customer (else the oldest contact) of ``company`` or shared,
        with this normalized ``email``, else with this ``phone``."""
        Partner = self.sudo()
        company_domain = [("company_id", "in", [company.id, False])]
        partner = Partner.browse()
        if email:
            partner = Partner.search(
                [("email_normalized", "=", email), *company_domain],
                order="cs_customer_number, id",
                limit=1,
            )
        if not partner and phone:
            partner = Partner.search(
                ["|", ("phone", "=", phone), ("mobile", "=", phone), *company_domain],
                order="cs_customer_number, id",
                limit=1,
            )
        return partner

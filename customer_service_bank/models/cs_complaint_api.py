from datetime import datetime, timezone

from psycopg2 import errors

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, mute_logger, plaintext2html

from .constants import CHANNELS
from .cs_complaint import FUTURE_TOLERANCE

# item field -> Python type the API accepts for it
API_FIELD_TYPES = {
    "external_ref": str,
    "customer_number": str,
    "subject": str,
    "description": str,
    "category_code": str,
    "channel": str,
    "received_date": str,
}
API_REQUIRED_FIELDS = ("external_ref", "subject", "channel")
# a real serialization failure (its pgcode set), which Odoo retries
CONCURRENT_CREATE_SQL = """
    DO $$ BEGIN RAISE EXCEPTION USING
        ERRCODE = 'serialization_failure',
        MESSAGE = 'a complaint of this external_ref was created concurrently';
    END $$
"""


class CsApiError(Exception):
    """An error the complaint API returns to its caller as an object."""

    def __init__(self, code, message, field=None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field

    def to_dict(self, **extra):
        error = {"code": self.code, "message": self.message, **extra}
        if self.field:
            error["field"] = self.field
        return error


class CsComplaintApi(models.Model):
    """Complaints handed over by other systems through the JSON API
    (controllers/api.py), idempotent by the caller's reference."""

    # one concern a file, by design: see the docstring of cs_complaint.py
    _inherit = "cs.complaint"  # pylint: disable=consider-merging-classes-inherited

    external_ref = fields.Char(
        string="External Reference",
        copy=False,
        readonly=True,
        help="Reference of the complaint in the system that handed it over "
        "through the API; a retry with it returns the same complaint.",
    )

    _sql_constraints = [
        (
            "external_ref_company_uniq",
            "unique(company_id, external_ref)",
            "A complaint with this external reference already exists.",
        ),
    ]

    @api.model
    def _cs_api_create(self, items):
        """Create the complaints ``items`` (dicts) as the API user, once each.

        Returns one result per item, in order: the complaint's state, with
        ``created`` telling whether this call created it, or an ``error``.
        An item whose ``external_ref`` exists, or repeats one of the call,
        returns that complaint. Valid items are created in one batch; if a
        concurrent call created one of them meanwhile, they are created one
        by one, each in a savepoint, so each ends created once or found
        (the duplicate key is expected then, so not logged as a bad query).
        """
        self.check_access("create")
        company = self.env.company
        results = [None] * len(items)
        vals_by_ref = {}
        for index, item in enumerate(items):
            try:
                vals = self._cs_api_vals(item, company)
            except CsApiError as error:
                results[index] = {"index": index, "error": error.to_dict(index=index)}
                continue
            vals_by_ref.setdefault(vals["external_ref"], (vals, []))[1].append(index)
        existing = self._cs_api_find(list(vals_by_ref), company)
        new_vals = [
            vals for ref, (vals, _indexes) in vals_by_ref.items() if ref not in existing
        ]
        created, failed = self.browse(), {}
        if new_vals:
            try:
                with self.env.cr.savepoint(), mute_logger("odoo.sql_db"):
                    created = self._cs_api_creator().create(new_vals).sudo(False)
            except (errors.UniqueViolation, UserError):
                created, failed = self._cs_api_create_one_by_one(new_vals, company)
                existing.update(self._cs_api_find(list(vals_by_ref), company))
        complaints = dict(existing, **{c.external_ref: c for c in created})
        for ref, (_vals, indexes) in vals_by_ref.items():
            for rank, index in enumerate(indexes):
                if ref in failed:
                    results[index] = {
                        "index": index,
                        "error": dict(failed[ref], index=index),
                    }
                    continue
                complaint = complaints[ref]
                results[index] = dict(
                    complaint._cs_api_status(),
                    index=index,
                    created=complaint in created and rank == 0,
                )
        return results

    @api.model
    def _cs_api_creator(self):
        """The model creating as the API user, who does not follow the
        complaints: a system account has no use for their notifications."""
        return self.sudo().with_context(mail_create_nosubscribe=True)

    @api.model
    def _cs_api_create_one_by_one(self, vals_list, company):
        """Create ``vals_list`` each in a savepoint: the complaints created,
        and the errors of the refused ones by reference."""
        created, failed = self.browse(), {}
        for vals in vals_list:
            ref = vals["external_ref"]
            try:
                with self.env.cr.savepoint(), mute_logger("odoo.sql_db"):
                    created |= self._cs_api_creator().create([vals]).sudo(False)
            except errors.UniqueViolation:
                if not self._cs_api_find([ref], company):
                    self._cs_api_retry_request()
            except UserError as exc:
                failed[ref] = {"code": "invalid", "message": exc.args[0]}
        return created, failed

    @api.model
    def _cs_api_retry_request(self):
        """Raise a serialization failure, so Odoo retries the whole request.

        A complaint of the external_ref was committed after this transaction
        began, so it is invisible here (repeatable read); the retry sees it.
        """
        with mute_logger("odoo.sql_db"):
            self.env.cr.execute(SQL(CONCURRENT_CREATE_SQL))

    @api.model
    def _cs_api_find(self, refs, company):
        """The complaints of ``refs`` in ``company``, by reference."""
        if not refs:
            return {}
        complaints = (
            self.with_context(active_test=False)
            .sudo()
            .search([("company_id", "=", company.id), ("external_ref", "in", refs)])
        )
        return {c.external_ref: c.sudo(False) for c in complaints}

    @api.model
    def _cs_api_status_by_ref(self, external_ref):
        if not isinstance(external_ref, str) or not external_ref.strip():
            raise CsApiError(
                "missing_field",
                self.env._("The external reference is missing."),
                "external_ref",
            )
        complaint = self._cs_api_find([external_ref.strip()], self.env.company).get(
            external_ref.strip()
        )
        if not complaint:
            raise CsApiError(
                "not_found",
                self.env._(
                    "No complaint has the external reference %(ref)s.",
                    ref=external_ref,
                ),
                "external_ref",
            )
        return complaint._cs_api_status()

    def _cs_api_status(self):
        self.ensure_one()
        complaint = self.sudo()
        return {
            "external_ref": complaint.external_ref,
            "reference": complaint.name,
            "status": complaint.stage_id.name,
            "stage_kind": complaint.stage_kind,
            "received_date": fields.Datetime.to_string(complaint.received_date),
            "ack_deadline": fields.Datetime.to_string(complaint.ack_deadline) or None,
            "resolve_deadline": fields.Datetime.to_string(complaint.resolve_deadline)
            or None,
            "deadline_status": complaint.deadline_status,
        }

    @api.model
    def _cs_api_vals(self, item, company):
        """The values of a new complaint from the API item ``item``, or the
        first CsApiError it has."""
        _ = self.env._
        if not isinstance(item, dict):
            raise CsApiError("wrong_type", _("Each complaint must be an object."))
        for name, kind in API_FIELD_TYPES.items():
            value = item.get(name)
            if value is not None and not isinstance(value, kind):
                raise CsApiError(
                    "wrong_type",
                    _("%(field)s must be a text.", field=name),
                    name,
                )
        if not (item.get("customer_number") or "").strip():
            raise CsApiError(
                "customer_missing",
                _("The customer number is missing."),
                "customer_number",
            )
        for name in API_REQUIRED_FIELDS:
            if not (item.get(name) or "").strip():
                raise CsApiError(
                    "missing_field", _("%(field)s is missing.", field=name), name
                )
        limit = company.cs_api_text_limit
        for name in ("subject", "description"):
            if len(item.get(name) or "") > limit:
                raise CsApiError(
                    "text_too_long",
                    _(
                        "%(field)s is longer than %(limit)s characters.",
                        field=name,
                        limit=limit,
                    ),
                    name,
                )
        customer = self._cs_api_customer(item["customer_number"].strip(), company)
        channel = item["channel"].strip()
        if channel not in dict(CHANNELS):
            raise CsApiError(
                "channel_unknown",
                _(
                    "The channel code %(code)s is unknown; known codes: %(codes)s.",
                    code=channel,
                    codes=", ".join(dict(CHANNELS)),
                ),
                "channel",
            )
        vals = {
            "external_ref": item["external_ref"].strip(),
            "company_id": company.id,
            "partner_id": customer.id,
            "subject": item["subject"].strip(),
            "channel": channel,
        }
        if item.get("description"):
            vals["description"] = plaintext2html(item["description"])
        if item.get("category_code"):
            vals["category_id"] = self._cs_api_category(
                item["category_code"].strip(), company
            ).id
        if item.get("received_date"):
            vals["received_date"] = self._cs_api_date(item["received_date"])
        return vals

    @api.model
    def _cs_api_customer(self, number, company):
        customer = self.env["res.partner"].search(
            [
                ("cs_customer_number", "=", number),
                ("company_id", "in", [company.id, False]),
            ],
            limit=1,
        )
        if not customer:
            raise CsApiError(
                "customer_unknown",
                self.env._("No customer has the number %(number)s.", number=number),
                "customer_number",
            )
        return customer

    @api.model
    def _cs_api_category(self, code, company):
        category = self.env["cs.complaint.category"].search(
            [("code", "=", code), ("company_id", "in", [company.id, False])],
            limit=1,
        )
        if not category:
            raise CsApiError(
                "category_unknown",
                self.env._("The category code %(code)s is unknown.", code=code),
                "category_code",
            )
        return category

    @api.model
    def _cs_api_date(self, value):
        """A received date in ISO 8601 (UTC unless it has an offset)."""
        try:
            date = datetime.fromisoformat(value.strip())
        except ValueError:
            raise CsApiError(
                "wrong_type",
                self.env._(
                    "received_date must be a date and time in ISO 8601, "
                    "e.g. 2026-12-01T09:30:00Z."
                ),
                "received_date",
            ) from None
        if date.tzinfo:
            date = date.astimezone(timezone.utc).replace(tzinfo=None)
        if date > fields.Datetime.now() + FUTURE_TOLERANCE:
            raise CsApiError(
                "received_date_future",
                self.env._("The received date cannot be in the future."),
                "received_date",
            )
        return date

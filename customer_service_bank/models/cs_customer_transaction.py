import math
from datetime import date

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL, create_index

from .constants import CHANNELS, TRANSACTION_TYPES

# Amounts at or above this are rejected as absurd (data errors in the feed).
ABSURD_AMOUNT = 10**12


class CsCustomerTransaction(models.Model):
    """A customer's transaction as booked in core banking.

    Transactions are a ledger: core banking sends them, in batches through
    :meth:`import_batch` or through the standard import, and corrects them
    with new transactions; nobody edits or deletes them here. Amounts are
    positive, the type gives the direction. Sensitive: agents only see the
    transactions of the customers they manage.
    """

    _name = "cs.customer.transaction"
    _description = "Customer Transaction"
    _order = "date desc, id desc"
    _rec_name = "reference"
    _check_company_auto = True

    # no index of its own: the (partner_id, date) index below serves it
    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        ondelete="restrict",
        check_company=True,
    )
    product_id = fields.Many2one(
        "cs.product", index="btree_not_null", ondelete="restrict", check_company=True
    )
    date = fields.Date(required=True, index=True)
    transaction_type = fields.Selection(TRANSACTION_TYPES, string="Type", required=True)
    channel = fields.Selection(CHANNELS)
    amount = fields.Monetary(required=True)
    currency_id = fields.Many2one("res.currency", required=True)
    reference = fields.Char(
        required=True,
        help="Reference of the transaction in core banking, unique per company; "
        "a batch sent again skips the references already imported.",
    )
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )

    _sql_constraints = [
        (
            "reference_company_uniq",
            "unique(reference, company_id)",
            "Transaction references must be unique per company.",
        ),
        (
            "amount_range",
            f"CHECK(amount > 0 AND amount < {ABSURD_AMOUNT})",
            "Transaction amounts must be positive and below 10^12.",
        ),
    ]

    def _auto_init(self):
        res = super()._auto_init()
        create_index(
            self.env.cr,
            "cs_customer_transaction_partner_date_index",
            self._table,
            ["partner_id", "date DESC"],
        )
        return res

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        self._check_new_references(vals_list)
        return super().create(vals_list)

    @api.model
    def _check_new_references(self, vals_list):
        """Refuse references already used in their company, with one query.

        The unique constraint would refuse them too, with a database error
        naming columns; the standard import shows this message instead.
        """
        default_company = self.env.company.id
        keys = [
            (vals.get("reference"), vals.get("company_id") or default_company)
            for vals in vals_list
            if vals.get("reference")
        ]
        if not keys:
            return
        seen, clashes = set(), set()
        for key in keys:
            if key in seen:
                clashes.add(key)
            seen.add(key)
        self.flush_model(["reference", "company_id"])
        references, companies = zip(*keys, strict=True)
        self.env.cr.execute(
            SQL(
                "SELECT t.reference, t.company_id FROM cs_customer_transaction t"
                " JOIN unnest(%s::varchar[], %s::int[]) AS n(reference, company_id)"
                " USING (reference, company_id)",
                list(references),
                list(companies),
            )
        )
        clashes.update(self.env.cr.fetchall())
        if clashes:
            raise ValidationError(
                _(
                    "Transaction references must be unique per company; already "
                    "used: %(references)s.",
                    references=", ".join(sorted(ref for ref, _company in clashes)),
                )
            )

    # ------------------------------------------------------------------
    # batch import (JSON-RPC)
    # ------------------------------------------------------------------

    @api.model
    def import_batch(self, rows):
        """Import a batch of transactions from core banking; idempotent.

        Called through JSON-RPC, e.g. with ``execute_kw(db, uid, key,
        "cs.customer.transaction", "import_batch", [rows], {"context":
        {"allowed_company_ids": [company_id]}})``. The transactions belong to
        the current company (the first of ``allowed_company_ids``). The
        caller needs create access on transactions: a Supervisor or Manager
        of Customer Service, typically a dedicated integration user in the
        Supervisor group. Batches of up to 10,000 rows are recommended.

        ``rows`` is a list of dicts:

        * ``customer_number`` (str, required): the customer number of a
          customer of the company (or of a customer shared by companies);
        * ``product_code`` (str, optional): the code of a banking product;
        * ``date`` (str, required): ISO date, ``YYYY-MM-DD``;
        * ``type`` (str, required): deposit, withdrawal, payment, transfer,
          fee, interest, purchase or other;
        * ``channel`` (str, optional): branch, phone, online_banking,
          mobile_app, email, letter, regulator or social_media;
        * ``amount`` (number, required): positive and below 10^12, rounded
          to the currency's precision;
        * ``currency`` (str, required): active ISO 4217 code, e.g. ``CNY``;
        * ``reference`` (str, required): core banking's reference of the
          transaction, unique per company.

        A row whose reference is already imported is skipped (sending a
        batch again creates nothing twice); a bad row is reported and does
        not stop the others.

        :return: ``{"created": int, "duplicates": int, "errors": [{"row":
            index of the row in ``rows`` (from 0), "reference": str or None,
            "message": str}]}``
        """
        self.check_access("create")
        if not isinstance(rows, list):
            raise UserError(_("The batch must be a list of rows."))
        company = self.env.company
        rows = [row if isinstance(row, dict) else {} for row in rows]
        errors = []
        references = [self._import_text(row.get("reference")) for row in rows]
        existing = self._import_existing_references(references, company)
        customers = self._import_customers(rows, company)
        products = self._import_products(rows, company)
        currencies = self._import_currencies(rows)
        types = dict(TRANSACTION_TYPES)
        channels = dict(CHANNELS)
        seen = set()
        duplicates = 0
        good = []
        for index, (row, reference) in enumerate(zip(rows, references, strict=True)):
            if reference and reference in existing:
                duplicates += 1
                continue
            problems = []
            if not reference:
                problems.append(_("The reference is missing."))
            elif reference in seen:
                problems.append(_("The reference appears twice in the batch."))
            seen.add(reference)
            number = self._import_text(row.get("customer_number"))
            partner_id = customers.get(number)
            if not partner_id:
                problems.append(_("Unknown customer number %(number)s.", number=number))
            code = self._import_text(row.get("product_code"))
            product_id = products.get(code) if code else None
            if code and not product_id:
                problems.append(_("Unknown product code %(code)s.", code=code))
            day = self._import_date(row.get("date"))
            if not day:
                problems.append(
                    _(
                        "Invalid date %(date)r, expected YYYY-MM-DD.",
                        date=row.get("date"),
                    )
                )
            kind = row.get("type")
            if kind not in types:
                problems.append(_("Unknown transaction type %(type)r.", type=kind))
            channel = row.get("channel") or None
            if channel is not None and channel not in channels:
                problems.append(_("Unknown channel %(channel)r.", channel=channel))
            code = self._import_text(row.get("currency"))
            currency = currencies.get(code)
            if not currency:
                problems.append(_("Unknown currency %(currency)s.", currency=code))
            elif not currency.active:
                problems.append(
                    _("The currency %(currency)s is inactive.", currency=code)
                )
            amount = self._import_amount(row.get("amount"), currency)
            if amount is None:
                problems.append(
                    _(
                        "Invalid amount %(amount)r: a number is expected.",
                        amount=row.get("amount"),
                    )
                )
            elif not 0 < amount < ABSURD_AMOUNT:
                problems.append(
                    _(
                        "Invalid amount %(amount)s: it must be positive and below "
                        "10^12.",
                        amount=amount,
                    )
                )
            if problems:
                errors.append(
                    {
                        "row": index,
                        "reference": reference,
                        "message": " ".join(problems),
                    }
                )
                continue
            good.append(
                (
                    partner_id,
                    product_id,
                    day,
                    kind,
                    channel,
                    amount,
                    currency.id,
                    reference,
                )
            )
        created = self._import_insert(good, company) if good else 0
        return {
            "created": created,
            # rows a concurrent import inserted first count as duplicates too
            "duplicates": duplicates + len(good) - created,
            "errors": errors,
        }

    @api.model
    def _import_text(self, value):
        """A stripped string of ``value`` (str or int), or None."""
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str):
            return None
        return value.strip() or None

    @api.model
    def _import_date(self, value):
        if not isinstance(value, str):
            return None
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            return None

    @api.model
    def _import_amount(self, value, currency):
        """``value`` as a float rounded to ``currency``, or None if not a number."""
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            return None
        try:
            amount = float(value)
        except ValueError:
            return None
        if not math.isfinite(amount):
            return None
        return currency.round(amount) if currency else amount

    @api.model
    def _import_existing_references(self, references, company):
        """The references of ``references`` already imported in ``company``."""
        wanted = list({reference for reference in references if reference})
        if not wanted:
            return set()
        self.flush_model(["reference", "company_id"])
        self.env.cr.execute(
            SQL(
                "SELECT reference FROM cs_customer_transaction "
                "WHERE company_id = %s AND reference = ANY(%s)",
                company.id,
                wanted,
            )
        )
        return {reference for (reference,) in self.env.cr.fetchall()}

    @api.model
    def _import_customers(self, rows, company):
        """{customer number: partner id}, the company's customers first."""
        numbers = {self._import_text(row.get("customer_number")) for row in rows}
        numbers.discard(None)
        if not numbers:
            return {}
        partners = (
            self.env["res.partner"]
            .with_context(active_test=False)
            .search_fetch(
                [
                    ("cs_customer_number", "in", list(numbers)),
                    ("company_id", "in", [company.id, False]),
                ],
                ["cs_customer_number", "company_id"],
                order="company_id NULLS FIRST",
            )
        )
        # later (company-specific) partners override shared ones
        return {partner.cs_customer_number: partner.id for partner in partners}

    @api.model
    def _import_products(self, rows, company):
        """{product code: product id}, the company's products first."""
        codes = {self._import_text(row.get("product_code")) for row in rows}
        codes.discard(None)
        if not codes:
            return {}
        products = (
            self.env["cs.product"]
            .with_context(active_test=False)
            .search_fetch(
                [
                    ("code", "in", list(codes)),
                    ("company_id", "in", [company.id, False]),
                ],
                ["code", "company_id"],
                order="company_id NULLS FIRST",
            )
        )
        return {product.code: product.id for product in products}

    @api.model
    def _import_currencies(self, rows):
        """{ISO code: currency}, inactive currencies included."""
        codes = {self._import_text(row.get("currency")) for row in rows}
        codes.discard(None)
        if not codes:
            return {}
        currencies = (
            self.env["res.currency"]
            .with_context(active_test=False)
            .search_fetch([("name", "in", list(codes))], ["name", "active", "rounding"])
        )
        return {currency.name: currency for currency in currencies}

    @api.model
    def _import_insert(self, good, company):
        """Insert ``good`` rows with one statement; return how many were new."""
        columns = list(zip(*good, strict=True))
        now = fields.Datetime.now()
        self.env.cr.execute(
            SQL(
                """
            INSERT INTO cs_customer_transaction (
                partner_id, product_id, date, transaction_type, channel, amount,
                currency_id, reference, company_id,
                create_uid, create_date, write_uid, write_date)
            SELECT partner_id, product_id, date, transaction_type, channel, amount,
                   currency_id, reference, %(company)s,
                   %(uid)s, %(now)s, %(uid)s, %(now)s
              FROM unnest(
                   %(partners)s::int[], %(products)s::int[], %(dates)s::date[],
                   %(types)s::varchar[], %(channels)s::varchar[],
                   %(amounts)s::numeric[], %(currencies)s::int[],
                   %(references)s::varchar[]
              ) AS t(partner_id, product_id, date, transaction_type, channel, amount,
                     currency_id, reference)
            ON CONFLICT (reference, company_id) DO NOTHING
            RETURNING id
            """,
                company=company.id,
                uid=self.env.uid,
                now=now,
                partners=list(columns[0]),
                products=list(columns[1]),
                dates=list(columns[2]),
                types=list(columns[3]),
                channels=list(columns[4]),
                amounts=list(columns[5]),
                currencies=list(columns[6]),
                references=list(columns[7]),
            )
        )
        created = self.env.cr.rowcount
        self.env.invalidate_all()
        return created

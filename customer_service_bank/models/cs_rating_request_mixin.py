from odoo import _, api, fields, models
from odoo.tools import SQL


class CsRatingRequestMixin(models.AbstractModel):
    """Asks a record's customer, once, to rate it from a mail link."""

    _name = "cs.rating.request.mixin"
    _description = "Customer Service Rating Request"
    _inherit = ["rating.mixin"]

    # computed before the INSERT: a new record has no rating to look up
    rating_last_value = fields.Float(
        compute="_compute_rating_last_value", store=True, precompute=True
    )
    rating_request_date = fields.Datetime(
        string="Rating Requested",
        readonly=True,
        copy=False,
        help="When the customer was asked to rate it. A reopened complaint "
        "clears it, so that its next resolution asks again.",
    )

    def action_view_ratings(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": _("Customer Ratings"),
            "res_model": "rating.rating",
            "view_mode": "list,form",
            "domain": [
                ("res_model", "=", self._name),
                ("res_id", "=", self.id),
                ("consumed", "=", True),
            ],
        }

    def _send_rating_requests(self, template):
        """Mail ``template`` to the customers not asked yet about these records.

        Only in companies asking for ratings, to customers the contact policy
        lets the bank survey by email.
        """
        to_ask = self.filtered(
            lambda record: (
                record.company_id.cs_rating_enabled
                and not record.rating_request_date
                and record.partner_id
                and record.partner_id != self.env.user.partner_id
            )
        )
        reachable = to_ask.partner_id._cs_contactable("survey", "email")
        to_ask = to_ask.filtered(lambda record: record.partner_id in reachable)
        for record in to_ask:
            record.rating_send_request(
                template, lang=record.partner_id.lang, force_send=False
            )
        to_ask.rating_request_date = fields.Datetime.now()

    @api.model
    def _demo_backdate_ratings(self, rating_ids):
        """Demo data only: date demo ratings on the day the customer gave them.

        Ratings are charted by their last change, which the ORM stamps with
        the install time even when loading data; demo ratings give their
        answer's date as their creation date.
        """
        Rating = self.env["rating.rating"]
        Rating.flush_model()
        self.env.cr.execute(
            SQL(
                "UPDATE rating_rating SET write_date = create_date WHERE id = ANY(%s)",
                rating_ids,
            )
        )
        Rating.invalidate_model(["write_date"])

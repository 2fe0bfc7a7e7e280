from collections import defaultdict

from odoo import _, api, models
from odoo.exceptions import UserError, ValidationError


class CsComplaintIntake(models.Model):
    """Numbering and routing of new complaints, before they are created.

    Every new complaint gets the next reference of its company's sequence
    and, arriving without a team, the user's own team or its company's
    intake team, for a whole batch at a constant cost; then the lifecycle
    core (cs_complaint.py) creates them.
    """

    # one concern a file, by design: see the docstring of cs_complaint.py
    _inherit = "cs.complaint"  # pylint: disable=consider-merging-classes-inherited

    @api.model_create_multi
    def create(self, vals_list):
        self._assign_references(vals_list)
        self._assign_intake_teams(vals_list)
        return super().create(vals_list)

    @api.model
    def _assign_references(self, vals_list):
        """Give every new complaint without a reference the next one of its
        company's sequence (or of the sequence shared by all companies).

        The sequences are cached by company, and each reserves its numbers
        in one query, so batch imports keep a constant cost.
        """
        placeholder = _("New")
        unnamed = [
            vals
            for vals in vals_list
            if not vals.get("name") or vals["name"] == placeholder
        ]
        if not unnamed:
            return
        by_company = defaultdict(list)
        for vals in unnamed:
            by_company[vals.get("company_id") or self.env.company.id].append(vals)
        Sequence = self.env["ir.sequence"].sudo()
        sequences = Sequence.browse(
            Sequence._cs_complaint_sequence_ids(list(by_company))
        )
        for company_id, company_vals in by_company.items():
            sequence = (
                sequences.filtered(
                    lambda seq, company_id=company_id: seq.company_id.id == company_id
                )[:1]
                or sequences.filtered(lambda seq: not seq.company_id)[:1]
            )
            if not sequence:
                raise UserError(_("The complaint reference sequence is missing."))
            references = sequence._cs_next_references(len(company_vals))
            for vals, reference in zip(company_vals, references, strict=True):
                vals["name"] = reference

    @api.model
    def _assign_intake_teams(self, vals_list):
        """Give a team to every new complaint that arrives without one.

        Left out, the team defaults as in the form (the user's own team);
        otherwise, and for another company, it is the company's intake team
        from Settings. Without one the complaint is refused with the setting
        named, rather than a database error.
        """
        teamless = [vals for vals in vals_list if not vals.get("team_id")]
        if not teamless:
            return
        default_team_id = self.default_get(["team_id"]).get("team_id")
        for vals in teamless:
            company = (
                self.env["res.company"].browse(vals.get("company_id"))
                or self.env.company
            )
            if (
                "team_id" not in vals
                and default_team_id
                and company == self.env.company
            ):
                vals["team_id"] = default_team_id
                continue
            team = company.sudo().cs_intake_team_id
            if not team:
                raise ValidationError(
                    _(
                        "The complaint has no team and %(company)s has no default "
                        "intake team. Choose a team, or set one in Settings > "
                        "Customer Service > Default Intake Team.",
                        company=company.name,
                    )
                )
            vals["team_id"] = team.id

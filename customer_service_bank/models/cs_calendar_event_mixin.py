from odoo import api, fields, models
from odoo.tools import clean_context


class CsCalendarEventMixin(models.AbstractModel):
    """A record shown in its attendees' Odoo calendars as one
    ``calendar.event`` that follows it.

    A change of a field of ``_calendar_fields`` updates the event, a
    cancelled record archives it (planning it again restores it) and
    deleting the record deletes it. Models give the event's values in
    ``_calendar_event_values`` and have a ``state`` with ``cancelled``.
    """

    _name = "cs.calendar.event.mixin"
    _description = "Calendar Event of a Record"
    # the fields whose change updates the event
    _calendar_fields = {"state"}

    calendar_event_id = fields.Many2one("calendar.event", readonly=True, copy=False)

    @api.model_create_multi
    def create(self, vals_list):
        records = super().create(vals_list)
        records._sync_calendar_events()
        return records

    def write(self, vals):
        result = super().write(vals)
        if self._calendar_fields & vals.keys():
            self._sync_calendar_events()
        return result

    def unlink(self):
        events = self.calendar_event_id
        result = super().unlink()
        events.sudo().unlink()
        return result

    def action_view_calendar_event(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "calendar.event",
            "res_id": self.calendar_event_id.id,
            "view_mode": "form",
        }

    def _calendar_event_values(self):
        """The values of the record's event: name, start, stop, duration,
        location, description, partner_ids..."""
        raise NotImplementedError

    def _sync_calendar_events(self):
        """Create or update each record's event, which invites the
        attendees; the event of a cancelled record is archived."""
        # the form's default_* keys are the record's, not the event's
        Event = (
            self.env["calendar.event"]
            .with_context(clean_context(self.env.context), active_test=False)
            .sudo()
        )
        model_id = self.env["ir.model"]._get_id(self._name)
        for record in self:
            values = dict(
                record._calendar_event_values(),
                res_model_id=model_id,
                res_id=record.id,
                active=record.state != "cancelled",
            )
            event = record.calendar_event_id.sudo().with_env(Event.env)
            if event:
                event.write(values)
            elif values["active"]:
                record.calendar_event_id = Event.create(values)

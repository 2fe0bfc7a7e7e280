from odoo import models


class CsReminderMixin(models.AbstractModel):
    """One activity of one type per record, kept in step with the record.

    The inheriting model names the activity type in
    ``_reminder_activity_type`` and says in ``_reminder_wish`` what each
    record's reminder should become: ``("open", values)`` creates it or
    moves it (values: summary, user_id, date_deadline), ``("done",
    feedback)`` marks it done, ``("drop", None)`` removes it and ``("keep",
    None)`` leaves it as it is.
    """

    _name = "cs.reminder.mixin"
    _description = "Customer Service Reminder"
    _reminder_activity_type = None

    def _reminder_wish(self):
        raise NotImplementedError

    def _reminder_activities(self):
        # the record was checked; its reminder may be another user's
        return (
            self.env["mail.activity"]
            .sudo()
            .search(
                [
                    ("res_model", "=", self._name),
                    ("res_id", "in", self.ids),
                    (
                        "activity_type_id",
                        "=",
                        self.env.ref(self._reminder_activity_type).id,
                    ),
                ]
            )
        )

    def _sync_activities(self):
        activities = self._reminder_activities()
        by_record = activities.grouped("res_id")
        model_id = self.env["ir.model"]._get_id(self._name)
        activity_type_id = self.env.ref(self._reminder_activity_type).id
        to_create, to_drop = [], activities.browse()
        for record in self:
            current = by_record.get(record.id, activities.browse())
            wish, value = record._reminder_wish()
            if wish == "done":
                current.action_feedback(feedback=value)
            elif wish == "drop":
                to_drop |= current
            elif wish == "open" and not current:
                to_create.append(
                    {
                        "res_model_id": model_id,
                        "res_id": record.id,
                        "activity_type_id": activity_type_id,
                        **value,
                    }
                )
            elif wish == "open":
                wanted = (value["summary"], value["user_id"], value["date_deadline"])
                current.filtered(
                    lambda activity, wanted=wanted: (
                        (
                            activity.summary,
                            activity.user_id.id,
                            activity.date_deadline,
                        )
                        != wanted
                    )
                ).write(value)
        to_drop.unlink()
        activities.create(to_create)

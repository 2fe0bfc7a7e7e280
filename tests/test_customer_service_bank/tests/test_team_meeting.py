from datetime import date, datetime

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form

from .common import CsCommon


class TestTeamMeeting(CsCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Meeting = cls.env["cs.team.meeting"].with_user(cls.supervisor_a)
        cls.activity_type = cls.env.ref(
            "customer_service_bank.mail_activity_type_cs_meeting_action"
        )

    def create_meeting(self, moment=datetime(2026, 12, 10, 2, 0), **values):
        return self.Meeting.create(
            {
                "name": "Weekly review",
                "team_id": self.team_a.id,
                "date_start": moment,
                **values,
            }
        )

    def create_item(self, meeting, owner, due=date(2026, 12, 20), **values):
        return (
            self.env["cs.team.meeting.action"]
            .with_user(meeting.team_id.supervisor_id)
            .create(
                {
                    "meeting_id": meeting.id,
                    "description": f"Task of {owner.name}",
                    "user_id": owner.id,
                    "date_deadline": due,
                    **values,
                }
            )
        )

    def hold(self, meeting):
        meeting.minutes = "<p>We talked.</p>"
        meeting.action_held()

    # ------------------------------------------------------------------
    # calendar
    # ------------------------------------------------------------------

    def test_meeting_invites_team_through_calendar_event(self):
        meeting = self.create_meeting(duration=1.5, location="Room 3")
        self.assertEqual(
            meeting.attendee_ids, self.agent_a | self.agent_a2 | self.supervisor_a
        )
        self.assertEqual(meeting.user_id, self.supervisor_a)
        event = meeting.calendar_event_id
        self.assertTrue(event)
        self.assertEqual(event.name, "Weekly review")
        self.assertEqual(event.start, datetime(2026, 12, 10, 2, 0))
        self.assertEqual(event.stop, datetime(2026, 12, 10, 3, 30))
        self.assertEqual(event.location, "Room 3")
        self.assertEqual(event.user_id, self.supervisor_a)
        self.assertEqual(event.partner_ids, meeting.attendee_ids.partner_id)
        self.assertEqual(event.attendee_ids.partner_id, meeting.attendee_ids.partner_id)
        self.assertEqual((event.res_model, event.res_id), (meeting._name, meeting.id))
        # no "meeting" activity on the meeting for its own event
        self.assertFalse(meeting.activity_ids)

    def test_calendar_event_follows_the_meeting(self):
        meeting = self.create_meeting()
        event = meeting.calendar_event_id
        meeting.write(
            {
                "name": "Moved review",
                "date_start": datetime(2026, 12, 11, 6, 0),
                "attendee_ids": [Command.unlink(self.agent_a2.id)],
                "agenda": "<p>Fees</p>",
            }
        )
        self.assertEqual(meeting.calendar_event_id, event, "updated, not replaced")
        self.assertEqual(event.name, "Moved review")
        self.assertEqual(event.start, datetime(2026, 12, 11, 6, 0))
        self.assertEqual(event.stop, datetime(2026, 12, 11, 7, 0))
        self.assertIn("Fees", str(event.description))
        self.assertEqual(
            event.partner_ids, (self.agent_a | self.supervisor_a).partner_id
        )
        meeting.action_cancel()
        self.assertFalse(event.active, "a cancelled meeting archives its event")
        meeting.action_plan()
        self.assertTrue(event.active)
        self.assertEqual(meeting.state, "planned")
        meeting.unlink()
        self.assertFalse(event.exists())

    def test_plan_in_the_form(self):
        with Form(self.Meeting) as form:
            form.team_id = self.team_a
            self.assertEqual(form.user_id, self.supervisor_a)
            self.assertEqual(
                set(form.attendee_ids.ids),
                set((self.agent_a | self.agent_a2 | self.supervisor_a).ids),
            )
            form.date_start = datetime(2026, 12, 10, 2)
            form.attendee_ids.remove(id=self.agent_a2.id)
            with form.action_item_ids.new() as item:
                item.description = "Prepare the fee figures"
                item.user_id = self.agent_a
                item.date_deadline = date(2026, 12, 9)
        meeting = form.record
        self.assertEqual(
            meeting.calendar_event_id.partner_ids,
            (self.agent_a | self.supervisor_a).partner_id,
        )
        self.assertEqual(meeting.action_item_ids.activity_id.user_id, self.agent_a)

    def test_team_change_resets_attendees(self):
        meeting = self.env["cs.team.meeting"].create(
            {"team_id": self.team_b.id, "date_start": datetime(2026, 12, 10, 2)}
        )
        self.assertEqual(meeting.attendee_ids, self.agent_b | self.supervisor_b)
        self.assertEqual(meeting.user_id, self.supervisor_b)
        self.assertEqual(meeting.name, "Team Meeting")

    # ------------------------------------------------------------------
    # action items
    # ------------------------------------------------------------------

    def test_action_item_is_an_activity_of_its_owner(self):
        meeting = self.create_meeting()
        item = self.create_item(meeting, self.agent_a)
        activity = item.activity_id
        self.assertEqual(
            (activity.res_model, activity.res_id), (meeting._name, meeting.id)
        )
        self.assertEqual(activity.user_id, self.agent_a)
        self.assertEqual(activity.date_deadline, date(2026, 12, 20))
        self.assertEqual(activity.activity_type_id, self.activity_type)
        self.assertEqual(activity.summary, "Task of " + self.agent_a.name)
        # owner and due date changes move the same activity
        item.write({"user_id": self.agent_a2.id, "date_deadline": date(2026, 12, 22)})
        self.assertEqual(item.activity_id, activity)
        self.assertEqual(activity.user_id, self.agent_a2)
        self.assertEqual(activity.date_deadline, date(2026, 12, 22))

    def test_action_item_on_complaint(self):
        complaint = self.create_complaint()
        meeting = self.create_meeting(complaint_ids=[Command.set(complaint.ids)])
        item = self.create_item(meeting, self.agent_a2, complaint_id=complaint.id)
        self.assertEqual(
            (item.activity_id.res_model, item.activity_id.res_id),
            ("cs.complaint", complaint.id),
        )
        self.assertIn(item.activity_id, complaint.activity_ids)
        self.assertFalse(meeting.activity_ids)
        # a planned meeting deleted takes its items' activities along
        activity = item.activity_id
        meeting.unlink()
        self.assertFalse(item.exists())
        self.assertFalse(activity.exists())

    def test_item_done_closes_activity(self):
        item = self.create_item(self.create_meeting(), self.agent_a)
        activity = item.activity_id
        item.with_user(self.agent_a).action_done()
        self.assertEqual(item.state, "done")
        self.assertTrue(item.date_done)
        self.assertFalse(activity.exists())
        self.assertFalse(item.activity_id)
        # reopening gives the owner a new activity
        item.with_user(self.agent_a).action_reopen()
        self.assertEqual(item.state, "open")
        self.assertEqual(item.activity_id.user_id, self.agent_a)

    def test_activity_done_closes_item(self):
        item = self.create_item(self.create_meeting(), self.agent_a)
        item.activity_id.with_user(self.agent_a).action_feedback(feedback="Done")
        self.assertEqual(item.state, "done")
        self.assertFalse(item.activity_id)

    def test_cancelled_item_drops_activity(self):
        item = self.create_item(self.create_meeting(), self.agent_a)
        activity = item.activity_id
        item.action_cancel()
        self.assertEqual(item.state, "cancelled")
        self.assertFalse(activity.exists())
        item.action_reopen()
        with self.assertRaisesRegex(UserError, "done action item cannot be cancelled"):
            item.action_done()
            item.action_cancel()

    # ------------------------------------------------------------------
    # carry-over
    # ------------------------------------------------------------------

    def test_open_items_carry_over_to_next_meeting_once(self):
        first = self.create_meeting(datetime(2026, 12, 3, 2))
        open_item = self.create_item(first, self.agent_a)
        done_item = self.create_item(first, self.agent_a2)
        done_item.action_done()
        self.hold(first)
        # planned later: the next meeting, then one after it
        after_next = self.create_meeting(datetime(2026, 12, 17, 2))
        self.assertEqual(after_next.carried_item_ids, open_item)
        next_meeting = self.create_meeting(datetime(2026, 12, 10, 2))
        self.assertEqual(next_meeting.carried_item_ids, open_item)
        self.assertEqual(next_meeting.open_item_count, 1)
        # again: nothing more, no new item
        items_before = self.env["cs.team.meeting.action"].search_count([])
        for meeting in first | next_meeting | after_next:
            meeting._carry_over_open_items()
        next_meeting.write({"date_start": datetime(2026, 12, 10, 3)})
        self.assertEqual(next_meeting.carried_item_ids, open_item)
        self.assertEqual(
            self.env["cs.team.meeting.action"].search_count([]), items_before
        )
        # team B's meetings list none of team A's items
        other_team = self.Meeting.sudo().create(
            {"team_id": self.team_b.id, "date_start": datetime(2026, 12, 10, 2)}
        )
        self.assertFalse(other_team.carried_item_ids)

    def test_items_still_open_move_on_when_next_meeting_is_held(self):
        first = self.create_meeting(datetime(2026, 12, 3, 2))
        item = self.create_item(first, self.agent_a)
        self.hold(first)
        second = self.create_meeting(datetime(2026, 12, 10, 2))
        new_item = self.create_item(second, self.agent_a2)
        third = self.create_meeting(datetime(2026, 12, 17, 2))
        self.assertFalse(third.carried_item_ids, "second is the next meeting")
        self.hold(second)
        self.assertEqual(third.carried_item_ids, item | new_item)
        self.assertEqual(second.carried_item_ids, item, "kept as history")
        item.action_done()
        self.assertEqual(third.open_item_count, 1)

    # ------------------------------------------------------------------
    # access
    # ------------------------------------------------------------------

    def test_agents_read_their_teams_meetings_and_manage_own_items(self):
        meeting = self.create_meeting()
        other = self.Meeting.sudo().create(
            {"team_id": self.team_b.id, "date_start": datetime(2026, 12, 10, 2)}
        )
        other_item = self.create_item(other, self.agent_b)
        Meeting = self.env["cs.team.meeting"].with_user(self.agent_a)
        self.assertEqual(Meeting.search([("id", "in", (meeting | other).ids)]), meeting)
        with self.assertRaises(AccessError):
            Meeting.create({"team_id": self.team_a.id})
        with self.assertRaises(AccessError):
            meeting.with_user(self.agent_a).write({"minutes": "<p>Mine</p>"})
        Item = self.env["cs.team.meeting.action"].with_user(self.agent_a)
        own = Item.create(
            {
                "meeting_id": meeting.id,
                "description": "Mine",
                "date_deadline": date(2026, 12, 20),
            }
        )
        self.assertEqual(own.user_id, self.agent_a)
        self.assertEqual(own.activity_id.user_id, self.agent_a)
        own.write({"date_deadline": date(2026, 12, 21)})
        colleague = self.create_item(meeting, self.agent_a2).with_user(self.agent_a)
        colleague.read(["description"])
        with self.assertRaises(AccessError):
            colleague.write({"description": "Changed"})
        with self.assertRaises(AccessError):
            colleague.action_done()
        with self.assertRaises(AccessError):
            Item.create(
                {
                    "meeting_id": meeting.id,
                    "description": "For a colleague",
                    "user_id": self.agent_a2.id,
                    "date_deadline": date(2026, 12, 20),
                }
            )
        with self.assertRaises(AccessError):
            Item.create(
                {
                    "meeting_id": other.id,
                    "description": "On another team's meeting",
                    "date_deadline": date(2026, 12, 20),
                }
            )
        with self.assertRaises(AccessError):
            other_item.with_user(self.agent_a).read(["description"])

    def test_supervisors_manage_their_teams_meetings(self):
        meeting = self.create_meeting()
        self.assertFalse(
            self.env["cs.team.meeting"]
            .with_user(self.supervisor_b)
            .search([("id", "=", meeting.id)])
        )
        with self.assertRaises(AccessError):
            meeting.with_user(self.supervisor_b).write({"minutes": "<p>x</p>"})
        with self.assertRaises(AccessError):
            self.env["cs.team.meeting"].with_user(self.supervisor_b).create(
                {"team_id": self.team_a.id}
            )
        meeting.with_user(self.manager).write({"location": "Head office"})
        self.assertFalse(
            self.env["cs.team.meeting"]
            .with_user(self.agent_c)
            .search([("id", "=", meeting.id)])
        )

    # ------------------------------------------------------------------
    # bad input
    # ------------------------------------------------------------------

    def test_bad_input(self):
        meeting = self.create_meeting()
        with self.assertRaisesRolledBack(ValidationError, "Write the minutes"):
            meeting.action_held()
        with self.assertRaisesRolledBack(ValidationError, "longer than zero hours"):
            meeting.duration = 0
        with self.assertRaisesRolledBack(ValidationError, "longer than zero hours"):
            self.create_meeting(duration=-1)
        self.hold(meeting)
        with self.assertRaisesRegex(UserError, "held cannot be cancelled"):
            meeting.action_cancel()
        with self.assertRaisesRegex(UserError, "Only a planned meeting"):
            meeting.action_held()
        with self.assertRaisesRegex(UserError, "Held meetings cannot be deleted"):
            meeting.unlink()
        with self.assertRaisesRolledBack(UserError, "Incompatible companies"):
            self.env["cs.team.meeting"].create(
                {
                    "team_id": self.team_c.id,
                    "date_start": datetime(2026, 12, 10, 2),
                    "complaint_ids": [Command.set(self.create_complaint().ids)],
                }
            )

"""Appreciation events: the campaign's event, its invitations (registrations)
answered from the mail's token link, attendance and attendee follow-ups."""

import re
from datetime import date, datetime, timedelta

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, HttpCase, new_test_user, tagged

from .common import CsCommon


class CareEventCommon(CsCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Campaign = cls.env["cs.care.campaign"]
        cls.Participant = cls.env["cs.care.participant"]
        cls.supervisor_a.tz = "Asia/Shanghai"
        cls.template = cls.env.ref(
            "customer_service_bank.mail_template_cs_care_event_invitation"
        )
        cls.number = 0
        cls.c1 = cls._customer("Event C1", cls.agent_a)
        cls.c2 = cls._customer("Event C2", cls.agent_a2)

    @classmethod
    def _customer(cls, name, manager=None, **values):
        cls.number += 1
        partner = cls.env["res.partner"].create(
            {
                "name": name,
                "email": f"event{cls.number}@example.com",
                "cs_customer_number": f"EVT-{cls.number:04d}",
                "company_id": cls.company_a.id,
                **values,
            }
        )
        partner.cs_relationship_manager_id = manager
        return partner

    @classmethod
    def _campaign(cls, user=None, **values):
        Campaign = cls.Campaign.with_user(user) if user else cls.Campaign
        return Campaign.create(
            {
                "name": "Spring appreciation",
                "kind": "appreciation",
                "date": date(2027, 3, 1),
                "send_time": 18.5,
                "user_id": cls.supervisor_a.id,
                "team_id": cls.team_a.id,
                "mail_template_id": cls.template.id,
                **values,
            }
        )

    @classmethod
    def _participant(cls, campaign, partner, manager=None):
        return cls.Participant.sudo().create(
            {
                "campaign_id": campaign.id,
                "partner_id": partner.id,
                "occurrence_date": campaign.date,
                "relationship_manager_id": (
                    manager or partner.cs_relationship_manager_id
                ).id,
                "state": "sent",
            }
        )


class TestCareEvent(CareEventCommon):
    def test_event_created_at_approval_on_the_day_in_the_owner_tz(self):
        self.assertFalse(
            self.supervisor_a.has_group("event.group_event_registration_desk"),
            "supervisors need no rights in Events",
        )
        campaign = self._campaign(user=self.supervisor_a)
        campaign.action_approve()
        event = campaign.event_id.sudo()
        self.assertTrue(event)
        # 18:30 in Shanghai is 10:30 UTC, for three hours
        self.assertRecordValues(
            event,
            [
                {
                    "name": "Spring appreciation",
                    "date_begin": datetime(2027, 3, 1, 10, 30),
                    "date_end": datetime(2027, 3, 1, 13, 30),
                    "date_tz": "Asia/Shanghai",
                    "company_id": self.company_a.id,
                    "organizer_id": self.company_a.partner_id.id,
                    "address_id": self.company_a.partner_id.id,
                    "user_id": self.supervisor_a.id,
                }
            ],
        )
        self.assertFalse(
            event.event_mail_ids, "the campaign's invitation is the only mail"
        )
        self.assertEqual(event.cs_care_campaign_id, campaign)
        action = event.action_view_cs_care_campaign()
        self.assertEqual(
            (action["res_model"], action["res_id"]), ("cs.care.campaign", campaign.id)
        )
        action = campaign.action_view_event()
        self.assertEqual(
            (action["res_model"], action["res_id"]), ("event.event", event.id)
        )

    def test_approval_keeps_an_existing_event_and_creates_none_for_greetings(self):
        campaign = self._campaign()
        campaign.action_create_event()
        event = campaign.event_id
        campaign.action_approve()
        self.assertEqual(campaign.event_id, event)
        greeting = self._campaign(kind="other")
        greeting.action_approve()
        self.assertFalse(greeting.event_id)
        with self.assertRaisesRegex(UserError, "not an appreciation event"):
            greeting.action_create_event()

    def test_create_event_button_for_supervisors_only(self):
        campaign = self._campaign(user=self.supervisor_a)
        with self.assertRaises(AccessError):
            campaign.with_user(self.agent_a).action_create_event()
        self.assertFalse(campaign.event_id)
        # the owner's time zone, not the one of the user who clicks
        self.manager.tz = "Europe/London"
        campaign.with_user(self.manager).action_create_event()
        self.assertEqual(
            campaign.event_id.sudo().date_begin, datetime(2027, 3, 1, 10, 30)
        )
        with self.assertRaisesRegex(UserError, "already has its event"):
            campaign.with_user(self.supervisor_a).action_create_event()
        # another team's supervisor may not write the campaign
        other = self._campaign(user=self.supervisor_a, name="Other")
        with self.assertRaises(AccessError):
            other.with_user(self.supervisor_b).action_create_event()
        other.action_cancel()
        with self.assertRaisesRegex(UserError, "is Cancelled"):
            other.with_user(self.supervisor_a).action_create_event()

    def test_cancelling_the_campaign_leaves_the_event_and_says_so(self):
        campaign = self._campaign()
        campaign.action_approve()
        event = campaign.event_id
        campaign.with_user(self.supervisor_a).action_cancel()
        self.assertTrue(event.exists())
        self.assertIn(
            "is left as it is", campaign.message_ids[:1].body, "a note in the chatter"
        )

    def test_invitations_are_unconfirmed_registrations_once(self):
        campaign = self._campaign()
        campaign.action_approve()
        p1 = self._participant(campaign, self.c1)
        p2 = self._participant(campaign, self.c2)
        no_event = self._participant(self._campaign(kind="other"), self.c1)
        participants = (p1 | p2 | no_event).with_user(self.supervisor_a)
        participants._cs_invite_to_event()
        self.assertRecordValues(
            (p1 | p2).registration_id,
            [
                {"event_id": campaign.event_id.id, "partner_id": partner.id}
                for partner in self.c1 | self.c2
            ],
        )
        self.assertEqual(set((p1 | p2).registration_id.mapped("state")), {"draft"})
        self.assertFalse(no_event.registration_id)
        registrations = (p1 | p2).registration_id
        participants._cs_invite_to_event()
        self.assertEqual((p1 | p2).registration_id, registrations)
        self.assertEqual(registrations.cs_care_participant_ids, p1 | p2)

    def test_participants_added_by_hand_get_their_own_token(self):
        campaign = self._campaign()
        tokens = (
            self._participant(campaign, self.c1) | self._participant(campaign, self.c2)
        ).mapped("access_token")
        self.assertTrue(all(tokens))
        self.assertEqual(len(set(tokens)), 2)

    def test_invitation_mail_has_the_event_and_both_links(self):
        self.env["res.lang"]._activate_lang("zh_CN")
        self.c1.lang = "zh_CN"
        campaign = self._campaign()
        campaign.action_approve()
        participant = self._participant(campaign, self.c1)
        self.assertEqual(
            self.template._render_lang(participant.ids)[participant.id], "zh_CN"
        )
        body = self.template._render_field(
            "body_html", participant.ids, compute_lang=True
        )[participant.id]
        url = participant._cs_invitation_url()
        self.assertIn(
            f"/cs/care/invitation/{participant.id}/{participant.sudo().access_token}",
            url,
        )
        self.assertIn(f"{url}?answer=accept", body)
        self.assertIn(f"{url}?answer=decline", body)
        self.assertIn("Spring appreciation", body)
        # the day in the event's time zone, in the customer's language
        self.assertIn("2027年3月1日", body)
        self.assertIn("18:30", body)

    def test_agents_mark_attendance_of_their_own_customers(self):
        campaign = self._campaign()
        campaign.action_approve()
        own = self._participant(campaign, self.c1)
        other = self._participant(campaign, self.c2)
        (own | other)._cs_invite_to_event()
        own.with_user(self.agent_a).action_mark_attended()
        self.assertEqual(own.registration_id.state, "done")
        with self.assertRaises(AccessError):
            other.with_user(self.agent_a).action_mark_attended()
        self.assertEqual(other.registration_id.state, "draft")
        own.with_user(self.agent_a).action_mark_absent()
        self.assertEqual(own.registration_id.state, "open")
        # without a follow-up asked for, none is planned
        self.assertFalse(own.followup_id)
        # a customer without an invitation is registered when attending
        walk_in = self._participant(campaign, self._customer("Walk-in", self.agent_a))
        walk_in.with_user(self.agent_a).action_mark_attended()
        self.assertEqual(walk_in.registration_id.state, "done")
        greeting = self._participant(self._campaign(kind="other"), self.c1)
        with self.assertRaisesRegex(UserError, "has no event"):
            greeting.with_user(self.agent_a).action_mark_attended()

    def test_attendee_followup_planned_once(self):
        campaign = self._campaign(followup_attendees=True, followup_delay_days=3)
        campaign.action_approve()
        participant = self._participant(campaign, self.c1)
        participant._cs_invite_to_event()
        participant.with_user(self.agent_a).action_mark_attended()
        followup = participant.followup_id
        self.assertRecordValues(
            followup,
            [
                {
                    "partner_id": self.c1.id,
                    "user_id": self.agent_a.id,
                    "planned_date": date(2027, 3, 4),
                    "company_id": self.company_a.id,
                }
            ],
        )
        participant.with_user(self.agent_a).action_mark_absent()
        participant.with_user(self.agent_a).action_mark_attended()
        # marked in Odoo's own registration views too
        participant.registration_id.action_set_done()
        self.assertEqual(participant.followup_id, followup)
        self.assertEqual(
            self.env["cs.followup"].search_count([("partner_id", "=", self.c1.id)]), 1
        )

    def test_attendee_followup_goes_to_the_owner_without_manager(self):
        campaign = self._campaign(followup_attendees=True, followup_delay_days=0)
        campaign.action_approve()
        orphan = self._customer("Event orphan")
        participant = self._participant(campaign, orphan)
        participant._cs_invite_to_event()
        # an event user marks the attendance in Events
        participant.registration_id.action_set_done()
        self.assertRecordValues(
            participant.followup_id,
            [{"user_id": self.supervisor_a.id, "planned_date": date(2027, 3, 1)}],
        )
        with self.assertRaisesRegex(UserError, "after the event"):
            campaign.followup_delay_days = -1

    def test_event_users_keep_odoos_event_views(self):
        campaign = self._campaign(followup_attendees=True)
        campaign.action_approve()
        participant = self._participant(campaign, self.c1)
        participant._cs_invite_to_event()
        event_user = new_test_user(
            self.env, "cs_t_event_user", groups="event.group_event_user"
        )
        event = campaign.event_id.with_user(event_user)
        with Form(event) as form:
            form.name = "Spring appreciation dinner"
        registration = participant.registration_id.with_user(event_user)
        with Form(registration):
            pass
        # attendance marked in Events plans the attendee's follow-up too
        registration.action_set_done()
        self.assertEqual(participant.followup_id.user_id, self.agent_a)


@tagged("post_install", "-at_install")
class TestCareInvitationPage(CareEventCommon, HttpCase):
    """The customer answers the invitation from the mail's link."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.campaign = cls._campaign(
            date=fields.Date.today() + timedelta(days=30), name="Autumn gala"
        )
        cls.campaign.action_approve()
        cls.campaign.action_start()
        cls.participant = cls._participant(cls.campaign, cls.c1)
        cls.other = cls._participant(cls.campaign, cls.c2)
        (cls.participant | cls.other)._cs_invite_to_event()
        cls.token = cls.participant.sudo().access_token

    def _url(self, participant=None, token=None):
        participant = participant or self.participant
        return f"/cs/care/invitation/{participant.id}/{token or self.token}"

    def _page(self, query=""):
        response = self.url_open(self._url() + query)
        self.assertEqual(response.status_code, 200)
        return response.text

    def _answer(self, answer, url=None):
        # the form's token; an expired page has no form, the login page has one
        page = self.url_open("/web/login").text
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        return self.url_open(
            (url or self._url()) + "/answer",
            data={"csrf_token": csrf, "answer": answer},
        )

    def test_page_shows_the_event_and_the_buttons_only(self):
        page = self._page("?answer=accept")
        self.assertIn("Autumn gala", page)
        self.assertIn('value="accept"', page)
        self.assertIn('value="decline"', page)
        self.assertIn(f'action="{self._url()}/answer"', page)
        self.assertNotIn("Event C1", page, "nothing of the customer is shown")
        self.assertNotIn("event1@example.com", page)
        # opening the link answers nothing: mail scanners open links
        self.env.invalidate_all()
        self.assertFalse(self.participant.answer)
        self.assertEqual(self.participant.registration_id.state, "draft")

    def test_accept(self):
        response = self._answer("accept")
        self.assertEqual(response.status_code, 200)
        self.assertIn("your answer is recorded", response.text)
        self.env.invalidate_all()
        self.assertEqual(self.participant.answer, "accepted")
        self.assertTrue(self.participant.answer_date)
        registration = self.participant.registration_id
        self.assertEqual(registration.state, "open")
        note = registration.message_ids.filtered(
            lambda message: "Accepted" in (message.body or "")
        )
        self.assertEqual(note.author_id, self.c1)
        self.assertEqual(self.other.registration_id.state, "draft")

    def test_decline_then_change_from_the_same_link(self):
        self._answer("decline")
        self.env.invalidate_all()
        self.assertEqual(self.participant.answer, "declined")
        self.assertEqual(self.participant.registration_id.state, "cancel")
        self.assertIn("You have declined the invitation", self._page())
        response = self._answer("accept")
        self.assertIn("You have accepted the invitation", response.text)
        self.env.invalidate_all()
        self.assertEqual(self.participant.answer, "accepted")
        self.assertEqual(self.participant.registration_id.state, "open")

    def test_full_event_refuses_the_answer_on_the_page(self):
        self.campaign.event_id.write({"seats_limited": True, "seats_max": 1})
        self.other.registration_id.action_confirm()
        response = self._answer("accept")
        self.assertEqual(response.status_code, 200)
        self.assertIn("alert-danger", response.text)
        self.env.invalidate_all()
        self.assertFalse(self.participant.answer)
        self.assertEqual(self.participant.registration_id.state, "draft")
        # declining takes no seat
        self._answer("decline")
        self.env.invalidate_all()
        self.assertEqual(self.participant.answer, "declined")

    def test_expired_when_the_campaign_ended_or_the_event_started(self):
        self.campaign.action_done()
        self.assertIn("This invitation has expired", self._page())
        response = self._answer("accept")
        self.assertEqual(response.status_code, 200)
        self.assertIn("This invitation has expired", response.text)
        self.env.invalidate_all()
        self.assertFalse(self.participant.answer)
        self.assertEqual(self.participant.registration_id.state, "draft")
        self.campaign.state = "running"
        event = self.campaign.event_id
        now = fields.Datetime.now()
        event.write({"date_begin": now - timedelta(hours=1), "date_end": now})
        self.assertIn("This invitation has expired", self._page())
        self.env.invalidate_all()
        self.assertFalse(self.participant.answer)

    def test_forged_or_another_participants_token_is_not_found(self):
        forged = self._url(token="0" * 36)
        self.assertEqual(self.url_open(forged).status_code, 404)
        others = self._url(token=self.other.sudo().access_token)
        self.assertEqual(self.url_open(others).status_code, 404)
        self.assertEqual(self._answer("accept", url=others).status_code, 404)
        unknown = f"/cs/care/invitation/999999999/{self.token}"
        self.assertEqual(self.url_open(unknown).status_code, 404)
        self.env.invalidate_all()
        self.assertFalse(self.participant.answer)
        self.assertFalse(self.other.answer)

    def test_page_in_the_customers_language(self):
        self.env["res.lang"]._activate_lang("zh_CN")
        self.c1.lang = "zh_CN"
        self.env.ref(
            "customer_service_bank.cs_care_invitation_page"
        ).update_field_translations(
            "arch_db", {"zh_CN": {"Accept": "接受", "Decline": "谢绝"}}
        )
        page = self._page()
        self.assertIn("接受", page)
        self.assertIn("谢绝", page)
        self.assertIn("年", page, "the event's date in Chinese")

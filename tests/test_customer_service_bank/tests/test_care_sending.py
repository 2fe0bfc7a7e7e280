"""Care campaigns sending: participants, skip reasons, contact budget, sending
window, mails in the customer's language, tasks, exactly once, run now."""

from datetime import date, datetime
from unittest.mock import patch

from odoo import SUPERUSER_ID, Command, api
from odoo.exceptions import AccessError, UserError
from odoo.tests import TransactionCase, freeze_time
from odoo.tools import mute_logger

from odoo.addons.base.models.ir_cron import ir_cron
from odoo.addons.mail.tests.common import MockEmail

from .common import CsCommon

MIXIN_LOGGER = "odoo.addons.customer_service_bank.models.cs_batch_job_mixin"
# 11:00 in Shanghai, inside the default sending window (09:00 to 20:00)
MORNING = "2027-03-01 03:00:00"
# a batch of the sending job: claim, count, policy, render, create, write
SEND_BATCH_QUERIES = 17


class CareSendingCommon(CsCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Campaign = cls.env["cs.care.campaign"]
        cls.Participant = cls.env["cs.care.participant"]
        cls.company_b.partner_id.tz = "Asia/Shanghai"
        # the demo campaigns would run on the tests' days too
        cls.Campaign.search([]).state = "cancelled"
        # the demo customers of no company, whom every company's campaigns
        # target, go to company A
        cls.env["res.partner"].search(
            [("cs_customer_number", "!=", False), ("company_id", "=", False)]
        ).company_id = cls.company_a
        cls.tier = cls.env["cs.segment"].create({"name": "Send Gold", "kind": "tier"})
        cls.number = 0
        cls.template = cls.env["mail.template"].create(
            {
                "name": "Send greeting",
                "model_id": cls.env.ref(
                    "customer_service_bank.model_cs_care_participant"
                ).id,
                "subject": "Greetings {{ object.partner_id.name }}",
                "body_html": "<p>Dear <t t-out='object.partner_id.name'/></p>",
                "lang": "{{ object.partner_id.lang }}",
                "auto_delete": False,
            }
        )

    @classmethod
    def _customer(cls, name, tier=None, **vals):
        cls.number += 1
        partner = cls.env["res.partner"].create(
            {
                "name": f"Send {name}",
                "email": f"send{cls.number}@example.com",
                "cs_customer_number": f"SND-{cls.number:05d}",
                "company_id": cls.company_b.id,
                "tz": "Asia/Shanghai",
                **vals,
            }
        )
        partner.cs_metrics_ids.write({"computed_segment_id": (tier or cls.tier).id})
        return partner

    @classmethod
    def _campaign(cls, approve=True, **values):
        campaign = cls.Campaign.create(
            {
                "name": "Send campaign",
                "kind": "other",
                "date": date(2027, 3, 1),
                "send_time": 9.0,
                "team_id": cls.team_c.id,
                "company_id": cls.company_b.id,
                "mail_template_id": cls.template.id,
                "tier_ids": [Command.set(cls.tier.ids)],
                **values,
            }
        )
        if approve:
            campaign.action_approve()
        return campaign

    def _run(self):
        """One call of the scheduled action."""
        self.Participant._cron_send_care()

    def _by_partner(self, campaign):
        campaign.invalidate_recordset(["participant_ids"])
        return {p.partner_id: p for p in campaign.participant_ids}


@freeze_time(MORNING)
class TestCareSending(CareSendingCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.c1 = cls._customer("C1")
        cls.c2 = cls._customer("C2")
        cls.other_tier = cls._customer(
            "Other tier", cls.env["cs.segment"].create({"name": "Sx", "kind": "tier"})
        )

    # ------------------------------------------------------------------
    # targeting and occurrences
    # ------------------------------------------------------------------

    def test_targeted_customers_are_mailed_once(self):
        campaign = self._campaign(cost_per_participant=2.5)
        self.assertEqual(campaign.state, "approved")
        self._run()
        participants = self._by_partner(campaign)
        self.assertEqual(set(participants), {self.c1, self.c2})
        self.assertEqual(campaign.state, "done")
        for partner, participant in participants.items():
            self.assertEqual(participant.state, "sent")
            self.assertEqual(participant.channel, "email")
            self.assertEqual(participant.cost, 2.5)
            self.assertEqual(participant.occurrence, 0)
            self.assertEqual(participant.occurrence_date, date(2027, 3, 1))
            self.assertTrue(participant.sudo().access_token)
            mail = self.env["mail.mail"].search(
                [("mail_message_id", "=", participant.mail_message_id.id)]
            )
            self.assertEqual(mail.recipient_ids, partner)
            self.assertEqual(mail.subject, f"Greetings {partner.name}")
            self.assertEqual(mail.state, "outgoing")
            self.assertEqual(
                (mail.model, mail.res_id), (participant._name, participant.id)
            )

    def _end_request(self):
        """Post the tracking messages, as the end of a request does."""
        self.env.flush_all()
        self.env.cr.precommit.run()

    def test_first_occurrence_starts_the_campaign(self):
        campaign = self._campaign(send_time=12.0)
        self._end_request()
        self._run()
        self.assertEqual(campaign.state, "running")
        self.assertEqual(set(campaign.participant_ids.mapped("state")), {"queued"})
        self._end_request()
        campaign.invalidate_recordset(["message_ids"])
        self.assertIn(
            "Running", campaign.message_ids.tracking_value_ids.mapped("new_value_char")
        )
        with freeze_time("2027-03-01 05:00:00"):
            self._run()
        self.assertEqual(campaign.state, "done")

    def test_rerun_sends_nothing_more(self):
        campaign = self._campaign()
        self._run()
        mails = self.env["mail.mail"].search_count(
            [("model", "=", "cs.care.participant")]
        )
        campaign.last_run_date = False
        self._run()
        self._run()
        self.assertEqual(len(campaign.participant_ids), 2)
        self.assertEqual(
            self.env["mail.mail"].search_count([("model", "=", "cs.care.participant")]),
            mails,
        )

    def test_day_not_come_selects_nobody(self):
        campaign = self._campaign(date=date(2027, 3, 2))
        self._run()
        self.assertFalse(campaign.participant_ids)
        self.assertEqual(campaign.state, "approved")

    def test_festival_dates_for_two_years(self):
        spring = self.env.ref("customer_service_bank.cs_care_festival_cn_spring")
        campaign = self._campaign(
            kind="festival", date=False, festival_id=spring.id, recurrence="yearly"
        )
        for year, day in [(2027, date(2027, 2, 6)), (2028, date(2028, 1, 26))]:
            self.assertEqual(spring._cs_date(year), day)
            with freeze_time(datetime(day.year, day.month, day.day, 3)):
                self._run()
        participants = campaign.participant_ids
        self.assertEqual(
            sorted(
                set(participants.mapped(lambda p: (p.occurrence, p.occurrence_date)))
            ),
            [(2027, date(2027, 2, 6)), (2028, date(2028, 1, 26))],
        )
        self.assertEqual(len(participants), 4)
        self.assertEqual(set(participants.mapped("state")), {"sent"})
        self.assertEqual(campaign.state, "running")

    def test_birthday_on_the_day_and_29_february(self):
        leap = self._customer("Leap", tz=False)
        self.env["cs.customer.sensitive"].create(
            [
                {"partner_id": self.c1.id, "birth_date": date(1980, 3, 1)},
                {"partner_id": self.c2.id, "birth_date": date(1990, 5, 4)},
                {"partner_id": leap.id, "birth_date": date(1992, 2, 29)},
            ]
        )
        with freeze_time("2027-02-20 03:00:00"):
            campaign = self._campaign(kind="birthday", date=False)
        with freeze_time("2027-02-28 03:00:00"):
            self._run()
        self.assertEqual(set(self._by_partner(campaign)), {leap})
        self._run()
        participants = self._by_partner(campaign)
        self.assertEqual(set(participants), {leap, self.c1})
        self.assertEqual(participants[self.c1].occurrence, 2027)
        self.assertEqual(participants[self.c1].occurrence_date, date(2027, 3, 1))
        self.assertEqual(participants[leap].occurrence_date, date(2027, 2, 28))

    def test_missed_days_are_caught_up_once(self):
        self.env["cs.customer.sensitive"].create(
            [
                {"partner_id": self.c1.id, "birth_date": date(1980, 2, 27)},
                {"partner_id": self.c2.id, "birth_date": date(1980, 2, 28)},
            ]
        )
        with freeze_time("2027-02-20 03:00:00"):
            campaign = self._campaign(kind="birthday", date=False)
        with freeze_time("2027-02-26 03:00:00"):
            self._run()
        self.assertFalse(campaign.participant_ids)
        # the action did not run on the 27th and the 28th
        self._run()
        participants = self._by_partner(campaign)
        self.assertEqual(
            {p: v.occurrence_date for p, v in participants.items()},
            {self.c1: date(2027, 2, 27), self.c2: date(2027, 2, 28)},
        )
        self.assertEqual(campaign.last_run_date, date(2027, 3, 1))

    def test_anniversary_after_a_full_year(self):
        self.c1.cs_customer_since = date(2020, 3, 1)
        self.c2.cs_customer_since = date(2027, 3, 1)
        with freeze_time("2027-02-20 03:00:00"):
            campaign = self._campaign(kind="anniversary", date=False)
        self._run()
        self.assertEqual(set(self._by_partner(campaign)), {self.c1})

    # ------------------------------------------------------------------
    # skip reasons
    # ------------------------------------------------------------------

    def _skip_reason(self, partner, campaign=None):
        campaign = campaign or self._campaign()
        self._run()
        participant = self._by_partner(campaign)[partner]
        self.assertEqual(participant.state, "skipped")
        self.assertFalse(participant.mail_message_id)
        return participant.skip_reason

    def test_skip_deceased(self):
        self.c1.cs_deceased = True
        self.assertEqual(self._skip_reason(self.c1), "deceased")

    def test_skip_inactive(self):
        """Archived between selection and sending."""
        campaign = self._campaign(send_time=12.0)
        self._run()
        self.assertEqual(self._by_partner(campaign)[self.c1].state, "queued")
        self.c1.active = False
        with freeze_time("2027-03-01 05:00:00"):
            self._run()
        participant = self._by_partner(campaign)[self.c1]
        self.assertEqual(
            (participant.state, participant.skip_reason), ("skipped", "inactive")
        )

    def test_skip_do_not_contact(self):
        self.c1.cs_do_not_contact = True
        self.assertEqual(self._skip_reason(self.c1), "do_not_contact")

    def test_skip_no_consent(self):
        self.env["cs.customer.consent"].create(
            {"partner_id": self.c1.id, "purpose": "care", "state": "withdrawn"}
        )
        self.assertEqual(self._skip_reason(self.c1), "no_consent")
        # the other campaign's purpose: an invitation is not a greeting
        event_campaign = self._campaign(kind="appreciation")
        self._run()
        self.assertEqual(self._by_partner(event_campaign)[self.c1].state, "sent")

    def test_skip_blacklisted(self):
        self.env["mail.blacklist"].create({"email": self.c1.email})
        self.assertEqual(self._skip_reason(self.c1), "blacklisted")

    def test_skip_no_email(self):
        self.c1.email = False
        self.assertEqual(self._skip_reason(self.c1), "no_email")
        # a task needs no email
        campaign = self._campaign(channel="task", task_kind="call")
        self._run()
        self.assertEqual(self._by_partner(campaign)[self.c1].state, "sent")

    def test_skip_quiet_period(self):
        self.create_complaint(
            partner_id=self.c1.id, company_id=self.company_b.id, team_id=self.team_c.id
        )
        self.assertEqual(self._skip_reason(self.c1), "quiet_period")
        self.company_b.cs_care_quiet_open_complaint = False
        campaign = self._campaign()
        self._run()
        self.assertEqual(self._by_partner(campaign)[self.c1].state, "sent")

    def test_skip_contact_budget(self):
        self.company_b.write({"cs_care_contact_limit": 1})
        self._campaign()
        self._run()
        self.assertEqual(self._skip_reason(self.c1), "contact_budget")

    # ------------------------------------------------------------------
    # contact policy at send time, contact budget
    # ------------------------------------------------------------------

    def test_consent_withdrawn_after_selection(self):
        campaign = self._campaign(send_time=12.0)
        self._run()
        self.assertEqual(set(campaign.participant_ids.mapped("state")), {"queued"})
        self.env["cs.customer.consent"].create(
            {
                "partner_id": self.c1.id,
                "purpose": "care",
                "channel": "email",
                "state": "withdrawn",
            }
        )
        with freeze_time("2027-03-01 05:00:00"):
            self._run()
        participants = self._by_partner(campaign)
        self.assertEqual(
            (participants[self.c1].state, participants[self.c1].skip_reason),
            ("skipped", "no_consent"),
        )
        self.assertEqual(participants[self.c2].state, "sent")

    def test_contact_budget_across_campaigns_in_the_window(self):
        self.company_b.write(
            {"cs_care_contact_limit": 2, "cs_care_contact_window_days": 11}
        )
        with freeze_time("2027-02-19 03:00:00"):
            self._campaign(date=date(2027, 2, 19))
            self._run()
        with freeze_time("2027-02-25 03:00:00"):
            self._campaign(date=date(2027, 2, 25))
            self._run()
        third = self._campaign()
        self._run()
        self.assertEqual(
            set(third.participant_ids.mapped("skip_reason")), {"contact_budget"}
        )
        # eleven days after the first, a contact is free again
        with freeze_time("2027-03-02 03:00:00"):
            fourth = self._campaign(date=date(2027, 3, 2))
            self._run()
        self.assertEqual(set(fourth.participant_ids.mapped("state")), {"sent"})

    def test_birthday_exemption(self):
        self.company_b.write({"cs_care_contact_limit": 1})
        self.env["cs.customer.sensitive"].create(
            {"partner_id": self.c1.id, "birth_date": date(1980, 3, 1)}
        )
        with freeze_time("2027-02-20 03:00:00"):
            birthday = self._campaign(kind="birthday", date=False)
        self._run()
        greeting = self._campaign()
        self._run()
        # exempt: the birthday neither counts nor is refused
        self.assertEqual(self._by_partner(birthday)[self.c1].state, "sent")
        self.assertEqual(self._by_partner(greeting)[self.c1].state, "sent")
        # not exempt: the birthday greeting is refused after the greeting
        self.company_b.cs_care_birthday_exempt = False
        with freeze_time("2027-02-20 03:00:00"):
            birthday2 = self._campaign(kind="birthday", date=False)
        self._run()
        self.assertEqual(
            self._by_partner(birthday2)[self.c1].skip_reason, "contact_budget"
        )

    # ------------------------------------------------------------------
    # sending window
    # ------------------------------------------------------------------

    def test_sending_window_in_each_time_zone(self):
        self.c1.tz = "Asia/Shanghai"
        self.c2.tz = "Europe/London"
        campaign = self._campaign(send_time=0.0)
        # 07:00 in London is before the window, 15:00 in Shanghai in it
        with freeze_time("2027-03-01 07:00:00"):
            self._run()
        participants = self._by_partner(campaign)
        self.assertEqual(participants[self.c1].state, "sent")
        self.assertEqual(participants[self.c2].state, "queued")
        # 21:00 in London is after the window
        with freeze_time("2027-03-01 21:00:00"):
            self._run()
        self.assertEqual(participants[self.c2].state, "queued")
        with freeze_time("2027-03-02 10:00:00"):
            self._run()
        self.assertEqual(participants[self.c2].state, "sent")

    def test_send_time_in_the_customer_time_zone(self):
        self.c2.tz = False  # the company's: Shanghai
        campaign = self._campaign(send_time=12.0)
        self._run()
        self.assertEqual(set(campaign.participant_ids.mapped("state")), {"queued"})
        with freeze_time("2027-03-01 04:00:00"):
            self._run()
        self.assertEqual(set(campaign.participant_ids.mapped("state")), {"sent"})

    # ------------------------------------------------------------------
    # language, tasks, events
    # ------------------------------------------------------------------

    def test_mail_in_the_customer_language(self):
        self.env["res.lang"]._activate_lang("zh_CN")
        self.template.with_context(lang="zh_CN").write(
            {
                "subject": "节日快乐 {{ object.partner_id.name }}",
                "body_html": "<p>尊敬的 <t t-out='object.partner_id.name'/></p>",
            }
        )
        self.c2.lang = "zh_CN"
        campaign = self._campaign()
        self._run()
        participants = self._by_partner(campaign)
        mail_en = participants[self.c1].mail_message_id
        mail_zh = participants[self.c2].mail_message_id
        self.assertEqual(mail_en.subject, f"Greetings {self.c1.name}")
        self.assertIn("Dear", mail_en.body)
        self.assertEqual(mail_zh.subject, f"节日快乐 {self.c2.name}")
        self.assertIn("尊敬的", mail_zh.body)

    def test_task_channel_plans_followups(self):
        self.c1.cs_relationship_manager_id = self.agent_c
        campaign = self._campaign(channel="task", task_kind="visit", name="Gift day")
        self._run()
        participants = self._by_partner(campaign)
        first, second = participants[self.c1], participants[self.c2]
        self.assertEqual(first.relationship_manager_id, self.agent_c)
        for participant, owner in [(first, self.agent_c), (second, campaign.user_id)]:
            followup = participant.followup_id
            self.assertEqual(participant.channel, "task")
            self.assertEqual(participant.state, "sent")
            self.assertEqual(followup.user_id, owner)
            self.assertEqual(followup.kind, "visit")
            self.assertEqual(followup.planned_date, date(2027, 3, 1))
            self.assertIn("Gift day", followup.name)
            self.assertFalse(participant.mail_message_id)

    def test_special_need_gets_a_task_instead_of_a_mail(self):
        need = self.env["cs.special.need"].create(
            {"name": "Send elderly", "kind": "elderly", "contact_channel": "phone"}
        )
        self.c1.write({"cs_special_need_ids": [Command.set(need.ids)], "email": False})
        campaign = self._campaign()
        self._run()
        participants = self._by_partner(campaign)
        self.assertEqual(participants[self.c1].state, "sent")
        self.assertEqual(participants[self.c1].channel, "task")
        self.assertEqual(participants[self.c1].followup_id.kind, "phone")
        self.assertEqual(participants[self.c2].channel, "email")

    def test_event_campaign_registers_before_mailing(self):
        event = self.env["event.event"].create(
            {
                "name": "Send dinner",
                "date_begin": datetime(2027, 3, 10, 10),
                "date_end": datetime(2027, 3, 10, 12),
            }
        )
        campaign = self._campaign(kind="appreciation", event_id=event.id)
        self._run()
        for participant in campaign.participant_ids:
            self.assertEqual(participant.registration_id.event_id, event)
            self.assertEqual(participant.state, "sent")
        # an event campaign stays running for the answers
        self.assertEqual(campaign.state, "running")

    # ------------------------------------------------------------------
    # failures and exactly once
    # ------------------------------------------------------------------

    def test_failing_record_does_not_stop_the_batch(self):
        bad = self._customer("Bad")
        self.template.subject = (
            "{{ 1 / (0 if object.partner_id.name == 'Send Bad' else 1) }}"
        )
        campaign = self._campaign()
        with mute_logger(MIXIN_LOGGER, "odoo.addons.mail.models.mail_render_mixin"):
            self._run()
        participants = self._by_partner(campaign)
        self.assertEqual(participants[bad].state, "failed")
        self.assertTrue(participants[bad].failure_reason)
        self.assertFalse(participants[bad].mail_message_id)
        for partner in (self.c1, self.c2):
            self.assertEqual(participants[partner].state, "sent")
        # once rolled back, the failed one was mailed by no-one, the others once
        self.assertEqual(
            self.env["mail.mail"].search_count(
                [
                    ("model", "=", "cs.care.participant"),
                    ("res_id", "in", campaign.participant_ids.ids),
                ]
            ),
            2,
        )
        self._run()
        self.assertEqual(participants[bad].state, "failed")

    def test_scheduled_action_reports_progress(self):
        self._customer("C3")
        campaign = self._campaign()
        campaign._cs_materialise_due()
        self.assertEqual(len(campaign.participant_ids), 3)
        cron = self.env.ref("customer_service_bank.ir_cron_cs_care_send")
        progress = self.env["ir.cron.progress"].create({"cron_id": cron.id})
        self.Participant.with_context(ir_cron_progress_id=progress.id)._cron_send_care(
            batch_size=2
        )
        self.assertEqual((progress.done, progress.remaining), (2, 1))
        self.Participant._cron_send_care(batch_size=2)
        self.assertEqual(set(campaign.participant_ids.mapped("state")), {"sent"})

    def _queue_customers(self, size):
        tier = self.env["cs.segment"].create({"name": f"Q{size}", "kind": "tier"})
        for index in range(size):
            self._customer(f"Q{size}-{index}", tier)
        campaign = self._campaign(tier_ids=[Command.set(tier.ids)])
        campaign._cs_materialise_due()
        self.env.flush_all()
        self.env.invalidate_all()
        return campaign

    def test_query_count_does_not_grow_with_the_batch(self):
        # the first batch reads what stays cached: languages, template
        self._queue_customers(5)
        self.Participant.sudo()._run_batch_job(1000)
        for size in (50, 100):
            campaign = self._queue_customers(size)
            with self.assertQueryCount(SEND_BATCH_QUERIES):
                self.Participant.sudo()._run_batch_job(1000)
                self.env.flush_all()
            self.assertEqual(campaign.participant_ids.mapped("state"), ["sent"] * size)

    # ------------------------------------------------------------------
    # run now, bad input, access
    # ------------------------------------------------------------------

    def test_run_now(self):
        campaign = self._campaign()
        action = campaign.with_user(self.supervisor_c).action_cs_run_now()
        self.assertEqual(action["tag"], "display_notification")
        self.assertIn("2 queued, 2 sent, 0 skipped", action["params"]["message"])
        self.assertEqual(set(campaign.participant_ids.mapped("state")), {"sent"})
        # again: nothing more
        action = campaign.with_user(self.supervisor_c).action_cs_run_now()
        self.assertIn("0 queued, 0 sent", action["params"]["message"])

    def test_run_now_refused(self):
        draft = self._campaign(approve=False)
        with self.assertRaisesRegex(UserError, "must be Approved or Running"):
            draft.with_user(self.supervisor_c).action_cs_run_now()
        later = self._campaign(date=date(2027, 4, 2))
        with self.assertRaisesRegex(UserError, "runs on 2027-04-02"):
            later.with_user(self.supervisor_c).action_cs_run_now()
        past = self._campaign(date=date(2027, 1, 2))
        with self.assertRaisesRegex(UserError, "has passed"):
            past.with_user(self.supervisor_c).action_cs_run_now()
        campaign = self._campaign()
        with self.assertRaises(AccessError):
            campaign.with_user(self.agent_c).action_cs_run_now()
        self.assertFalse(campaign.participant_ids)

    def test_agents_never_see_birth_dates(self):
        self.c1.cs_relationship_manager_id = self.agent_c
        self.env["cs.customer.sensitive"].create(
            {"partner_id": self.c1.id, "birth_date": date(1980, 3, 1)}
        )
        with freeze_time("2027-02-20 03:00:00"):
            campaign = self._campaign(kind="birthday", date=False)
        self._run()
        participant = self.Participant.with_user(self.agent_c).search(
            [("campaign_id", "=", campaign.id)]
        )
        self.assertEqual(participant.partner_id, self.c1)
        self.assertEqual(participant.state, "sent")
        with self.assertRaises(AccessError):
            participant.read(["occurrence_date"])
        with self.assertRaises(AccessError):
            participant.search([("occurrence_date", "=", date(2027, 3, 1))])
        self.assertNotIn(
            "occurrence_date",
            participant.fields_get(attributes=["type"]),
        )


@freeze_time(MORNING)
class TestCareMailQueue(CareSendingCommon, MockEmail):
    def test_queued_mails_are_sent_by_the_mail_queue(self):
        # the mails are inserted in the queue with SQL: Odoo's own queue
        # must find and send them as it sends the mails it creates
        self.env["res.lang"]._activate_lang("zh_CN")
        self.template.with_context(
            lang="zh_CN"
        ).subject = "节日快乐 {{ object.partner_id.name }}"
        customer = self._customer("Queue", lang="zh_CN")
        campaign = self._campaign()
        self._run()
        participant = campaign.participant_ids
        self.assertEqual(participant.partner_id, customer)
        message = participant.mail_message_id
        self.assertEqual(
            (message.model, message.res_id), (participant._name, participant.id)
        )
        self.assertEqual(message.message_type, "email_outgoing")
        self.assertEqual(message.record_name, campaign.name)
        self.assertTrue(message.message_id)
        mail = (
            self.env["mail.mail"].sudo().search([("mail_message_id", "=", message.id)])
        )
        self.assertEqual(mail.recipient_ids, customer)
        self.assertEqual(mail.state, "outgoing")
        with self.mock_mail_gateway():
            self.env["mail.mail"].sudo().process_email_queue()
        sent = [m for m in self._mails if customer.email in "".join(m["email_to"])]
        self.assertEqual(len(sent), 1)
        self.assertEqual(sent[0]["subject"], f"节日快乐 {customer.name}")
        self.assertIn(customer.name, sent[0]["body"])
        self.assertEqual(mail.state, "sent")


class TestCareSendingTransactions(TransactionCase):
    """Crash and rerun, two workers at once: real committed transactions.

    Another transaction only sees committed rows: the campaign, its
    customers and everything they need are committed in the main company,
    and deleted after the test.
    """

    def _commit_campaign(self, customers=4):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
            company = env.ref("base.main_company")
            template = env["mail.template"].create(
                {
                    "name": "Committed greeting",
                    "model_id": env.ref(
                        "customer_service_bank.model_cs_care_participant"
                    ).id,
                    "subject": "Greetings {{ object.partner_id.name }}",
                    "body_html": "<p>Dear <t t-out='object.partner_id.name'/></p>",
                }
            )
            tier = env["cs.segment"].create({"name": "Committed tier", "kind": "tier"})
            team = env["cs.team"].create(
                {"name": "Committed team", "company_id": company.id}
            )
            partners = env["res.partner"].create(
                [
                    {
                        "name": f"Committed {index}",
                        "email": f"committed{index}@example.com",
                        "cs_customer_number": f"CMT-{index:04d}",
                        "company_id": company.id,
                        "tz": "Asia/Shanghai",
                    }
                    for index in range(customers)
                ]
            )
            partners.cs_metrics_ids.write({"computed_segment_id": tier.id})
            campaign = env["cs.care.campaign"].create(
                {
                    "name": "Committed campaign",
                    "kind": "other",
                    "date": date(2027, 3, 1),
                    "team_id": team.id,
                    "company_id": company.id,
                    "mail_template_id": template.id,
                    "tier_ids": [Command.set(tier.ids)],
                    "state": "approved",
                }
            )
            campaign._cs_materialise_due()
            self.assertEqual(len(campaign.participant_ids), customers)
            ids = (campaign.id, template.id, tier.id, team.id, partners.ids)
        self.addCleanup(self._delete_committed, *ids)
        return ids

    def _delete_committed(
        self, campaign_id, template_id, tier_id, team_id, partner_ids
    ):
        with self.registry.cursor() as cr:
            cr.execute("SET LOCAL lock_timeout = '10s'")
            cr.execute(
                "DELETE FROM mail_message WHERE model = 'cs.care.participant' AND"
                " res_id IN (SELECT id FROM cs_care_participant"
                " WHERE campaign_id = %s)",
                [campaign_id],
            )
            for query in [
                "DELETE FROM cs_care_participant WHERE campaign_id = %s",
                (
                    "DELETE FROM mail_message WHERE model = 'cs.care.campaign'"
                    " AND res_id = %s"
                ),
                (
                    "DELETE FROM mail_followers WHERE res_model = 'cs.care.campaign'"
                    " AND res_id = %s"
                ),
                "DELETE FROM cs_care_campaign WHERE id = %s",
            ]:
                cr.execute(query, [campaign_id])
            cr.execute("DELETE FROM mail_template WHERE id = %s", [template_id])
            cr.execute(
                "DELETE FROM cs_customer_metrics WHERE partner_id = ANY(%s)",
                [partner_ids],
            )
            cr.execute("DELETE FROM res_partner WHERE id = ANY(%s)", [partner_ids])
            cr.execute("DELETE FROM cs_team WHERE id = %s", [team_id])
            cr.execute("DELETE FROM cs_segment WHERE id = %s", [tier_id])

    def _worker(self, cr):
        cr.execute("SET LOCAL lock_timeout = '10s'")
        return api.Environment(cr, SUPERUSER_ID, {})["cs.care.participant"]

    def _mails(self, campaign_id):
        with self.registry.cursor() as cr:
            cr.execute(
                """SELECT cp.id, count(m.id) FROM cs_care_participant cp
                     LEFT JOIN mail_message m
                       ON m.model = 'cs.care.participant' AND m.res_id = cp.id
                    WHERE cp.campaign_id = %s GROUP BY cp.id ORDER BY cp.id""",
                [campaign_id],
            )
            return [count for _id, count in cr.fetchall()]

    @freeze_time(MORNING)
    def test_crash_then_rerun_mails_each_once(self):
        campaign_id = self._commit_campaign()[0]

        def crash(*args, **kwargs):
            raise RuntimeError("worker killed")

        with (
            patch.object(ir_cron, "_notify_progress", crash),
            self.assertRaisesRegex(RuntimeError, "worker killed"),
            self.registry.cursor() as cr,
        ):
            self._worker(cr)._run_batch_job(3, campaign_ids=[campaign_id])
        self.assertEqual(self._mails(campaign_id), [0, 0, 0, 0])
        with self.registry.cursor() as cr:
            self.assertEqual(
                len(self._worker(cr)._run_batch_job(10, campaign_ids=[campaign_id])), 4
            )
        with self.registry.cursor() as cr:
            self.assertFalse(
                self._worker(cr)._run_batch_job(10, campaign_ids=[campaign_id])
            )
        self.assertEqual(self._mails(campaign_id), [1, 1, 1, 1])

    @freeze_time(MORNING)
    def test_two_workers_at_once_mail_each_once(self):
        campaign_id = self._commit_campaign()[0]
        with self.registry.cursor() as cr_a, self.registry.cursor() as cr_b:
            worker_a, worker_b = self._worker(cr_a), self._worker(cr_b)
            done_a = worker_a._run_batch_job(2, campaign_ids=[campaign_id])
            # B neither waits for A nor takes A's participants
            done_b = worker_b._run_batch_job(10, campaign_ids=[campaign_id])
            self.assertEqual(len(done_a), 2)
            self.assertEqual(len(done_b), 2)
            self.assertFalse(set(done_a.ids) & set(done_b.ids))
        self.assertEqual(self._mails(campaign_id), [1, 1, 1, 1])
        with self.registry.cursor() as cr:
            self.assertFalse(
                self._worker(cr)._run_batch_job(10, campaign_ids=[campaign_id])
            )

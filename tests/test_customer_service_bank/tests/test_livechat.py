from datetime import datetime

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import (
    Form,
    HttpCase,
    TransactionCase,
    freeze_time,
    new_test_user,
    tagged,
)

from .common import CsCommon


class LivechatCommon(CsCommon):
    """A live chat channel of team A (Mainland China calendar, Monday to
    Friday 8:00-12:00 and 13:00-17:00 in Shanghai), agent_a its operator."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.agent_a.groups_id = [
            Command.link(cls.env.ref("im_livechat.im_livechat_group_user").id)
        ]
        cls.livechat = cls.env["im_livechat.channel"].create(
            {
                "name": "Test Customer Service",
                "cs_team_id": cls.team_a.id,
                "user_ids": [Command.set(cls.agent_a.ids)],
            }
        )
        cls.guest = cls.env["mail.guest"].create({"name": "Visitor 42"})

    @classmethod
    def start_chat(cls, *lines, operator=None, visitor=None):
        """A live chat of ``operator`` (agent_a) with ``visitor`` (a guest, or
        a partner), its ``lines`` (who, text) written in turn by "visitor" or
        "operator"."""
        operator = operator or cls.agent_a
        visitor_member = (
            {"partner_id": visitor.id} if visitor else {"guest_id": cls.guest.id}
        )
        chat = cls.env["discuss.channel"].create(
            {
                "name": "Visitor 42 Agent A",
                "channel_type": "livechat",
                "livechat_channel_id": cls.livechat.id,
                "livechat_operator_id": operator.partner_id.id,
                "anonymous_name": False if visitor else "Visitor 42",
                "channel_member_ids": [
                    Command.create({"partner_id": operator.partner_id.id})
                ],
            }
        )
        # a guest cannot be given at the creation of a channel
        chat.channel_member_ids = [Command.create(visitor_member)]
        for who, text in lines:
            author = {"author_id": operator.partner_id.id}
            if who == "visitor":
                author = (
                    {"author_id": visitor.id}
                    if visitor
                    else {"author_id": False, "author_guest_id": cls.guest.id}
                )
            cls.env["mail.message"].create(
                {
                    "model": "discuss.channel",
                    "res_id": chat.id,
                    "message_type": "comment",
                    "body": text,
                    **author,
                }
            )
        return chat

    def chat_complaint(self, chat):
        return (
            self.env["cs.complaint"]
            .with_context(active_test=False)
            .search([("chat_channel_id", "=", chat.id)])
        )


class TestLivechatComplaint(LivechatCommon):
    def test_operator_turns_chat_into_complaint(self):
        """The operator's /complaint registers the chat: the customer found
        by the address given in the chat, the customer's words described,
        the whole transcript attached."""
        chat = self.start_chat(
            ("visitor", "My card was charged twice for one hotel night."),
            ("operator", "Sorry about that. Your email address, please?"),
            ("visitor", "It is ONE@example.com"),
        )
        chat.with_user(self.agent_a).execute_command_complaint(
            body="/complaint Card charged twice"
        )

        complaint = self.chat_complaint(chat)
        self.assertEqual(len(complaint), 1)
        self.assertRegex(complaint.name, r"^CMP/\d{4}/\d{5}$")
        self.assertEqual(complaint.subject, "Card charged twice")
        self.assertEqual(complaint.partner_id, self.customer)
        self.assertEqual(complaint.channel, "live_chat")
        self.assertEqual(complaint.team_id, self.team_a, "the channel's team")
        self.assertEqual(complaint.create_uid, self.agent_a)
        self.assertFalse(complaint.user_id, "routed as any new complaint")
        self.assertIn("charged twice for one hotel night", complaint.description)
        self.assertNotIn("Sorry about that", complaint.description)
        self.assertEqual(complaint.description.count("<p>"), 2, "a paragraph a message")
        self.assertIn(self.customer, complaint.message_partner_ids)

        transcript = self.env["ir.attachment"].search(
            [("res_model", "=", "cs.complaint"), ("res_id", "=", complaint.id)]
        )
        self.assertEqual(len(transcript), 1)
        self.assertEqual(transcript.name, f"Live chat transcript {complaint.name}.txt")
        text = transcript.raw.decode()
        lines = text.splitlines()
        self.assertIn("Test Customer Service", lines[0])
        self.assertRegex(
            lines[2],
            r"^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\] Visitor 42: My card was "
            r"charged twice for one hotel night\.$",
        )
        self.assertTrue(
            lines[3].endswith(
                f"] {self.agent_a.name}: Sorry about that. Your email address, please?"
            )
        )
        self.assertIn("ONE@example.com", lines[4])
        note = complaint.message_ids.filtered(lambda m: transcript in m.attachment_ids)
        self.assertEqual(len(note), 1, "the chatter tells where it came from")
        self.assertEqual(note.author_id, self.agent_a.partner_id)

    def test_subject_defaults_to_the_customer_first_words(self):
        chat = self.start_chat(
            ("visitor", "The ATM at People's Square kept my card " * 4),
            ("visitor", "one@example.com"),
        )
        chat.with_user(self.agent_a).execute_command_complaint(body="/complaint")
        complaint = self.chat_complaint(chat)
        self.assertTrue(complaint.subject.startswith("The ATM at People's Square"))
        self.assertLessEqual(len(complaint.subject), 80)

    def test_new_customer_created_from_the_address_in_the_chat(self):
        chat = self.start_chat(
            ("visitor", "My transfer never arrived: new.customer@example.com"),
        )
        chat.with_user(self.agent_a).execute_command_complaint(body="/complaint")
        partner = self.chat_complaint(chat).partner_id
        self.assertEqual(partner.email, "new.customer@example.com")
        self.assertEqual(partner.company_id, self.company_a)

    def test_customer_in_the_chat_is_linked(self):
        """A customer logged in (a member of the chat) needs no address."""
        portal_partner = self.portal.partner_id
        chat = self.start_chat(
            ("visitor", "My loan statement is wrong."), visitor=portal_partner
        )
        chat.with_user(self.agent_a).execute_command_complaint(body="/complaint")
        complaint = self.chat_complaint(chat)
        self.assertEqual(complaint.partner_id, portal_partner)

        # the customer sees the complaint in the portal, not the bank's link
        self.assertEqual(
            complaint.with_user(self.portal).read(["name"])[0]["name"], complaint.name
        )
        with self.assertRaises(AccessError):
            complaint.with_user(self.portal).read(["chat_channel_id"])

    def test_bad_inputs(self):
        empty = self.start_chat(("operator", "Hello, how can I help?"))
        with self.assertRaisesRegex(UserError, "written nothing"):
            empty.with_user(self.agent_a).execute_command_complaint(body="/complaint")

        anonymous = self.start_chat(("visitor", "Your fees are too high."))
        with self.assertRaisesRegex(UserError, "no email address or phone number"):
            anonymous.with_user(self.agent_a).execute_command_complaint(
                body="/complaint"
            )
        self.assertFalse(self.chat_complaint(anonymous))

        chat = self.start_chat(("visitor", "Fees again: one@example.com"))
        with self.assertRaisesRegex(UserError, "Only customer service agents"):
            chat.with_user(self.employee).execute_command_complaint(body="/complaint")
        with self.assertRaisesRegex(UserError, "Only customer service agents"):
            chat.with_user(self.employee).action_cs_create_complaint()
        chat.with_user(self.agent_a).execute_command_complaint(body="/complaint")
        complaint = self.chat_complaint(chat)
        with self.assertRaisesRegex(UserError, f"already complaint {complaint.name}"):
            chat.with_user(self.agent_a).execute_command_complaint(body="/complaint")

        group_chat = self.env["discuss.channel"].create(
            {"name": "Team room", "channel_type": "channel"}
        )
        with self.assertRaisesRegex(UserError, "Only a live chat"):
            group_chat._cs_create_complaint()

    def test_access(self):
        """The chat link of a complaint is shown to live chat users only, the
        team of a channel to customer service; both forms open for all."""
        chat = self.start_chat(("visitor", "one@example.com: card blocked"))
        chat.with_user(self.agent_a).execute_command_complaint(body="/complaint")
        complaint = self.chat_complaint(chat)

        with Form(complaint.with_user(self.agent_a)) as form:
            self.assertEqual(form.chat_channel_id, chat)
        agent_a2 = self.agent_a2
        with Form(complaint.with_user(agent_a2)) as form:
            self.assertNotIn("chat_channel_id", form._view["fields"])
        self.assertEqual(complaint.with_user(agent_a2).chat_channel_id, chat)

        livechat_admin = new_test_user(
            self.env,
            "cs_t_livechat_admin",
            groups="base.group_user,im_livechat.im_livechat_group_manager",
        )
        with Form(self.livechat.with_user(livechat_admin)) as form:
            self.assertNotIn("cs_team_id", form._view["fields"])
        self.manager.groups_id = [
            Command.link(self.env.ref("im_livechat.im_livechat_group_manager").id)
        ]
        with Form(self.livechat.with_user(self.manager)) as form:
            self.assertEqual(form.cs_team_id, self.team_a)
            form.cs_team_id = self.team_b
        self.assertEqual(self.livechat.cs_team_id, self.team_b)


class TestLivechatDemo(TransactionCase):
    def test_demo_channel(self):
        """The demo "Customer Service" channel: the Shanghai team's operators,
        the out-of-hours chatbot by rule, a past chat made a complaint."""
        ref = self.env.ref
        livechat = ref("customer_service_bank.cs_demo_livechat_channel")
        team = ref("customer_service_bank.cs_demo_team_shanghai")
        self.assertEqual(livechat.name, "Customer Service")
        self.assertEqual(livechat.cs_team_id, team)
        self.assertTrue(team.member_ids <= livechat.user_ids)
        rule = ref("customer_service_bank.cs_demo_livechat_rule")
        self.assertTrue(rule.chatbot_only_if_no_operator)
        self.assertIn(
            "create_complaint",
            rule.chatbot_script_id.script_step_ids.mapped("step_type"),
        )
        chat = ref("customer_service_bank.cs_demo_livechat_session")
        complaint = self.env["cs.complaint"].search([("chat_channel_id", "=", chat.id)])
        self.assertEqual(complaint.partner_id.email, "wu.hao@example.cn")
        self.assertEqual(complaint.team_id, team)
        self.assertEqual(complaint.channel, "live_chat")
        self.assertEqual(len(complaint.message_ids.attachment_ids), 1)


class TestLivechatHours(LivechatCommon):
    def test_team_working_hours(self):
        """Working days of the team calendar (holidays, make-up days) at the
        hours of its attendances, in Shanghai time (UTC+8)."""
        cases = [
            (datetime(2026, 11, 2, 2, 0), True, "Monday 10:00"),
            (datetime(2026, 11, 2, 4, 30), False, "Monday 12:30, lunch"),
            (datetime(2026, 11, 2, 8, 59), True, "Monday 16:59"),
            (datetime(2026, 11, 2, 9, 0), False, "Monday 17:00"),
            (datetime(2026, 11, 1, 23, 59), False, "Monday 7:59"),
            (datetime(2026, 11, 7, 2, 0), False, "Saturday 10:00"),
            (datetime(2026, 10, 1, 2, 0), False, "National Day 10:00"),
            (datetime(2026, 9, 20, 2, 0), True, "Sunday 20 Sept, made up"),
        ]
        for moment, working, label in cases:
            with self.subTest(label):
                self.assertEqual(self.livechat._cs_team_working(moment), working)
        no_team = self.livechat.copy({"cs_team_id": False})
        self.assertTrue(no_team._cs_team_working(datetime(2026, 11, 7, 2, 0)))

    def test_operators_unavailable_out_of_hours(self):
        """Online operators serve the chat in the team's hours only; out of
        them, the visitor gets the chatbot."""
        self.env["bus.presence"].create(
            {"user_id": self.agent_a.id, "status": "online"}
        )
        with freeze_time("2026-11-02 02:00:00"):
            self.livechat.invalidate_recordset(["available_operator_ids"])
            self.assertEqual(self.livechat.available_operator_ids, self.agent_a)
        with freeze_time("2026-11-02 12:00:00"):
            self.livechat.invalidate_recordset(["available_operator_ids"])
            self.assertFalse(self.livechat.available_operator_ids)
            self.assertFalse(self.livechat._get_operator())


@tagged("post_install", "-at_install")
class TestLivechatChatbot(LivechatCommon, HttpCase):
    """Out of hours the chatbot registers the complaint and answers its
    reference, as the public visitor of the live chat."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.script = cls.env["chatbot.script"].create({"title": "Night Bot"})
        Step = cls.env["chatbot.script.step"]
        (
            cls.step_welcome,
            cls.step_describe,
            cls.step_email,
            cls.step_phone,
            cls.step_complaint,
        ) = Step.create(
            [
                dict(vals, chatbot_script_id=cls.script.id)
                for vals in [
                    {"step_type": "text", "message": "We are closed."},
                    {"step_type": "free_input_multi", "message": "Your complaint?"},
                    {"step_type": "question_email", "message": "Your email?"},
                    {"step_type": "question_phone", "message": "Your phone?"},
                    {"step_type": "create_complaint", "message": "Thank you."},
                ]
            ]
        )
        cls.env["im_livechat.channel.rule"].create(
            {
                "channel_id": cls.livechat.id,
                "chatbot_script_id": cls.script.id,
                "chatbot_only_if_no_operator": True,
            }
        )
        cls.user_public = cls.env.ref("base.public_user")

    def start_bot_chat(self):
        data = self.make_jsonrpc_request(
            "/im_livechat/get_session",
            {
                "anonymous_name": "Night Visitor",
                "channel_id": self.livechat.id,
                "chatbot_script_id": self.script.id,
            },
        )
        chat = self.env["discuss.channel"].browse(data["discuss.channel"][0]["id"])
        # the welcome steps are posted: the bot waits for the description
        self.assertEqual(chat.chatbot_current_step_id, self.step_describe)
        return chat.with_user(self.user_public).sudo()

    def answer(self, chat, text):
        message = chat.message_post(body=text, message_type="comment")
        step = chat.chatbot_current_step_id._process_answer(chat, message.body)
        return step._process_step(chat)

    def test_chatbot_creates_complaint_with_reference(self):
        chat = self.start_bot_chat()
        self.answer(chat, "My card was swallowed by the ATM tonight.")
        self.answer(chat, "night.owl@example.com")
        reply = self.answer(chat, "+86 138 0000 0000")

        complaint = self.chat_complaint(chat)
        self.assertEqual(len(complaint), 1)
        self.assertIn(complaint.name, reply.body, "the customer gets the reference")
        self.assertIn("Thank you.", reply.body)
        self.assertEqual(reply.author_id, self.script.operator_partner_id)
        self.assertEqual(complaint.team_id, self.team_a)
        self.assertEqual(complaint.channel, "live_chat")
        self.assertEqual(complaint.subject, "My card was swallowed by the ATM tonight.")
        self.assertEqual(complaint.partner_id.email, "night.owl@example.com")
        self.assertEqual(complaint.partner_id.phone, "+86 138 0000 0000")
        self.assertNotIn("night.owl", complaint.description, "contact is no complaint")
        transcript = complaint.message_ids.attachment_ids
        self.assertEqual(len(transcript), 1)
        self.assertIn("Your complaint?", transcript.raw.decode())
        self.assertIn("swallowed by the ATM", transcript.raw.decode())

        # the script run again (restarted) registers nothing twice
        again = self.step_complaint._process_step(chat)
        self.assertIn(
            f"already registered under the reference {complaint.name}", again.body
        )
        self.assertEqual(self.chat_complaint(chat), complaint)

    def test_chatbot_finds_known_customer(self):
        chat = self.start_bot_chat()
        self.answer(chat, "Wrong interest on my deposit.")
        self.answer(chat, "One@Example.com")
        self.answer(chat, "12345")
        self.assertEqual(self.chat_complaint(chat).partner_id, self.customer)

    def test_chatbot_without_contact_explains(self):
        chat = self.start_bot_chat()
        self.answer(chat, "The app logs me out.")
        # the email step skipped (as by a branch of the script), the visitor
        # leaves the phone blank
        chat.chatbot_current_step_id = self.step_phone
        reply = self.answer(chat, " ")
        self.assertIn("without an email address or a phone number", reply.body)
        self.assertFalse(self.chat_complaint(chat))

    def test_script_needs_contact_and_description(self):
        script = self.env["chatbot.script"].create({"title": "Bad Bot"})

        def steps(*types):
            return self.env["chatbot.script.step"].create(
                [
                    {"chatbot_script_id": script.id, "step_type": step_type}
                    for step_type in types
                ]
            )

        with self.assertRaisesRolledBack(ValidationError, "email or phone"):
            steps("free_input_single", "create_complaint")
        with self.assertRaisesRolledBack(ValidationError, "describe"):
            steps("question_email", "create_complaint")
        self.assertEqual(
            len(steps("free_input_single", "question_phone", "create_complaint")), 3
        )


@tagged("post_install", "-at_install")
class TestLivechatUi(LivechatCommon, HttpCase):
    def test_livechat_complaint_tour(self):
        """An operator turns a chat into a complaint in the web client."""
        customer = self.env["res.partner"].create(
            {"name": "Tour Chat Customer", "email": "tour.chat@example.com"}
        )
        chat = self.start_chat(
            ("visitor", "My card was charged twice for the hotel in Hangzhou."),
            ("operator", "Which email address do you use with us?"),
            ("visitor", "tour.chat@example.com"),
        )

        self.start_tour(
            f"/odoo/discuss?active_id=discuss.channel_{chat.id}",
            "cs_livechat_complaint_tour",
            login=self.agent_a.login,
        )

        complaint = self.chat_complaint(chat)
        self.assertEqual(complaint.subject, "Tour: card charged twice")
        self.assertEqual(complaint.partner_id, customer)
        self.assertEqual(complaint.create_uid, self.agent_a)
        self.assertEqual(len(complaint.message_ids.attachment_ids), 1)

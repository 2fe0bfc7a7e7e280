"""The complaint API: JSON calls with an API key, idempotent by the
caller's external reference, with an error object for each bad input."""

import json
from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError
from odoo.tests import HttpCase, new_test_user, tagged

from .common import CsCommon

CREATE = "/cs/api/v1/complaints"
STATUS = "/cs/api/v1/complaints/status"


@tagged("post_install", "-at_install")
class TestApiIntake(CsCommon, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.integration = new_test_user(
            cls.env,
            "cs_t_integration",
            groups="customer_service_bank.group_cs_integration",
            company_id=cls.company_a.id,
            company_ids=[cls.company_a.id],
        )
        cls.key = cls._new_key(cls.integration)
        cls.company_a.cs_intake_team_id = cls.team_a
        cls.customer.cs_customer_number = "T-0001"
        cls.customer2.cs_customer_number = "T-0002"
        cls.Complaint = cls.env["cs.complaint"].with_context(active_test=False)

    @classmethod
    def _new_key(cls, user):
        return (
            cls.env["res.users.apikeys"]
            .with_user(user)
            .sudo()
            ._generate(None, "test key", None)
        )

    def _call(self, path, params, key=None):
        response = self.url_open(
            path,
            data=json.dumps({"jsonrpc": "2.0", "id": 1, "params": params}),
            headers={
                "Content-Type": "application/json",
                "Authorization": f"Bearer {key or self.key}",
            },
        )
        self.assertEqual(response.status_code, 200)
        body = response.json()
        self.assertNotIn("error", body)
        self._last_response = response
        return body["result"]

    def _item(self, ref="EXT-1", **values):
        return {
            "external_ref": ref,
            "customer_number": "T-0001",
            "subject": "Card blocked abroad",
            "description": "My card was blocked in Paris.",
            "category_code": "T-CARD",
            "channel": "mobile_app",
            **values,
        }

    def _by_ref(self, ref):
        return self.Complaint.search([("external_ref", "=", ref)])

    def test_create_one_returns_reference_deadlines_and_status(self):
        result = self._call(CREATE, {"complaint": self._item()})
        complaint = self._by_ref("EXT-1")
        self.assertTrue(result["created"])
        self.assertEqual(result["reference"], complaint.name)
        self.assertEqual(result["status"], complaint.stage_id.name)
        self.assertEqual(
            result["resolve_deadline"],
            fields.Datetime.to_string(complaint.resolve_deadline),
        )
        self.assertEqual(
            result["ack_deadline"],
            fields.Datetime.to_string(complaint.ack_deadline) or None,
        )
        self.assertTrue(result["resolve_deadline"])
        self.assertEqual(complaint.partner_id, self.customer)
        self.assertEqual(complaint.category_id, self.cat_cards)
        self.assertEqual(complaint.channel, "mobile_app")
        self.assertEqual(complaint.team_id, self.team_a)
        self.assertEqual(complaint.create_uid, self.integration)
        self.assertIn("blocked in Paris", str(complaint.description))

    def test_retry_returns_the_same_complaint(self):
        first = self._call(CREATE, {"complaint": self._item()})
        again = self._call(CREATE, {"complaint": self._item(subject="Changed")})
        self.assertFalse(again["created"])
        self.assertEqual(again["reference"], first["reference"])
        self.assertEqual(len(self._by_ref("EXT-1")), 1)
        self.assertEqual(self._by_ref("EXT-1").subject, "Card blocked abroad")

    def test_batch_with_a_repeat_creates_each_once(self):
        self._call(CREATE, {"complaint": self._item("EXT-0")})
        items = [
            self._item("EXT-0"),
            self._item("EXT-1"),
            self._item("EXT-2", customer_number="T-0002"),
            self._item("EXT-1"),
        ]
        results = self._call(CREATE, {"complaints": items})["complaints"]
        self.assertEqual([r["index"] for r in results], [0, 1, 2, 3])
        self.assertEqual([r["created"] for r in results], [False, True, True, False])
        self.assertEqual(results[1]["reference"], results[3]["reference"])
        for ref in ("EXT-0", "EXT-1", "EXT-2"):
            self.assertEqual(len(self._by_ref(ref)), 1)

    def test_batch_limit_from_settings(self):
        self.company_a.cs_api_batch_limit = 2
        items = [self._item(f"EXT-{n}") for n in range(3)]
        result = self._call(CREATE, {"complaints": items})
        self.assertEqual(result["error"]["code"], "too_many_items")
        self.assertFalse(self.Complaint.search([("external_ref", "like", "EXT-")]))
        results = self._call(CREATE, {"complaints": items[:2]})["complaints"]
        self.assertTrue(all(r["created"] for r in results))

    def test_every_bad_item_has_its_error(self):
        self.company_a.cs_api_text_limit = 30
        future = fields.Datetime.to_string(
            fields.Datetime.now() + timedelta(days=1)
        ).replace(" ", "T")
        cases = [
            ({"customer_number": None}, "customer_missing", "customer_number"),
            ({"customer_number": "NOPE"}, "customer_unknown", "customer_number"),
            ({"category_code": "NOPE"}, "category_unknown", "category_code"),
            ({"channel": "fax"}, "channel_unknown", "channel"),
            ({"subject": 42}, "wrong_type", "subject"),
            ({"external_ref": ["x"]}, "wrong_type", "external_ref"),
            ({"received_date": "yesterday"}, "wrong_type", "received_date"),
            ({"external_ref": " "}, "missing_field", "external_ref"),
            ({"subject": "x" * 31}, "text_too_long", "subject"),
            ({"description": "x" * 31}, "text_too_long", "description"),
            ({"received_date": future}, "received_date_future", "received_date"),
            ({"received_date": "2001-01-01T00:00:00Z"}, "invalid", None),
        ]
        items = [
            self._item(f"BAD-{n}", **values) for n, (values, *_) in enumerate(cases)
        ]
        items.append(self._item("GOOD"))
        results = self._call(CREATE, {"complaints": items})["complaints"]
        for index, (values, code, field) in enumerate(cases):
            with self.subTest(values=values):
                error = results[index]["error"]
                self.assertEqual(error["code"], code)
                self.assertEqual(error.get("field"), field)
                self.assertEqual(error["index"], index)
                self.assertTrue(error["message"])
        self.assertTrue(results[-1]["created"], "the good item is still created")
        self.assertFalse(self.Complaint.search([("external_ref", "like", "BAD-")]))
        single = self._call(CREATE, {"complaint": self._item(channel="fax")})
        self.assertEqual(single["error"]["code"], "channel_unknown")
        for params in ({}, {"complaint": "x"}, {"complaints": {"a": 1}}):
            with self.subTest(params=params):
                result = self._call(CREATE, params)
                self.assertEqual(result["error"]["code"], "wrong_type")

    def test_received_date_with_offset_is_stored_in_utc(self):
        self._call(
            CREATE, {"complaint": self._item(received_date="2026-01-05T09:30:00+08:00")}
        )
        self.assertEqual(
            fields.Datetime.to_string(self._by_ref("EXT-1").received_date),
            "2026-01-05 01:30:00",
        )

    def test_status_by_external_ref(self):
        created = self._call(CREATE, {"complaint": self._item()})
        status = self._call(STATUS, {"external_ref": "EXT-1"})["complaint"]
        self.assertEqual(status["reference"], created["reference"])
        self.assertEqual(status["stage_kind"], self._by_ref("EXT-1").stage_kind)
        missing = self._call(STATUS, {"external_ref": "NOPE"})
        self.assertEqual(missing["error"]["code"], "not_found")

    def test_unknown_parameter_is_refused(self):
        """A parameter the endpoint does not take is an error, not ignored."""
        for path, params, unknown in (
            (
                CREATE,
                {"complaint": self._item(), "external_ref": "EXT-1"},
                "external_ref",
            ),
            (STATUS, {"external_ref": "EXT-1", "complaint": {}}, "complaint"),
        ):
            with self.subTest(path=path):
                error = self._call(path, params)["error"]
                self.assertEqual(error["code"], "unknown_parameter")
                self.assertEqual(error["field"], unknown)
        self.assertFalse(self._by_ref("EXT-1"))

    def test_wrong_revoked_or_unfit_key_is_unauthorized(self):
        employee_key = self._new_key(self.employee)
        revoked = self._new_key(self.integration)
        self.env["res.users.apikeys"].search(
            [("user_id", "=", self.integration.id), ("id", "!=", False)],
            order="id desc",
            limit=1,
        )._remove()
        for key in ("0" * 40, revoked, employee_key):
            for path in (CREATE, STATUS):
                with self.subTest(key=key, path=path):
                    result = self._call(
                        path, {"complaint": self._item(), "external_ref": "EXT-1"}, key
                    )
                    self.assertEqual(result["error"]["code"], "unauthorized")
                    self.assertEqual(
                        self._last_response.headers.get("WWW-Authenticate"), "Bearer"
                    )
        self.assertFalse(self._by_ref("EXT-1"))
        self.assertTrue(self._call(CREATE, {"complaint": self._item()})["created"])

    def test_integration_user_reads_only_api_complaints_and_writes_none(self):
        own = self.create_complaint(partner_id=self.customer.id, team_id=self.team_a.id)
        self._call(CREATE, {"complaint": self._item()})
        Complaint = self.env["cs.complaint"].with_user(self.integration)
        api_complaint = self._by_ref("EXT-1")
        self.assertEqual(
            Complaint.search([("id", "in", (own | api_complaint).ids)]), api_complaint
        )
        with self.assertRaises(AccessError):
            self._by_ref("EXT-1").with_user(self.integration).subject = "x"
        with self.assertRaises(AccessError):
            own.with_user(self.integration).read(["subject"])

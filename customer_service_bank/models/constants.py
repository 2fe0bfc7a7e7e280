"""Selections shared by complaints and the policies that match them."""

CHANNELS = [
    ("branch", "Branch Counter"),
    ("phone", "Phone"),
    ("online_banking", "Online Banking"),
    ("mobile_app", "Mobile App"),
    ("email", "Email"),
    ("letter", "Letter"),
    ("regulator", "Regulator Referral"),
    ("social_media", "Social Media"),
]
PRIORITIES = [
    ("0", "Normal"),
    ("1", "High"),
    ("2", "Urgent"),
]
OUTCOMES = [
    ("upheld", "Upheld"),
    ("partially_upheld", "Partially Upheld"),
    ("rejected", "Rejected"),
]
DEADLINE_STATUSES = [
    ("on_track", "On Track"),
    ("at_risk", "At Risk"),
    ("breached", "Breached"),
    ("met", "Met"),
]

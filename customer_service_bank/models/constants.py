"""Selections shared by several models (complaints, policies, customers)."""

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
PRODUCT_CATEGORIES = [
    ("deposit", "Deposit"),
    ("card", "Card"),
    ("loan", "Loan"),
    ("wealth", "Wealth Management"),
    ("insurance", "Insurance"),
    ("payment", "Payment"),
    ("other", "Other"),
]
TRANSACTION_TYPES = [
    ("deposit", "Deposit"),
    ("withdrawal", "Withdrawal"),
    ("payment", "Payment"),
    ("transfer", "Transfer"),
    ("fee", "Fee"),
    ("interest", "Interest"),
    ("purchase", "Purchase"),
    ("other", "Other"),
]
CUSTOMER_TYPES = [
    ("individual", "Individual"),
    ("corporate", "Corporate"),
]

{
    "name": "Customer Service for Banks: Tests",
    "summary": "Test suite and UI tours of customer_service_bank",
    "version": "18.0.1.0.0",
    "category": "Hidden/Tests",
    "author": "Customer Service Bank Developers",
    "website": "https://github.com/customer-service-bank/customer_service_bank",
    "license": "LGPL-3",
    "installable": True,
    "depends": ["customer_service_bank", "web_tour"],
    "data": ["security/ir.model.access.csv"],
    "assets": {
        "web.assets_tests": [
            "test_customer_service_bank/static/tests/tours/*.js",
        ],
    },
}

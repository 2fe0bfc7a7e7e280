from . import cs_monthly_report
